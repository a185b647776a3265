// Recent log lines (a module's daemons, the VPN's tincd), newest at the bottom, refreshed on request.
import { useEffect, useRef } from 'preact/hooks';

import type { LogLine } from '../../shared/api-contract.ts';
import { formatTime } from '../format.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { t } from '../i18n/i18n.ts';

/** `source` names what is shown; a new source loads anew. */
export function LogsView({ source, load }: { source: string; load: () => Promise<LogLine[]> }) {
  const { data: lines, error, loading, reload } = useApiData(load, [source]);
  const logElement = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const element = logElement.current;
    if (element !== null) element.scrollTop = element.scrollHeight;
  }, [lines]);
  return (
    <div>
      <button type="button" class="secondary" disabled={loading} onClick={reload} data-testid="logs-refresh">
        {t('logs.refresh')}
      </button>
      {error === null ? null : (
        <p class="message message-error" role="alert" data-testid="logs-error">
          {error.message}
        </p>
      )}
      {lines !== null && lines.length === 0 ? (
        <p class="muted" data-testid="logs-empty">
          {t('logs.empty')}
        </p>
      ) : null}
      <pre class="log" ref={logElement} tabIndex={0} aria-label={t('logs.title')} data-testid="logs" hidden={lines === null || lines.length === 0}>
        {(lines ?? []).map((line) => `${formatTime(line.time)}  ${line.source}  ${line.text}`).join('\n')}
      </pre>
    </div>
  );
}
