// Administrators rename the node here.
import { useEffect, useState } from 'preact/hooks';

import { api } from '../api/cloudy-api.ts';
import { FormError, SuccessMessage } from '../components/form-messages.tsx';
import { TextField } from '../components/text-field.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';

export function HostnameForm() {
  const [hostname, setHostname] = useState('');
  const [saved, setSaved] = useState(false);
  const { busy, error, submit } = useSubmission();
  useEffect(() => {
    void submit(async () => setHostname((await api.node()).hostname));
  }, []);
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    setSaved(false);
    void submit(async () => {
      await api.changeHostname(hostname.trim());
      setSaved(true);
    });
  };
  return (
    <form class="card" onSubmit={onSubmit} noValidate data-testid="hostname-form">
      <h2>{t('settings.hostnameTitle')}</h2>
      <FormError error={error} />
      <TextField
        name="hostname"
        id="settings-hostname"
        label={t('settings.hostname')}
        help={t('settings.hostnameHelp')}
        value={hostname}
        onInput={(value) => {
          setSaved(false);
          setHostname(value);
        }}
        error={error}
      />
      {saved ? <SuccessMessage text={t('settings.hostnameSaved')} testId="settings-hostname-saved" /> : null}
      <button type="submit" disabled={busy} data-testid="settings-hostname-save">
        {busy ? t('common.saving') : t('common.save')}
      </button>
    </form>
  );
}
