// A checkbox with its label beside it, its help text and the server's message for it.
import type { ApiError } from '../api/http-client.ts';
import { FieldError, fieldErrorId } from './form-messages.tsx';

interface CheckboxFieldProps {
  /** The API's field name: keys the server's per-field message. */
  name: string;
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  error: ApiError | null;
  help?: string;
}

export function CheckboxField({ name, id, label, checked, onChange, error, help }: CheckboxFieldProps) {
  const helpId = `${id}-help`;
  const hasError = error?.fields[name] !== undefined;
  const describedBy = [help === undefined ? '' : helpId, hasError ? fieldErrorId(name) : ''].filter(Boolean).join(' ');
  return (
    <div class="field field-checkbox">
      <input
        id={id}
        name={name}
        type="checkbox"
        checked={checked}
        aria-invalid={hasError}
        aria-describedby={describedBy === '' ? undefined : describedBy}
        onChange={(event) => onChange(event.currentTarget.checked)}
        data-testid={id}
      />
      <label for={id}>{label}</label>
      {help === undefined ? null : (
        <p class="help" id={helpId}>
          {help}
        </p>
      )}
      <FieldError error={error} name={name} />
    </div>
  );
}
