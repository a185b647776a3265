// Changing one's own password, which needs the current one.
import { useState } from 'preact/hooks';

import { api } from '../api/cloudy-api.ts';
import { FormError, SuccessMessage } from '../components/form-messages.tsx';
import { TextField } from '../components/text-field.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';

export function PasswordForm() {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [saved, setSaved] = useState(false);
  const { busy, error, submit } = useSubmission();
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    setSaved(false);
    void submit(async () => {
      await api.changePassword(currentPassword, newPassword);
      setCurrentPassword('');
      setNewPassword('');
      setSaved(true);
    });
  };
  return (
    <form class="card" onSubmit={onSubmit} noValidate data-testid="password-form">
      <h2>{t('settings.passwordTitle')}</h2>
      <FormError error={error} />
      <TextField
        name="currentPassword"
        id="settings-password-current"
        type="password"
        label={t('settings.passwordCurrent')}
        value={currentPassword}
        onInput={setCurrentPassword}
        error={error}
        autoComplete="current-password"
      />
      <TextField
        name="newPassword"
        id="settings-password-new"
        type="password"
        label={t('settings.passwordNew')}
        help={t('setup.passwordHelp')}
        value={newPassword}
        onInput={setNewPassword}
        error={error}
        autoComplete="new-password"
      />
      {saved ? <SuccessMessage text={t('settings.passwordSaved')} testId="settings-password-saved" /> : null}
      <button type="submit" disabled={busy} data-testid="settings-password-save">
        {busy ? t('common.saving') : t('settings.passwordSave')}
      </button>
    </form>
  );
}
