// Translation lookup: t(key, params) in the active language, plus the language remembered before login.
import type { Language } from '../../shared/api-contract.ts';
import { isLanguage } from '../../shared/http-names.ts';
import { ca } from './ca.ts';
import { en, type MessageKey } from './en.ts';
import { es } from './es.ts';

export type { MessageKey };

const dictionaries: Record<Language, Record<MessageKey, string>> = { en, ca, es };

/** Each language named in itself, so a reader can find their own. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ca: 'Català', es: 'Español' };

const STORAGE_KEY = 'cloudy.language';

let activeLanguage: Language = 'en';

export { isLanguage };

export function activateLanguage(language: Language): void {
  activeLanguage = language;
}

export function activeLocale(): Language {
  return activeLanguage;
}

/** The message for key, with each `{name}` replaced by params[name]. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return dictionaries[activeLanguage][key].replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in params ? String(params[name]) : placeholder,
  );
}

/** The language chosen on the login page earlier, else the browser's, else English. */
export function storedLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY) ?? '';
  if (isLanguage(stored)) return stored;
  const browser = navigator.language.slice(0, 2);
  return isLanguage(browser) ? browser : 'en';
}

export function storeLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
}
