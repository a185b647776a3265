// Loads data from the API for a component, with its error, a reload function and local updates.
import { type Inputs, useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { type ApiError, toApiError } from '../api/http-client.ts';

export interface ApiData<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  setData: (update: (current: T | null) => T | null) => void;
}

export function useApiData<T>(load: () => Promise<T>, inputs: Inputs): ApiData<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  // Only the latest request may write: an older reply arriving late is dropped.
  const latestRequest = useRef(0);
  const reload = useCallback(() => {
    const requestNumber = ++latestRequest.current;
    setLoading(true);
    load().then(
      (value) => {
        if (requestNumber !== latestRequest.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (requestNumber !== latestRequest.current) return;
        setError(toApiError(failure));
        setLoading(false);
      },
    );
  }, inputs);
  useEffect(reload, [reload]);
  return { data, error, loading, reload, setData };
}
