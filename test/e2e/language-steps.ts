// Checks that a page speaks the reader's language: no English word of the panel or of a module left in it.
import type { Page } from 'playwright-core';

import type { ModuleTranslations } from '../../src/kit/module-translations.ts';
import { ca } from '../../src/web/i18n/ca.ts';
import { en } from '../../src/web/i18n/en.ts';

const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** English words in `text`: each of the module's and the panel's that Catalan says differently, as whole words. */
export function englishLeftovers(text: string, translations: ModuleTranslations): string[] {
  const catalogue = translations.catalogue;
  const moduleWords = Object.entries(catalogue.en).filter(([key, english]) => catalogue.ca[key] !== english).map(([, english]) => english);
  const panelWords = Object.entries(en).filter(([key, english]) => ca[key as keyof typeof ca] !== english && !english.includes('{')).map(([, english]) => english);
  // Whole words: "Result" inside "Resultat" is Catalan.
  return [...moduleWords, ...panelWords].filter((english) => english.length > 3 && new RegExp(`(?<!\\p{L})${escape(english)}(?!\\p{L})`, 'u').test(text));
}

/** The page's text without the daemons' own log lines (squid and Apache write English, as they should). */
export function panelText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const main = document.querySelector('main')!.cloneNode(true) as HTMLElement;
    for (const log of main.querySelectorAll('[data-testid="logs"]')) log.remove();
    // innerText needs layout: measure the copy in the document, then drop it.
    main.style.position = 'absolute';
    document.body.append(main);
    const text = main.innerText;
    main.remove();
    return text;
  });
}
