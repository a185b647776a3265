// Calls back on the event stream's `vpn` events (a membership changed), and every interval anyway: peers come and go unannounced.
import { useEffect, useRef } from 'preact/hooks';

import { panelEvents } from '../api/panel-events.ts';

export function useVpnEvents(onChange: () => void, pollMs: number): void {
  const latestOnChange = useRef(onChange);
  latestOnChange.current = onChange;
  useEffect(() => {
    const unsubscribe = panelEvents.subscribe((event) => {
      if (event.type === 'vpn') latestOnChange.current();
    });
    const timer = setInterval(() => latestOnChange.current(), pollMs);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [pollMs]);
}
