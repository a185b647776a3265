// A checkbox with its label beside it, its help text and the server's message for it.
import type { ApiError } from '../api/http-client.ts';
import { FieldDescription, fieldAria } from './field-description.tsx';

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
  return (
    <div class="field field-checkbox">
      <input
        id={id}
        name={name}
        type="checkbox"
        checked={checked}
        {...fieldAria({ name, id, error, help })}
        onChange={(event) => onChange(event.currentTarget.checked)}
        data-testid={id}
      />
      <label for={id}>{label}</label>
      <FieldDescription name={name} id={id} error={error} help={help} />
    </div>
  );
}
