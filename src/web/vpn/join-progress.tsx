// Live progress of a join: the five steps (key, enrolment, configuration, tincd, first peer), each done, under way, waiting or failed.
import type { Operation } from '../../shared/api-contract.ts';
import { JOIN_STEPS, type JoinStep } from '../../shared/vpn-names.ts';
import { isOperationFinished } from '../api/operation-watcher.ts';
import { useOperation } from '../hooks/use-operation.ts';
import { type MessageKey, t } from '../i18n/i18n.ts';
import { type JoinStepState, joinStepStates } from './join-steps.ts';

const STEP_LABELS: Record<JoinStep, MessageKey> = {
  key: 'vpn.stepKey',
  enrol: 'vpn.stepEnrol',
  config: 'vpn.stepConfig',
  tincd: 'vpn.stepTincd',
  peer: 'vpn.stepPeer',
};
const STATE_LABELS: Record<JoinStepState, MessageKey> = { done: 'vpn.stepDone', running: 'vpn.stepRunning', waiting: 'vpn.stepWaiting', failed: 'vpn.stepFailed' };
/** A mark beside each step, for the eye; the state's words are there for everyone. */
const STATE_MARKS: Record<JoinStepState, string> = { done: '✓', running: '…', waiting: '○', failed: '✗' };

export function JoinProgress({ operationId, onFinished }: { operationId: string; onFinished: (operation: Operation) => void }) {
  const { operation, error } = useOperation(operationId, onFinished);
  const states = joinStepStates(operation);
  return (
    <section class="card operation" aria-labelledby="vpn-join-progress-title" data-testid="vpn-join-progress" data-state={operation?.state ?? 'waiting'}>
      <h2 id="vpn-join-progress-title">{t('vpn.progressTitle')}</h2>
      <progress max={100} value={operation?.progress ?? 0} aria-labelledby="vpn-join-progress-title" data-testid="vpn-join-bar" />
      <ol class="plain join-steps">
        {JOIN_STEPS.map((step) => (
          <li key={step} class={`join-step join-step-${states[step]}`} data-testid={`vpn-join-step-${step}`} data-state={states[step]}>
            <span class="join-step-mark" aria-hidden="true">
              {STATE_MARKS[states[step]]}
            </span>{' '}
            {t(STEP_LABELS[step])} <span class="muted">({t(STATE_LABELS[states[step]])})</span>
          </li>
        ))}
      </ol>
      {/* The last step's message would outlive it: once the join ends, its outcome speaks instead. */}
      <p class="muted" aria-live="polite" data-testid="vpn-join-message">
        {operation === null ? t('operation.starting') : isOperationFinished(operation) ? '' : operation.message}
      </p>
      {operation?.state === 'completed' ? (
        <p class="message message-success" role="status" data-testid="vpn-join-completed">
          {t('vpn.joinCompleted')}
        </p>
      ) : null}
      {operation?.state === 'failed' ? (
        <p class="message message-error" role="alert" data-testid="vpn-join-failed">
          {t('operation.failed', { reason: operation.error ?? operation.message })}
        </p>
      ) : null}
      {error === null ? null : (
        <p class="message message-error" role="alert" data-testid="vpn-join-watch-error">
          {error.message}
        </p>
      )}
      {operation !== null && operation.log.length > 0 ? (
        <details>
          <summary>{t('operation.log')}</summary>
          <pre class="log" data-testid="vpn-join-log">
            {operation.log.join('\n')}
          </pre>
        </details>
      ) : null}
    </section>
  );
}
