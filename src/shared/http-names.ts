// Names and patterns shared by server, panel and CLI that must not pull a schema library into the browser.
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = 'cloudy_session';
export const LANGUAGES = ['en', 'ca', 'es'] as const;

/** One of the panel's languages (the panel, cloudyd and the CLI all ask the same question). */
export const isLanguage = (code: string): code is (typeof LANGUAGES)[number] => (LANGUAGES as readonly string[]).includes(code);
export const USERNAME_PATTERN = '^[a-z][a-z0-9_-]{1,31}$';
export const HOSTNAME_PATTERN = '^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$';
export const MODULE_ID_PATTERN = '^[a-z][a-z0-9-]{1,31}$';
/** What any list item's name may be in a URL; each list's item schema says more, on the name's own field. */
export const ITEM_KEY_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

/**
 * The URL segment for an item named `name`. A name no list could accept goes as a stand-in, so the server answers
 * about it on the name's field (its item schema) rather than about the URL.
 */
export const itemUrlKey = (name: string): string => (new RegExp(ITEM_KEY_PATTERN).test(name) ? name : 'invalid-name');
/** Where a module's own web UI is proxied, behind the panel's login. */
export const moduleWebUiPath = (moduleId: string): string => `/apps/${moduleId}/`;
