// Follows the event stream's `discovery` events (records changed), at most once per interval, with a slow poll while the stream is down.
import { useEffect, useRef } from 'preact/hooks';

import { panelEvents } from '../api/panel-events.ts';

export interface VisibleCounts {
  services: number;
  nodes: number;
}

/** While the event stream is down, the page refreshes itself this often. */
const FALLBACK_POLL_MS = 15_000;

/**
 * Calls onChange with the new counts after a `discovery` event, or with null when the page should fetch
 * for itself (the stream is down). A burst of events gives one call now and one at the end of the interval.
 */
export function useDiscoveryEvents(onChange: (visible: VisibleCounts | null) => void, minIntervalMs = 1000): void {
  const latestOnChange = useRef(onChange);
  latestOnChange.current = onChange;
  useEffect(() => {
    let lastCall = 0;
    let pending: ReturnType<typeof setTimeout> | undefined;
    let latest: VisibleCounts | null = null;
    const deliver = (): void => {
      pending = undefined;
      lastCall = Date.now();
      latestOnChange.current(latest);
    };
    const unsubscribe = panelEvents.subscribe((event) => {
      if (event.type !== 'discovery') return;
      latest = event.visible;
      if (pending !== undefined) return;
      const wait = lastCall + minIntervalMs - Date.now();
      if (wait <= 0) deliver();
      else pending = setTimeout(deliver, wait);
    });
    const poll = setInterval(() => {
      if (!panelEvents.connected) latestOnChange.current(null);
    }, FALLBACK_POLL_MS);
    return () => {
      unsubscribe();
      clearTimeout(pending);
      clearInterval(poll);
    };
  }, [minIntervalMs]);
}
