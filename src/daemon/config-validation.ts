// Checks a submitted module config against the module's schema, with one clear sentence per bad field.
import type { TObject, TSchema } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';

import type { ModuleManifest } from '../kit/manifest.ts';
import { fillPlaceholders, type Language, type LocalizedText } from '../kit/module-translations.ts';
import { isInside, resolveDeclaredPath } from '../kit/template.ts';
import { ApiError } from './api-error.ts';

type FieldSchema = TSchema & { title?: string; minimum?: number; maximum?: number; maxLength?: number; minLength?: number; type?: string; anyOf?: Array<{ const?: unknown }> };

/** The sentences a bad field gets, in every panel language; `{title}` is the field's title in the same language. */
const SENTENCES = {
  unknown: { en: '{title} is not a setting of this module.', ca: '{title} no és un paràmetre d’aquest mòdul.', es: '{title} no es un parámetro de este módulo.' },
  number: { en: '{title} must be a whole number from {minimum} to {maximum}.', ca: '{title} ha de ser un nombre enter de {minimum} a {maximum}.', es: '{title} debe ser un número entero de {minimum} a {maximum}.' },
  boolean: { en: '{title} must be on or off.', ca: '{title} ha d’estar activat o desactivat.', es: '{title} debe estar activado o desactivado.' },
  choice: { en: '{title} must be one of: {choices}.', ca: '{title} ha de ser un d’aquests: {choices}.', es: '{title} debe ser uno de estos: {choices}.' },
  tooLong: { en: '{title} is too long: at most {maxLength} characters.', ca: '{title} és massa llarg: com a màxim {maxLength} caràcters.', es: '{title} es demasiado largo: como máximo {maxLength} caracteres.' },
  empty: { en: '{title} cannot be empty.', ca: '{title} no pot estar buit.', es: '{title} no puede estar vacío.' },
  form: { en: '{title} contains characters or a form that is not allowed.', ca: '{title} conté caràcters o una forma que no es permeten.', es: '{title} contiene caracteres o una forma que no se permiten.' },
  outside: { en: '{title} must stay inside {path}.', ca: '{title} ha de quedar dins de {path}.', es: '{title} debe quedar dentro de {path}.' },
  notSaved: { en: 'Some settings are not valid; nothing was saved.', ca: 'Alguns paràmetres no són vàlids; no s’ha desat res.', es: 'Algunos parámetros no son válidos; no se ha guardado nada.' },
} as const satisfies Record<string, LocalizedText>;

function sentence(key: keyof typeof SENTENCES, language: Language, params: Record<string, string | number> = {}): string {
  return fillPlaceholders(SENTENCES[key][language], params);
}

/** `field` carries the title and description in the reader's language (see localizedSchema). */
function describe(field: FieldSchema | undefined, error: ValueError, language: Language): string {
  const title = field?.title ?? error.path.slice(1);
  if (!field) return sentence('unknown', language, { title });
  if (field.type === 'integer' || field.type === 'number') {
    return sentence('number', language, { title, minimum: field.minimum ?? '…', maximum: field.maximum ?? '…' });
  }
  if (field.type === 'boolean') return sentence('boolean', language, { title });
  if (field.anyOf?.every((option) => 'const' in option)) return sentence('choice', language, { title, choices: field.anyOf.map((option) => String(option.const)).join(', ') });
  if (typeof error.value === 'string' && field.maxLength !== undefined && error.value.length > field.maxLength) {
    return sentence('tooLong', language, { title, maxLength: field.maxLength });
  }
  if (typeof error.value === 'string' && error.value.length === 0) return sentence('empty', language, { title });
  return `${sentence('form', language, { title })} ${field.description ?? ''}`.trim();
}

/** The CLI sends KEY=VALUE text: read "22000", "true" and "a,b" as the schema's types, exactly or not at all. */
export function fromCommandLine(field: FieldSchema | undefined, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (field?.type === 'integer' && /^-?\d{1,15}$/.test(value)) return Number(value);
  if (field?.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  if (field?.type === 'array') return value.split(',').map((part) => part.trim()).filter((part) => part !== '');
  return value;
}

/** One sentence per top-level property of `value` that breaks `schema` (an object schema with titled properties). */
export function schemaFieldErrors(schema: TObject, value: Record<string, unknown>, language: Language = 'en', wording: TObject = schema): Record<string, string> {
  const properties = wording.properties as Record<string, FieldSchema>;
  const fields: Record<string, string> = {};
  for (const error of Value.Errors(schema, value)) {
    const key = error.path.split('/')[1] ?? '';
    if (key && !fields[key]) fields[key] = describe(properties[key], error, language);
  }
  return fields;
}

/**
 * Returns the complete config (defaults filled in) or throws a 400 ApiError listing every bad field.
 * @param wording the config schema with titles and descriptions in `language` (the manifest's English by default).
 */
export function validateModuleConfig(
  manifest: ModuleManifest,
  current: Record<string, unknown>,
  submitted: Record<string, unknown>,
  root: string,
  { language, wording }: { language: Language; wording: TObject } = { language: 'en', wording: manifest.configSchema },
): Record<string, unknown> {
  const schema = manifest.configSchema;
  const properties = wording.properties as Record<string, FieldSchema>;
  const fields: Record<string, string> = {};
  for (const key of Object.keys(submitted)) {
    if (!(key in properties)) fields[key] = sentence('unknown', language, { title: key });
  }
  const hidden = writeOnlyKeys(schema);
  const converted = Object.fromEntries(
    Object.entries(submitted)
      .filter(([key, value]) => !(hidden.includes(key) && value === ''))
      .map(([key, value]) => [key, fromCommandLine(properties[key], value)]),
  );
  const merged = { ...(Value.Default(schema, {}) as object), ...current, ...converted } as Record<string, unknown>;
  Object.assign(fields, { ...schemaFieldErrors(schema, merged, language, wording), ...fields });
  for (const [key, pathName] of Object.entries(manifest.pathConfigKeys ?? {})) {
    const value = merged[key];
    const base = resolveDeclaredPath(root, manifest.paths[pathName] ?? '/nonexistent');
    if (!fields[key] && typeof value === 'string' && !isInside(base, resolveDeclaredPath(root, value))) {
      fields[key] = sentence('outside', language, { title: properties[key]?.title ?? key, path: manifest.paths[pathName] ?? '' });
    }
  }
  if (Object.keys(fields).length > 0) throw invalidConfig(fields, language);
  return merged;
}

/** The 400 reply for settings refused field by field. */
export function invalidConfig(fields: Record<string, string>, language: Language): ApiError {
  return new ApiError(400, 'invalid_config', sentence('notSaved', language), fields);
}

/**
 * A write-only setting (`writeOnly: true` in the schema, e.g. a bind password): never shown, so the form sends it back
 * empty; empty means "keep what is saved".
 */
export function writeOnlyKeys(schema: TObject): string[] {
  return Object.entries(schema.properties as Record<string, { writeOnly?: boolean }>).filter(([, property]) => property.writeOnly === true).map(([key]) => key);
}

/** The config as readers get it: write-only values blanked. */
export function withoutWriteOnly(schema: TObject, config: Record<string, unknown>): Record<string, unknown> {
  const hidden = writeOnlyKeys(schema);
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, hidden.includes(key) ? '' : value]));
}

export function defaultConfig(manifest: ModuleManifest): Record<string, unknown> {
  return Value.Default(manifest.configSchema, {}) as Record<string, unknown>;
}
