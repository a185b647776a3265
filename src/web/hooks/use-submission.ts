// Runs a form's API call with a busy flag and keeps the error to show next to the form.
import { useState } from 'preact/hooks';

import { type ApiError, toApiError } from '../api/http-client.ts';

export interface Submission {
  busy: boolean;
  error: ApiError | null;
  /** Resolves true when the action succeeded. */
  submit: (action: () => Promise<void>) => Promise<boolean>;
}

export function useSubmission(): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (action: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (failure) {
      setError(toApiError(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
