// A module's words in every panel language, kept next to its code (src/modules/<id>/translations.ts).
//
// The manifest stays the English source of its own strings (title, description, setting titles and descriptions,
// diagnostic checks): `manifestTexts` derives their keys. A translations file gives Catalan and Spanish for those
// keys, plus, in all three languages, the words the module's code uses at run time (detail labels, progress).
// module-translations.test.ts fails on a key missing, empty or extra in any language, and on placeholders that differ.
import type { Language } from '../shared/api-contract.ts';
import { LANGUAGES } from '../shared/http-names.ts';
import type { LocalizedText, ModuleManifest } from './manifest.ts';

export type { Language, LocalizedText };

export interface ModuleTranslations<Key extends string = string> {
  /** Every key in every language: the manifest's English plus the module's own catalogue. */
  readonly catalogue: Record<Language, Record<string, string>>;
  /** A run-time word of the module in all three languages, `{name}` placeholders filled from params. */
  text(key: Key, params?: Record<string, string | number>): LocalizedText;
}

/** The keys the manifest's own English strings go by, with that English. */
export function manifestTexts(manifest: ModuleManifest): Record<string, string> {
  const texts: Record<string, string> = { title: manifest.title, description: manifest.description };
  for (const [key, property] of Object.entries(manifest.configSchema.properties)) {
    const { title, description, anyOf } = property as { title?: unknown; description?: unknown; anyOf?: Array<{ const?: unknown; title?: unknown }> };
    if (typeof title === 'string') texts[`setting.${key}.title`] = title;
    if (typeof description === 'string') texts[`setting.${key}.description`] = description;
    // A choice's options may have titles of their own (Type.Literal('in', { title: '…' })): the select shows those.
    for (const option of anyOf ?? []) if (typeof option.title === 'string') texts[`setting.${key}.choice.${String(option.const)}`] = option.title;
  }
  for (const check of manifest.diagnostics) texts[`check.${check.checkId}`] = check.description;
  for (const [name, collection] of Object.entries(manifest.collections ?? {})) {
    texts[`collection.${name}.title`] = collection.title;
    if (collection.description !== undefined) texts[`collection.${name}.description`] = collection.description;
    for (const [key, property] of Object.entries(collection.itemSchema.properties)) {
      const { title, description } = property as { title?: unknown; description?: unknown };
      if (typeof title === 'string') texts[`collection.${name}.${key}.title`] = title;
      if (typeof description === 'string') texts[`collection.${name}.${key}.description`] = description;
    }
    if (collection.password) {
      texts[`collection.${name}.password.title`] = collection.password.title;
      if (collection.password.description !== undefined) texts[`collection.${name}.password.description`] = collection.password.description;
    }
  }
  return texts;
}

/** `{name}` placeholders replaced in one pass (a value holding `{x}` is never expanded again). */
export function fillPlaceholders(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : placeholder));
}

/**
 * @param catalogue `en`: the run-time words only (the manifest has the rest); `ca` and `es`: every key, the manifest's
 * and the run-time ones.
 */
export function defineTranslations<const English extends Record<string, string>>(
  manifest: ModuleManifest,
  catalogue: { en: English; ca: Record<string, string>; es: Record<string, string> },
): ModuleTranslations<Extract<keyof English, string>> {
  const full: Record<Language, Record<string, string>> = {
    en: { ...manifestTexts(manifest), ...catalogue.en },
    ca: catalogue.ca,
    es: catalogue.es,
  };
  return {
    catalogue: full,
    text(key, params = {}) {
      const pick = (language: Language) => fillPlaceholders(full[language][key] ?? full.en[key] ?? key, params);
      return { en: pick('en'), ca: pick('ca'), es: pick('es') };
    },
  };
}

/** What a translations file gets wrong, one sentence each; empty when complete. */
export function translationProblems(manifestId: string, translations: ModuleTranslations): string[] {
  const { en } = translations.catalogue;
  const problems: string[] = [];
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort().join(',');
  for (const language of LANGUAGES) {
    const dictionary = translations.catalogue[language];
    for (const key of Object.keys(en)) {
      const text = dictionary[key];
      if (text === undefined) problems.push(`${manifestId}: "${key}" has no ${language} translation`);
      else if (text.trim() === '') problems.push(`${manifestId}: "${key}" is empty in ${language}`);
      else if (placeholders(text) !== placeholders(en[key]!)) problems.push(`${manifestId}: "${key}" in ${language} has placeholders {${placeholders(text)}}, English has {${placeholders(en[key]!)}}`);
    }
    for (const key of Object.keys(dictionary)) {
      if (!(key in en)) problems.push(`${manifestId}: "${key}" in ${language} is not a key of the manifest or of the English catalogue`);
    }
  }
  return problems;
}
