// The signed-in session and the actions on it, shared with every page below the header.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

import type { Language, SessionInfo } from '../shared/api-contract.ts';

export interface SessionControls {
  session: SessionInfo;
  signOut: () => Promise<void>;
  /** Switches the panel's language after the server stored it. */
  languageChanged: (language: Language) => void;
}

export const SessionContext = createContext<SessionControls | null>(null);

export function useSession(): SessionControls {
  const controls = useContext(SessionContext);
  if (controls === null) throw new Error('useSession() used outside <SessionContext.Provider>');
  return controls;
}
