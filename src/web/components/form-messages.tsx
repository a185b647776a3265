// The error sentence above a form and the per-field messages under its inputs.
import type { ApiError } from '../api/http-client.ts';

export function FormError({ error, testId = 'form-error' }: { error: ApiError | null; testId?: string }) {
  if (error === null) return null;
  return (
    <p class="message message-error" role="alert" data-testid={testId}>
      {error.message}
    </p>
  );
}

/** Id of the message element, for the input's aria-describedby; with the input's id, as two forms may share a field name. */
export const fieldErrorId = (name: string, inputId: string): string => `field-error-${name}-${inputId}`;

export function FieldError({ error, name, inputId }: { error: ApiError | null; name: string; inputId: string }) {
  const message = error?.fields[name];
  if (message === undefined) return null;
  return (
    <p class="field-error" id={fieldErrorId(name, inputId)} data-testid={`field-error-${name}`}>
      {message}
    </p>
  );
}

export function SuccessMessage({ text, testId }: { text: string; testId: string }) {
  return (
    <p class="message message-success" role="status" data-testid={testId}>
      {text}
    </p>
  );
}
