// A labelled multi-line input with its help text and the server's message for it.
import type { ApiError } from '../api/http-client.ts';
import { FieldError, fieldErrorId } from './form-messages.tsx';

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
  const helpId = `${id}-help`;
  const hasError = error?.fields[name] !== undefined;
  const describedBy = [help === undefined ? '' : helpId, hasError ? fieldErrorId(name) : ''].filter(Boolean).join(' ');
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
        aria-invalid={hasError}
        aria-describedby={describedBy === '' ? undefined : describedBy}
        onInput={(event) => onInput(event.currentTarget.value)}
        data-testid={id}
      />
      {help === undefined ? null : (
        <p class="help" id={helpId}>
          {help}
        </p>
      )}
      <FieldError error={error} name={name} />
    </div>
  );
}
