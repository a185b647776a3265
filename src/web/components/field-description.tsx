// What every form field shares: its help text and the server's message, both tied to the input by aria-describedby.
import type { ApiError } from '../api/http-client.ts';
import { FieldError, fieldErrorId } from './form-messages.tsx';

interface FieldDescriptionProps {
  /** The API's field name: keys the server's per-field message. */
  name: string;
  id: string;
  error: ApiError | null;
  help?: string;
}

/** The input's ARIA attributes: invalid when the server named this field, described by the help and the message. */
export function fieldAria({ name, id, error, help }: FieldDescriptionProps): { 'aria-invalid': boolean; 'aria-describedby': string | undefined } {
  const hasError = error?.fields[name] !== undefined;
  const describedBy = [help === undefined ? '' : `${id}-help`, hasError ? fieldErrorId(name, id) : ''].filter(Boolean).join(' ');
  return { 'aria-invalid': hasError, 'aria-describedby': describedBy === '' ? undefined : describedBy };
}

/** The help text and the server's message, below the input. */
export function FieldDescription({ name, id, error, help }: FieldDescriptionProps) {
  return (
    <>
      {help === undefined ? null : (
        <p class="help" id={`${id}-help`}>
          {help}
        </p>
      )}
      <FieldError error={error} name={name} inputId={id} />
    </>
  );
}
