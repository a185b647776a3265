// The panel's top level: finds out whether to show setup, login or the signed-in panel, and in which language.
import { useCallback, useEffect, useState } from 'preact/hooks';

import type { Language, SessionInfo } from '../shared/api-contract.ts';
import { api } from './api/cloudy-api.ts';
import { ApiError, onSessionLost, setCsrfToken, toApiError } from './api/http-client.ts';
import { LoadStatus } from './components/load-status.tsx';
import { navigate, parseRoute } from './hash-router.ts';
import { activateLanguage, storedLanguage, storeLanguage } from './i18n/i18n.ts';
import { LoginPage } from './pages/login-page.tsx';
import { SetupPage } from './pages/setup-page.tsx';
import { SignedInApp } from './signed-in-app.tsx';

type Phase =
  | { kind: 'checking'; error: ApiError | null }
  | { kind: 'setup' }
  | { kind: 'login' }
  | { kind: 'signed-in'; session: SessionInfo };

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'checking', error: null });
  const [language, setLanguage] = useState<Language>(storedLanguage);
  // Set before children render, so every t() call below uses it.
  activateLanguage(language);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const signedIn = useCallback((session: SessionInfo) => {
    setCsrfToken(session.csrfToken);
    storeLanguage(session.language);
    setLanguage(session.language);
    setPhase({ kind: 'signed-in', session });
    const route = parseRoute(window.location.hash);
    if (route.page === 'login' || route.page === 'setup') navigate({ page: 'dashboard' });
  }, []);

  const findSession = useCallback(async () => {
    setPhase({ kind: 'checking', error: null });
    try {
      signedIn(await api.currentSession());
    } catch (failure) {
      const error = toApiError(failure);
      if (error.status !== 401) return setPhase({ kind: 'checking', error });
      setCsrfToken('');
      try {
        const health = await api.health();
        setPhase({ kind: health.setupRequired ? 'setup' : 'login' });
      } catch (healthFailure) {
        setPhase({ kind: 'checking', error: toApiError(healthFailure) });
      }
    }
  }, [signedIn]);

  useEffect(() => {
    onSessionLost(() => void findSession());
    void findSession();
  }, [findSession]);

  const chooseLanguage = (chosen: Language): void => {
    storeLanguage(chosen);
    setLanguage(chosen);
  };

  const signOut = async (): Promise<void> => {
    // The user wants out: a session the server already dropped, or a failed call, still ends at the login page.
    await api.logout().catch(() => undefined);
    setCsrfToken('');
    navigate({ page: 'login' });
    setPhase({ kind: 'login' });
  };

  switch (phase.kind) {
    case 'checking':
      return (
        <main class="page narrow">
          <LoadStatus error={phase.error} retry={() => void findSession()} />
        </main>
      );
    case 'setup':
      return <SetupPage language={language} onLanguageChange={chooseLanguage} onDone={signedIn} />;
    case 'login':
      return <LoginPage language={language} onLanguageChange={chooseLanguage} onDone={signedIn} />;
    case 'signed-in':
      return (
        <SignedInApp
          session={phase.session}
          signOut={signOut}
          languageChanged={(chosen) => {
            chooseLanguage(chosen);
            setPhase({ kind: 'signed-in', session: { ...phase.session, language: chosen } });
          }}
        />
      );
  }
}
