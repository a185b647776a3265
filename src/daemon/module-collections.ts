// The items of the lists modules declare (manifest `collections`): validated, stored in SQLite, passwords as bcrypt.
import { Value } from '@sinclair/typebox/value';
import type { TObject, TSchema } from '@sinclair/typebox';

import { bcryptHash } from '../kit/bcrypt.ts';
import type { CollectionSpec, ModuleManifest } from '../kit/manifest.ts';
import type { CollectionItem } from '../kit/module-hooks.ts';
import { fillPlaceholders, type Language } from '../kit/module-translations.ts';
import { ApiError, notFound } from './api-error.ts';
import { fromCommandLine, schemaFieldErrors } from './config-validation.ts';
import type { Db } from './database.ts';

/** bcrypt reads at most 72 bytes; a control character would end the line some daemons read it from. */
const PASSWORD_PATTERN = /^[^\x00-\x1f\x7f]{8,72}$/u;
const MAX_PASSWORD_BYTES = 72;

const SENTENCES = {
  password: {
    en: 'The password must have 8 to 72 characters (at most 72 bytes), without control characters.',
    ca: 'La contrasenya ha de tenir de 8 a 72 caràcters (com a màxim 72 bytes), sense caràcters de control.',
    es: 'La contraseña debe tener de 8 a 72 caracteres (como máximo 72 bytes), sin caracteres de control.',
  },
  passwordNeeded: { en: 'A new item needs a password.', ca: 'Un element nou necessita una contrasenya.', es: 'Un elemento nuevo necesita una contraseña.' },
  keyMismatch: { en: 'The name cannot change; remove the item and add it again.', ca: 'El nom no pot canviar; elimina l’element i torna’l a afegir.', es: 'El nombre no puede cambiar; elimina el elemento y vuelve a añadirlo.' },
  full: { en: 'This list is full: at most {max} items.', ca: 'Aquesta llista és plena: com a màxim {max} elements.', es: 'Esta lista está llena: como máximo {max} elementos.' },
  unknownReference: { en: 'Unknown: {names}.', ca: 'No existeix: {names}.', es: 'No existe: {names}.' },
  notSaved: { en: 'The item is not valid; nothing was saved.', ca: 'L’element no és vàlid; no s’ha desat res.', es: 'El elemento no es válido; no se ha guardado nada.' },
} as const;

const say = (key: keyof typeof SENTENCES, language: Language, params: Record<string, string | number> = {}): string => fillPlaceholders(SENTENCES[key][language], params);

/** CLI and form text read as the item schema's types (`a, b,c` for a list), as config values are. */
function fromText(schema: TObject, values: Record<string, unknown>): Record<string, unknown> {
  const properties = schema.properties as Record<string, TSchema>;
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, fromCommandLine(properties[key], value)]));
}

interface ItemRow {
  key: string;
  values_json: string;
  password_hash: string | null;
}

export class ModuleCollections {
  constructor(private readonly db: Db) {}

  spec(manifest: ModuleManifest, collection: string): CollectionSpec {
    const spec = manifest.collections?.[collection];
    if (!spec) throw notFound(`List ${collection} of ${manifest.id}`);
    return spec;
  }

  items(module: string, collection: string): CollectionItem[] {
    const rows = this.db.prepare('SELECT key, values_json, password_hash FROM module_items WHERE module = ? AND collection = ? ORDER BY seq').all(module, collection) as ItemRow[];
    return rows.map((row) => ({ key: row.key, values: JSON.parse(row.values_json) as Record<string, unknown>, passwordHash: row.password_hash }));
  }

  all(manifest: ModuleManifest): Record<string, CollectionItem[]> {
    return Object.fromEntries(Object.keys(manifest.collections ?? {}).map((name) => [name, this.items(manifest.id, name)]));
  }

  /**
   * Adds or replaces an item after checking it: schema, references to other lists, the list's size, the password.
   * @param wording the item schema with titles in the reader's language, for the error sentences.
   */
  async put(
    manifest: ModuleManifest,
    collection: string,
    key: string,
    submitted: { values: Record<string, unknown>; password?: string },
    { language, wording }: { language: Language; wording: TObject },
  ): Promise<CollectionItem> {
    const spec = this.spec(manifest, collection);
    const existing = this.items(manifest.id, collection).find((item) => item.key === key);
    const values = { ...(Value.Default(spec.itemSchema, {}) as object), ...(existing?.values ?? {}), ...fromText(spec.itemSchema, submitted.values), [spec.key]: submitted.values[spec.key] ?? key };
    const fields = schemaFieldErrors(spec.itemSchema, values, language, wording);
    if (!fields[spec.key] && values[spec.key] !== key) fields[spec.key] = say('keyMismatch', language);
    for (const reference of spec.references ?? []) {
      const names = values[reference.property];
      // Checked only once the schema found the list well-formed (an array of valid names).
      if (fields[reference.property] || !Array.isArray(names)) continue;
      const known = new Set(this.items(manifest.id, reference.collection).map((item) => item.key));
      const unknown = names.filter((name) => !known.has(String(name)));
      if (unknown.length > 0) fields[reference.property] = say('unknownReference', language, { names: unknown.join(', ') });
    }
    if (spec.password) {
      const { password } = submitted;
      if (password !== undefined && (!PASSWORD_PATTERN.test(password) || Buffer.byteLength(password) > MAX_PASSWORD_BYTES)) fields.password = say('password', language);
      else if (password === undefined && !existing?.passwordHash) fields.password = say('passwordNeeded', language);
    }
    if (!existing && this.items(manifest.id, collection).length >= spec.maxItems) fields[spec.key] ??= say('full', language, { max: spec.maxItems });
    if (Object.keys(fields).length > 0) throw new ApiError(400, 'invalid_item', say('notSaved', language), fields);

    const passwordHash = spec.password && submitted.password !== undefined ? await bcryptHash(submitted.password, spec.password.cost) : (existing?.passwordHash ?? null);
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO module_items (module, collection, key, values_json, password_hash, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (module, collection, key) DO UPDATE SET values_json = excluded.values_json, password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
      )
      .run(manifest.id, collection, key, JSON.stringify(values), passwordHash, now);
    return { key, values, passwordHash };
  }

  /** Removes an item and takes its name out of every list that refers to it, in one transaction. */
  remove(manifest: ModuleManifest, collection: string, key: string): void {
    this.spec(manifest, collection);
    this.db.transaction(() => {
      const removed = this.db.prepare('DELETE FROM module_items WHERE module = ? AND collection = ? AND key = ?').run(manifest.id, collection, key).changes;
      if (removed === 0) throw notFound(`${key} in ${collection}`);
      for (const [name, spec] of Object.entries(manifest.collections ?? {})) {
        for (const reference of (spec.references ?? []).filter((entry) => entry.collection === collection)) {
          for (const item of this.items(manifest.id, name)) {
            const list = (item.values[reference.property] as unknown[] | undefined) ?? [];
            if (!list.includes(key)) continue;
            const values = { ...item.values, [reference.property]: list.filter((entry) => entry !== key) };
            this.db.prepare('UPDATE module_items SET values_json = ?, updated_at = ? WHERE module = ? AND collection = ? AND key = ?').run(JSON.stringify(values), new Date().toISOString(), manifest.id, name, item.key);
          }
        }
      }
    })();
  }
}
