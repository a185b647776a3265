// Administrators publish a service by hand: description, type, port and TXT entries (one key=value per line).
import { useState } from 'preact/hooks';

import type { Publication } from '../../shared/discovery-contract.ts';
import { discoveryApi } from '../api/discovery-api.ts';
import { ApiError } from '../api/http-client.ts';
import { FormError, SuccessMessage } from '../components/form-messages.tsx';
import { TextAreaField } from '../components/text-area-field.tsx';
import { TextField } from '../components/text-field.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { parsePort, parseTxtLines } from './form-values.ts';

export function PublishForm({ onPublished }: { onPublished: (publications: Publication[]) => void }) {
  const [description, setDescription] = useState('');
  const [type, setType] = useState('');
  const [port, setPort] = useState('');
  const [txt, setTxt] = useState('');
  const [saved, setSaved] = useState(false);
  const { busy, error, submit } = useSubmission();
  const edit = (setter: (value: string) => void) => (value: string) => {
    setSaved(false);
    setter(value);
  };
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    setSaved(false);
    void submit(async () => {
      const portNumber = parsePort(port);
      const txtRecord = parseTxtLines(txt);
      const fields = { ...(portNumber === null ? { port: t('publications.portInvalid') } : {}), ...(txtRecord === null ? { txt: t('publications.txtInvalid') } : {}) };
      if (portNumber === null || txtRecord === null) throw new ApiError(0, 'invalid_request', t('form.fixFields'), fields);
      onPublished(await discoveryApi.publish({ description: description.trim(), type: type.trim(), port: portNumber, txt: txtRecord }));
      setDescription('');
      setType('');
      setPort('');
      setTxt('');
      setSaved(true);
    });
  };
  return (
    <form class="card" onSubmit={onSubmit} noValidate data-testid="publish-form">
      <h3>{t('publications.addTitle')}</h3>
      <FormError error={error} testId="publish-error" />
      <TextField name="description" id="publish-description" label={t('publications.description')} value={description} onInput={edit(setDescription)} error={error} autoComplete="off" />
      <TextField name="type" id="publish-type" label={t('publications.type')} help={t('publications.typeHelp')} value={type} onInput={edit(setType)} error={error} autoComplete="off" />
      <TextField name="port" id="publish-port" label={t('publications.port')} value={port} onInput={edit(setPort)} error={error} autoComplete="off" inputMode="numeric" />
      <TextAreaField name="txt" id="publish-txt" label={t('publications.txt')} help={t('publications.txtHelp')} value={txt} onInput={edit(setTxt)} error={error} placeholder="path=/pub" />
      {saved ? <SuccessMessage text={t('publications.added')} testId="publish-saved" /> : null}
      <button type="submit" disabled={busy} data-testid="publish-submit">
        {busy ? t('common.saving') : t('publications.add')}
      </button>
    </form>
  );
}
