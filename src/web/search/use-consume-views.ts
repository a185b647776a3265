// Fetches what the consuming modules offer for the service types on screen (one call per type, at most 20), keyed by record.
import { useEffect, useState } from 'preact/hooks';

import type { ConsumeView } from '../../shared/discovery-contract.ts';
import { discoveryApi } from '../api/discovery-api.ts';

/** More types than this on one screen would mean one call each; the rest show no action. */
const MAX_TYPES = 20;

/**
 * Views of every record of the given types, by record key. `refreshCount` is bumped with each search
 * refresh, because a module's answer (waiting, done) changes without the records changing.
 */
export function useConsumeViews(types: string[], refreshCount: number): ReadonlyMap<string, ConsumeView[]> {
  const [viewsByKey, setViewsByKey] = useState<ReadonlyMap<string, ConsumeView[]>>(new Map());
  const wanted = [...new Set(types)].sort().slice(0, MAX_TYPES);
  const typesKey = wanted.join(' ');
  useEffect(() => {
    let current = true;
    // A type whose call fails (or a module hook that errs) shows no action rather than breaking the page.
    void Promise.all(wanted.map((type) => discoveryApi.consumeViews(type).catch(() => [] as ConsumeView[]))).then((lists) => {
      if (!current) return;
      const next = new Map<string, ConsumeView[]>();
      for (const view of lists.flat()) next.set(view.key, [...(next.get(view.key) ?? []), view]);
      setViewsByKey(next);
    });
    return () => {
      current = false;
    };
  }, [typesKey, refreshCount]);
  return viewsByKey;
}
