// The words cloudyd itself says about any module, in every panel language, and a module's own words picked for a reader.
import type { TObject } from '@sinclair/typebox';

import type { ModuleManifest } from '../kit/manifest.ts';

import { fillPlaceholders, type Language, type LocalizedText, type ModuleTranslations } from '../kit/module-translations.ts';
import type { CollectionInfo } from '../shared/api-contract.ts';

const CORE_TEXTS = {
  install: { en: 'Installing {title}', ca: 'S’està instal·lant {title}', es: 'Instalando {title}' },
  start: { en: 'Starting {title}', ca: 'S’està iniciant {title}', es: 'Iniciando {title}' },
  stop: { en: 'Stopping {title}', ca: 'S’està aturant {title}', es: 'Deteniendo {title}' },
  uninstall: { en: 'Uninstalling {title}', ca: 'S’està desinstal·lant {title}', es: 'Desinstalando {title}' },
  configure: { en: 'Applying the settings of {title}', ca: 'S’està aplicant la configuració de {title}', es: 'Aplicando la configuración de {title}' },
  restart: { en: 'Restarting {title} to apply the change', ca: 'Es reinicia {title} per aplicar el canvi', es: 'Reiniciando {title} para aplicar el cambio' },
  startDaemon: { en: 'Starting {daemon}', ca: 'S’està iniciant {daemon}', es: 'Iniciando {daemon}' },
  stopDaemon: { en: 'Stopping {daemon}', ca: 'S’està aturant {daemon}', es: 'Deteniendo {daemon}' },
  packagesCheck: { en: 'Debian packages installed: {packages}', ca: 'Paquets de Debian instal·lats: {packages}', es: 'Paquetes de Debian instalados: {packages}' },
  daemonCheck: { en: 'The {daemon} daemon is running', ca: 'El dimoni {daemon} està en marxa', es: 'El demonio {daemon} está en marcha' },
  details: { en: 'Details', ca: 'Detalls', es: 'Detalles' },
} as const satisfies Record<string, LocalizedText>;

export type CoreTextKey = keyof typeof CORE_TEXTS;

/** A core sentence in every language; `{title}` is the module's title in that same language. */
export function coreText(key: CoreTextKey, translations: ModuleTranslations, params: Record<string, string> = {}): LocalizedText {
  const pick = (language: Language) => fillPlaceholders(CORE_TEXTS[key][language], { title: moduleText(translations, 'title', language), ...params });
  return { en: pick('en'), ca: pick('ca'), es: pick('es') };
}

/** One of the module's words in a language; English (the manifest's) when the language lacks it. */
export function moduleText(translations: ModuleTranslations, key: string, language: Language): string {
  return translations.catalogue[language][key] ?? translations.catalogue.en[key] ?? key;
}

/**
 * A config or item schema with each property's title and description in the reader's language (a copy: the manifest's
 * stays); `prefix` is where the translations keep them (`setting.`, `collection.<name>.`).
 */
export function localizedSchema(schema: TObject, translations: ModuleTranslations, language: Language, prefix = 'setting.'): TObject {
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([key, property]) => {
      const copy = { ...property } as Record<string, unknown>;
      if (typeof copy.title === 'string') copy.title = moduleText(translations, `${prefix}${key}.title`, language);
      if (typeof copy.description === 'string') copy.description = moduleText(translations, `${prefix}${key}.description`, language);
      if (Array.isArray(copy.anyOf)) {
        copy.anyOf = (copy.anyOf as Array<Record<string, unknown>>).map((option) =>
          typeof option.title === 'string' ? { ...option, title: moduleText(translations, `${prefix}${key}.choice.${String(option.const)}`, language) } : option,
        );
      }
      return [key, copy];
    }),
  );
  return { ...schema, properties } as TObject;
}

/** A module's lists as the API describes them: names, titles, item schema and password field in the reader's language. */
export function localizedCollections(manifest: ModuleManifest, translations: ModuleTranslations, language: Language): CollectionInfo[] {
  const word = (key: string) => moduleText(translations, key, language);
  return Object.entries(manifest.collections ?? {}).map(([name, spec]) => ({
    name,
    noun: spec.noun,
    title: word(`collection.${name}.title`),
    description: spec.description === undefined ? null : word(`collection.${name}.description`),
    key: spec.key,
    itemSchema: localizedSchema(spec.itemSchema, translations, language, `collection.${name}.`),
    maxItems: spec.maxItems,
    password: spec.password
      ? { title: word(`collection.${name}.password.title`), description: spec.password.description === undefined ? null : word(`collection.${name}.password.description`) }
      : null,
  }));
}
