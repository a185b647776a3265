// A labelled multi-line input with its help text and the server's message for it.
import type { ApiError } from '../api/http-client.ts';
import { FieldDescription, fieldAria } from './field-description.tsx';

interface TextAreaFieldProps {
  /** The API's field name: keys the server's per-field message. */
  name: string;
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error: ApiError | null;
  help?: string;
  placeholder?: string;
  rows?: number;
}

export function TextAreaField({ name, id, label, value, onInput, error, help, placeholder, rows = 3 }: TextAreaFieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        rows={rows}
        value={value}
        placeholder={placeholder}
        autocapitalize="off"
        spellcheck={false}
        {...fieldAria({ name, id, error, help })}
        onInput={(event) => onInput(event.currentTarget.value)}
        data-testid={id}
      />
      <FieldDescription name={name} id={id} error={error} help={help} />
    </div>
  );
}
