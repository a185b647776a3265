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

/** Id of the message element, for the input's aria-describedby. */
export const fieldErrorId = (name: string): string => `field-error-${name}`;

export function FieldError({ error, name }: { error: ApiError | null; name: string }) {
  const message = error?.fields[name];
  if (message === undefined) return null;
  return (
    <p class="field-error" id={fieldErrorId(name)} data-testid={`field-error-${name}`}>
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
