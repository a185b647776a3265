// First start: the setup code from the node's console creates the first administrator.
import { useState } from 'preact/hooks';

import type { Language, SessionInfo } from '../../shared/api-contract.ts';
import { api } from '../api/cloudy-api.ts';
import { FormError } from '../components/form-messages.tsx';
import { LanguageSelect } from '../components/language-select.tsx';
import { TextField } from '../components/text-field.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';

interface SetupPageProps {
  language: Language;
  onLanguageChange: (language: Language) => void;
  onDone: (session: SessionInfo) => void;
}

export function SetupPage({ language, onLanguageChange, onDone }: SetupPageProps) {
  const [setupCode, setSetupCode] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmission();
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    void submit(async () => onDone(await api.setup({ setupCode: setupCode.trim(), username, password, language })));
  };
  return (
    <main class="page narrow">
      <h1>{t('setup.title')}</h1>
      <p>{t('setup.intro')}</p>
      <form class="card" onSubmit={onSubmit} noValidate data-testid="setup-form">
        <FormError error={error} />
        <TextField
          name="setupCode"
          id="setup-code"
          label={t('setup.code')}
          help={t('setup.codeHelp')}
          value={setupCode}
          onInput={setSetupCode}
          error={error}
          autoComplete="one-time-code"
        />
        <TextField
          name="username"
          id="setup-username"
          label={t('setup.username')}
          help={t('setup.usernameHelp')}
          value={username}
          onInput={setUsername}
          error={error}
          autoComplete="username"
        />
        <TextField
          name="password"
          id="setup-password"
          type="password"
          label={t('setup.password')}
          help={t('setup.passwordHelp')}
          value={password}
          onInput={setPassword}
          error={error}
          autoComplete="new-password"
        />
        <LanguageSelect id="setup-language" value={language} onChange={onLanguageChange} />
        <button type="submit" disabled={busy} data-testid="setup-submit">
          {busy ? t('setup.submitting') : t('setup.submit')}
        </button>
      </form>
    </main>
  );
}
