// One input of a module's configuration form, chosen by the field's type, with label, help and error.
import type { ApiError } from '../api/http-client.ts';
import { FieldDescription, fieldAria } from '../components/field-description.tsx';
import type { ConfigFieldSpec } from './config-schema.ts';

interface ConfigFieldProps {
  field: ConfigFieldSpec;
  value: string | boolean;
  error: ApiError | null;
  onChange: (value: string | boolean) => void;
  /** Distinguishes forms on one page: the settings form's ids are `config-field-<name>`. */
  idPrefix?: string;
}

export function ConfigField({ field, value, error, onChange, idPrefix = 'config-field' }: ConfigFieldProps) {
  const id = `${idPrefix}-${field.name}`;
  const help = field.description ?? undefined;
  const common = {
    id,
    name: field.name,
    'data-testid': id,
    'aria-required': field.required,
    ...fieldAria({ name: field.name, id, error, help }),
  };
  const label = <label for={id}>{field.title}</label>;
  let input;
  if (field.kind === 'boolean') {
    input = <input {...common} type="checkbox" checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} />;
  } else if (field.kind === 'choice') {
    input = (
      <select {...common} value={String(value)} onChange={(event) => onChange(event.currentTarget.value)}>
        {field.choices.map((_choice, index) => (
          <option key={index} value={String(index)}>
            {field.choiceLabels[index]}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'secret') {
    // Never shown: the server sends it empty, and empty keeps what is saved.
    input = <input {...common} type="password" autocomplete="new-password" value={String(value)} onInput={(event) => onChange(event.currentTarget.value)} />;
  } else if (field.kind === 'text' || field.kind === 'list') {
    input = <input {...common} type="text" value={String(value)} onInput={(event) => onChange(event.currentTarget.value)} />;
  } else {
    input = (
      <input
        {...common}
        type="number"
        inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
        step={field.kind === 'integer' ? 1 : 'any'}
        min={field.minimum ?? undefined}
        max={field.maximum ?? undefined}
        value={String(value)}
        onInput={(event) => onChange(event.currentTarget.value)}
      />
    );
  }
  return (
    <div class={field.kind === 'boolean' ? 'field field-checkbox' : 'field'}>
      {field.kind === 'boolean' ? [input, label] : [label, input]}
      <FieldDescription name={field.name} id={id} error={error} help={help} />
    </div>
  );
}
