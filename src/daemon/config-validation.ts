// Checks a submitted module config against the module's schema, with one clear sentence per bad field.
import type { TObject, TSchema } from '@sinclair/typebox';
import { Value, type ValueError } from '@sinclair/typebox/value';

import type { ModuleManifest } from '../kit/manifest.ts';
import { isInside, resolveDeclaredPath } from '../kit/template.ts';
import { ApiError } from './api-error.ts';

type FieldSchema = TSchema & { title?: string; minimum?: number; maximum?: number; maxLength?: number; minLength?: number; type?: string; anyOf?: Array<{ const?: unknown }> };

function describe(field: FieldSchema | undefined, error: ValueError): string {
  const title = field?.title ?? error.path.slice(1);
  if (!field) return `${title} is not a setting of this module.`;
  if (field.type === 'integer' || field.type === 'number') {
    return `${title} must be a whole number from ${field.minimum ?? '…'} to ${field.maximum ?? '…'}.`;
  }
  if (field.type === 'boolean') return `${title} must be on or off.`;
  if (field.anyOf?.every((option) => 'const' in option)) return `${title} must be one of: ${field.anyOf.map((option) => String(option.const)).join(', ')}.`;
  if (typeof error.value === 'string' && field.maxLength !== undefined && error.value.length > field.maxLength) {
    return `${title} is too long: at most ${field.maxLength} characters.`;
  }
  if (typeof error.value === 'string' && error.value.length === 0) return `${title} cannot be empty.`;
  return `${title} contains characters or a form that is not allowed. ${field.description ?? ''}`.trim();
}

/** The CLI sends KEY=VALUE text: read "22000" and "true" as the schema's types, exactly or not at all. */
function fromCommandLine(field: FieldSchema | undefined, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (field?.type === 'integer' && /^-?\d{1,15}$/.test(value)) return Number(value);
  if (field?.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** One sentence per top-level property of `value` that breaks `schema` (an object schema with titled properties). */
export function schemaFieldErrors(schema: TObject, value: Record<string, unknown>): Record<string, string> {
  const properties = schema.properties as Record<string, FieldSchema>;
  const fields: Record<string, string> = {};
  for (const error of Value.Errors(schema, value)) {
    const key = error.path.split('/')[1] ?? '';
    if (key && !fields[key]) fields[key] = describe(properties[key], error);
  }
  return fields;
}

/** Returns the complete config (defaults filled in) or throws a 400 ApiError listing every bad field. */
export function validateModuleConfig(manifest: ModuleManifest, current: Record<string, unknown>, submitted: Record<string, unknown>, root: string): Record<string, unknown> {
  const schema = manifest.configSchema;
  const properties = schema.properties as Record<string, FieldSchema>;
  const fields: Record<string, string> = {};
  for (const key of Object.keys(submitted)) {
    if (!(key in properties)) fields[key] = `${key} is not a setting of ${manifest.title}.`;
  }
  const converted = Object.fromEntries(Object.entries(submitted).map(([key, value]) => [key, fromCommandLine(properties[key], value)]));
  const merged = { ...(Value.Default(schema, {}) as object), ...current, ...converted } as Record<string, unknown>;
  Object.assign(fields, { ...schemaFieldErrors(schema, merged), ...fields });
  for (const [key, pathName] of Object.entries(manifest.pathConfigKeys ?? {})) {
    const value = merged[key];
    const base = resolveDeclaredPath(root, manifest.paths[pathName] ?? '/nonexistent');
    if (!fields[key] && typeof value === 'string' && !isInside(base, resolveDeclaredPath(root, value))) {
      fields[key] = `${properties[key]?.title ?? key} must stay inside ${manifest.paths[pathName]}.`;
    }
  }
  if (Object.keys(fields).length > 0) {
    throw new ApiError(400, 'invalid_config', 'Some settings are not valid; nothing was saved.', fields);
  }
  return merged;
}

export function defaultConfig(manifest: ModuleManifest): Record<string, unknown> {
  return Value.Default(manifest.configSchema, {}) as Record<string, unknown>;
}
