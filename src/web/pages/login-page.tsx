// The login form, with the language picker for people who have not signed in yet.
import { useState } from 'preact/hooks';

import type { Language, SessionInfo } from '../../shared/api-contract.ts';
import { api } from '../api/cloudy-api.ts';
import { FormError } from '../components/form-messages.tsx';
import { LanguageSelect } from '../components/language-select.tsx';
import { TextField } from '../components/text-field.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';

interface LoginPageProps {
  language: Language;
  onLanguageChange: (language: Language) => void;
  onDone: (session: SessionInfo) => void;
}

export function LoginPage({ language, onLanguageChange, onDone }: LoginPageProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmission();
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    void submit(async () => onDone(await api.login(username, password)));
  };
  return (
    <main class="page narrow">
      <h1>{t('login.title')}</h1>
      <form class="card" onSubmit={onSubmit} noValidate data-testid="login-form">
        <FormError error={error} />
        <TextField
          name="username"
          id="login-username"
          label={t('login.username')}
          value={username}
          onInput={setUsername}
          error={error}
          autoComplete="username"
        />
        <TextField
          name="password"
          id="login-password"
          type="password"
          label={t('login.password')}
          value={password}
          onInput={setPassword}
          error={error}
          autoComplete="current-password"
        />
        <button type="submit" disabled={busy} data-testid="login-submit">
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
      <LanguageSelect id="login-language" value={language} onChange={onLanguageChange} />
    </main>
  );
}
