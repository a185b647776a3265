// Live progress of a module operation (install, start, …): bar, current step, outcome and log.
import type { Operation } from '../../shared/api-contract.ts';
import type { ApiError } from '../api/http-client.ts';
import { SuccessMessage } from '../components/form-messages.tsx';
import { type MessageKey, t } from '../i18n/i18n.ts';

const KIND_LABELS: Record<string, MessageKey> = {
  install: 'operation.install',
  start: 'operation.start',
  stop: 'operation.stop',
  uninstall: 'operation.uninstall',
};

const kindLabel = (kind: string): string => {
  const key = KIND_LABELS[kind];
  return key === undefined ? t('operation.other', { kind }) : t(key);
};

export function OperationProgress({ operation, error }: { operation: Operation | null; error: ApiError | null }) {
  return (
    <div class="card operation" data-testid="operation" data-state={operation?.state ?? 'waiting'}>
      <label for="module-progress">{operation === null ? t('operation.starting') : kindLabel(operation.kind)}</label>
      <progress id="module-progress" max={100} value={operation?.progress ?? 0} data-testid="module-progress" />
      <p class="muted" aria-live="polite" data-testid="module-progress-message">
        {operation?.message ?? ''}
      </p>
      {operation?.state === 'completed' ? <SuccessMessage text={t('operation.completed')} testId="operation-completed" /> : null}
      {operation?.state === 'failed' ? (
        <p class="message message-error" role="alert" data-testid="operation-error">
          {t('operation.failed', { reason: operation.error ?? operation.message })}
        </p>
      ) : null}
      {error === null ? null : (
        <p class="message message-error" role="alert" data-testid="operation-watch-error">
          {error.message}
        </p>
      )}
      {operation !== null && operation.log.length > 0 ? (
        <details>
          <summary>{t('operation.log')}</summary>
          <pre class="log" data-testid="operation-log">
            {operation.log.join('\n')}
          </pre>
        </details>
      ) : null}
    </div>
  );
}
