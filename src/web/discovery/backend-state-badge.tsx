// A discovery backend's state (off, installing, starting, running, failed) as a coloured, translated badge.
import type { BackendState } from '../../shared/discovery-contract.ts';
import { type MessageKey, t } from '../i18n/i18n.ts';

const STATE_LABELS: Record<BackendState, MessageKey> = {
  off: 'discovery.stateOff',
  installing: 'discovery.stateInstalling',
  starting: 'discovery.stateStarting',
  running: 'discovery.stateRunning',
  failed: 'discovery.stateFailed',
};

const STATE_CLASSES: Record<BackendState, string> = {
  off: 'badge',
  installing: 'badge badge-warn',
  starting: 'badge badge-warn',
  running: 'badge badge-ok',
  failed: 'badge result-failed',
};

export function BackendStateBadge({ state, testId }: { state: BackendState; testId: string }) {
  // An unknown state from a newer node still shows, untranslated.
  const label = STATE_LABELS[state] === undefined ? state : t(STATE_LABELS[state]);
  return (
    <span class={STATE_CLASSES[state] ?? 'badge'} data-testid={testId} data-state={state}>
      {label}
    </span>
  );
}
