// Fetches what the consuming modules offer for the service types on screen (one call per type, at most 20), keyed by record.
import { createContext } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import type { ConsumeView } from '../../shared/discovery-contract.ts';
import { discoveryApi } from '../api/discovery-api.ts';

/** Called after an action ran: the modules' answers for every row are read again (a connect changes more than one row's state over time). */
export const ConsumeRefresh = createContext<() => void>(() => undefined);

/** More types than this on one screen would mean one call each; the rest show no action. */
const MAX_TYPES = 20;
const WAITING_RECHECK_MS = 3000;

/**
 * Views of every record of the given types, by record key. `refreshCount` is bumped with each search
 * refresh, because a module's answer (waiting, done) changes without the records changing.
 */
export function useConsumeViews(types: string[], refreshCount: number): ReadonlyMap<string, ConsumeView[]> {
  const [viewsByKey, setViewsByKey] = useState<ReadonlyMap<string, ConsumeView[]>>(new Map());
  const [recheck, setRecheck] = useState(0);
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
  }, [typesKey, refreshCount, recheck]);
  // "Waiting for the other side" ends on the other node, which announces nothing here: ask again while it lasts.
  const waiting = [...viewsByKey.values()].some((views) => views.some((view) => view.state === 'waiting'));
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => setRecheck((count) => count + 1), WAITING_RECHECK_MS);
    return () => clearTimeout(timer);
  }, [waiting, viewsByKey]);
  return viewsByKey;
}
