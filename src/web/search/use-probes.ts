// Reachability probes started from the Search page: which are running, what each last answered.
import { useCallback, useState } from 'preact/hooks';

import type { ProbeResult } from '../../shared/discovery-contract.ts';
import { discoveryApi } from '../api/discovery-api.ts';
import { toApiError } from '../api/http-client.ts';

export interface Probes {
  results: ReadonlyMap<string, ProbeResult>;
  measuring: ReadonlySet<string>;
  /** The message of the last probe that could not run, if any. */
  failure: string | null;
  measure: (key: string) => void;
}

/** `onMeasured` runs after each probe: the node now ranks the record by what it measured. */
export function useProbes(onMeasured: () => void): Probes {
  const [results, setResults] = useState<ReadonlyMap<string, ProbeResult>>(new Map());
  const [measuring, setMeasuring] = useState<ReadonlySet<string>>(new Set());
  const [failure, setFailure] = useState<string | null>(null);
  const measure = useCallback(
    (key: string) => {
      setMeasuring((current) => new Set(current).add(key));
      setFailure(null);
      discoveryApi
        .probe(key)
        .then(
          (result) => {
            setResults((current) => new Map(current).set(key, result));
            onMeasured();
          },
          (error: unknown) => setFailure(toApiError(error).message),
        )
        .finally(() =>
          setMeasuring((current) => {
            const next = new Set(current);
            next.delete(key);
            return next;
          }),
        );
    },
    [onMeasured],
  );
  return { results, measuring, failure, measure };
}
