// Turns a module's JSON Schema into form fields, and form inputs back into configuration values.

/** `list`: an array of strings, typed as one text `a, b, c`. `secret`: a write-only string, never shown (a password). */
export type FieldKind = 'text' | 'integer' | 'number' | 'boolean' | 'choice' | 'list' | 'secret';

export interface ConfigFieldSpec {
  name: string;
  kind: FieldKind;
  title: string;
  description: string | null;
  required: boolean;
  minimum: number | null;
  maximum: number | null;
  /** Allowed values of an enum, in schema order; the form refers to them by index. */
  choices: unknown[];
  /** What the select shows for each choice: its title (in the reader's language) or the value itself. */
  choiceLabels: string[];
}

/** What an input holds: text for text, number and choice inputs (a choice's index), a flag for checkboxes. */
export type FormValues = Record<string, string | boolean>;

interface PropertySchema {
  type?: unknown;
  title?: unknown;
  description?: unknown;
  default?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  enum?: unknown;
  anyOf?: unknown;
  items?: unknown;
  writeOnly?: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const asNumber = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** Allowed values: `enum`, or `anyOf` of `const` (what TypeBox's Union of Literals produces). */
function choicesOf(property: PropertySchema): unknown[] | null {
  if (Array.isArray(property.enum)) return property.enum;
  if (Array.isArray(property.anyOf) && property.anyOf.length > 0 && property.anyOf.every((option) => isRecord(option) && 'const' in option)) {
    return property.anyOf.map((option) => (option as { const: unknown }).const);
  }
  return null;
}

function choiceLabelsOf(property: PropertySchema): string[] {
  const options = Array.isArray(property.anyOf) ? (property.anyOf as Array<{ const?: unknown; title?: unknown }>) : null;
  return (choicesOf(property) ?? []).map((choice, index) => {
    const title = options?.[index]?.title;
    return typeof title === 'string' ? title : String(choice);
  });
}

function kindOf(property: PropertySchema): FieldKind | null {
  if (choicesOf(property)) return 'choice';
  switch (property.type) {
    case 'string':
      return property.writeOnly === true ? 'secret' : 'text';
    case 'integer':
    case 'number':
    case 'boolean':
      return property.type;
    case 'array':
      return isRecord(property.items) && property.items.type === 'string' ? 'list' : null;
    default:
      return null;
  }
}

/** The fields the form can render; properties of other types (arrays, objects) keep their saved value. */
export function configFields(schema: unknown): ConfigFieldSpec[] {
  if (!isRecord(schema) || !isRecord(schema.properties)) return [];
  const required = Array.isArray(schema.required) ? schema.required : [];
  const fields: ConfigFieldSpec[] = [];
  for (const [name, raw] of Object.entries(schema.properties)) {
    if (!isRecord(raw)) continue;
    const property = raw as PropertySchema;
    const kind = kindOf(property);
    if (kind === null) continue;
    fields.push({
      name,
      kind,
      title: typeof property.title === 'string' ? property.title : name,
      description: typeof property.description === 'string' ? property.description : null,
      required: required.includes(name),
      minimum: asNumber(property.minimum),
      maximum: asNumber(property.maximum),
      choices: choicesOf(property) ?? [],
      choiceLabels: choiceLabelsOf(property),
    });
  }
  return fields;
}

export function defaultsOf(schema: unknown): Record<string, unknown> {
  if (!isRecord(schema) || !isRecord(schema.properties)) return {};
  const defaults: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    if (isRecord(property) && property.default !== undefined) defaults[name] = property.default;
  }
  return defaults;
}

export function toFormValues(fields: ConfigFieldSpec[], config: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = config[field.name];
    if (field.kind === 'boolean') values[field.name] = value === true;
    else if (field.kind === 'choice') values[field.name] = String(Math.max(0, field.choices.indexOf(value)));
    else if (field.kind === 'list') values[field.name] = Array.isArray(value) ? value.join(', ') : '';
    else values[field.name] = value === undefined || value === null ? '' : String(value);
  }
  return values;
}

/** The configuration to send: saved values, overwritten by the form's inputs converted to their types. */
export function toConfigValues(fields: ConfigFieldSpec[], values: FormValues, config: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...config };
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === 'boolean') result[field.name] = value === true;
    else if (field.kind === 'choice') result[field.name] = field.choices[Number(value)];
    else if (field.kind === 'text' || field.kind === 'secret') result[field.name] = String(value ?? '');
    else if (field.kind === 'list') result[field.name] = String(value ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '');
    // An empty or unreadable number goes as null so the server names the field in its reply.
    else result[field.name] = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : null;
  }
  return result;
}
