// A module's configuration form, rendered from its JSON Schema; the server's field messages show under each input.
import { useEffect, useMemo, useState } from 'preact/hooks';

import type { ModuleDetail } from '../../shared/api-contract.ts';
import { api } from '../api/cloudy-api.ts';
import { FormError, SuccessMessage } from '../components/form-messages.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { ConfigField } from './config-field.tsx';
import { configFields, defaultsOf, toConfigValues, toFormValues } from './config-schema.ts';

interface ConfigFormProps {
  module: ModuleDetail;
  onSaved: (module: ModuleDetail) => void;
}

export function ConfigForm({ module, onSaved }: ConfigFormProps) {
  // Reloads bring equal but new objects: compare by content so that unsaved edits survive them.
  const schemaText = JSON.stringify(module.configSchema);
  const configText = JSON.stringify(module.config);
  const fields = useMemo(() => configFields(module.configSchema), [schemaText]);
  const config = useMemo(() => ({ ...defaultsOf(module.configSchema), ...module.config }), [schemaText, configText]);
  const [values, setValues] = useState(() => toFormValues(fields, config));
  const [saved, setSaved] = useState(false);
  const { busy, error, submit } = useSubmission();
  useEffect(() => setValues(toFormValues(fields, config)), [fields, config]);

  if (fields.length === 0) return <p class="muted">{t('config.nothing')}</p>;
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    setSaved(false);
    void submit(async () => {
      onSaved(await api.saveModuleConfig(module.id, toConfigValues(fields, values, config)));
      setSaved(true);
    });
  };
  return (
    <form class="card" onSubmit={onSubmit} noValidate data-testid="config-form">
      <FormError error={error} />
      {fields.map((field) => (
        <ConfigField
          key={field.name}
          field={field}
          value={values[field.name] ?? ''}
          error={error}
          onChange={(value) => {
            setSaved(false);
            setValues((current) => ({ ...current, [field.name]: value }));
          }}
        />
      ))}
      {saved ? <SuccessMessage text={t('config.saved')} testId="config-saved" /> : null}
      {module.state.running && !module.state.configApplied ? (
        <p class="message" data-testid="config-pending">
          {t('config.pending')}
        </p>
      ) : null}
      <button type="submit" disabled={busy} data-testid="config-save">
        {busy ? t('common.saving') : t('config.save')}
      </button>
    </form>
  );
}
