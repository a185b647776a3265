// Follows the operation with the given id for a component and reports when it ends.
import { useEffect, useRef, useState } from 'preact/hooks';

import type { Operation } from '../../shared/api-contract.ts';
import type { ApiError } from '../api/http-client.ts';
import { isOperationFinished, watchOperation } from '../api/operation-watcher.ts';

export interface WatchedOperation {
  operation: Operation | null;
  error: ApiError | null;
}

export function useOperation(operationId: string | null, onFinished: (operation: Operation) => void): WatchedOperation {
  const [operation, setOperation] = useState<Operation | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const latestOnFinished = useRef(onFinished);
  latestOnFinished.current = onFinished;
  useEffect(() => {
    setOperation(null);
    setError(null);
    if (operationId === null) return undefined;
    return watchOperation(
      operationId,
      (update) => {
        setOperation(update);
        setError(null);
        if (isOperationFinished(update)) latestOnFinished.current(update);
      },
      setError,
    );
  }, [operationId]);
  return { operation, error };
}
