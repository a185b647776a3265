// A labelled text input with its help text and the server's message for it.
import type { ApiError } from '../api/http-client.ts';
import { FieldDescription, fieldAria } from './field-description.tsx';

interface TextFieldProps {
  /** The API's field name: keys the server's per-field message. */
  name: string;
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error: ApiError | null;
  type?: 'text' | 'password';
  autoComplete?: string;
  help?: string;
  /** An example or what an empty field means; never instead of the label. */
  placeholder?: string;
  inputMode?: 'text' | 'numeric';
}

export function TextField({ name, id, label, value, onInput, error, type = 'text', autoComplete, help, placeholder, inputMode }: TextFieldProps) {
  // Preact types <input> per `type`, so the shared attributes go to one of two literal-typed elements.
  const inputProps = {
    id,
    name,
    value,
    autocomplete: autoComplete,
    placeholder,
    inputMode,
    autocapitalize: 'off' as const,
    spellcheck: false,
    ...fieldAria({ name, id, error, help }),
    'data-testid': id,
    onInput: (event: Event) => onInput((event.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {type === 'password' ? <input type="password" {...inputProps} /> : <input type="text" {...inputProps} />}
      <FieldDescription name={name} id={id} error={error} help={help} />
    </div>
  );
}
