// Keeps modules' state badges live from the event stream's `module` events.
import { useEffect } from 'preact/hooks';

import type { ModuleState } from '../../shared/api-contract.ts';
import { panelEvents } from '../api/panel-events.ts';

export function useModuleStateEvents(onState: (moduleId: string, state: ModuleState) => void): void {
  useEffect(
    () =>
      panelEvents.subscribe((event) => {
        if (event.type === 'module') onState(event.module, event.state);
      }),
    [onState],
  );
}
