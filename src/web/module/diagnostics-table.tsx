// The module's diagnostic checks and their results, run again on request.
import type { DiagnosticCheck } from '../../shared/api-contract.ts';
import { api } from '../api/cloudy-api.ts';
import { useApiData } from '../hooks/use-api-data.ts';
import { type MessageKey, t } from '../i18n/i18n.ts';

const RESULT_LABELS: Record<DiagnosticCheck['result'], MessageKey> = {
  passed: 'diagnostics.passed',
  failed: 'diagnostics.failed',
  warning: 'diagnostics.warning',
  error: 'diagnostics.error',
  'not-running': 'diagnostics.notRunning',
};

/** Fills `{name}` placeholders of a check's description from its parameters. */
const describe = (check: DiagnosticCheck): string =>
  check.description.replace(/\{(\w+)\}/g, (placeholder, name: string) => check.parameters[name] ?? placeholder);

export function DiagnosticsTable({ moduleId }: { moduleId: string }) {
  const { data: checks, error, loading, reload } = useApiData(() => api.diagnostics(moduleId), [moduleId]);
  return (
    <div>
      <button type="button" class="secondary" disabled={loading} onClick={reload} data-testid="diagnostics-run">
        {loading ? t('diagnostics.running') : t('diagnostics.run')}
      </button>
      {error === null ? null : (
        <p class="message message-error" role="alert" data-testid="diagnostics-error">
          {error.message}
        </p>
      )}
      {checks === null ? null : (
        <div class="table-scroll">
          <table data-testid="diagnostics">
            <thead>
              <tr>
                <th scope="col">{t('diagnostics.check')}</th>
                <th scope="col">{t('diagnostics.result')}</th>
              </tr>
            </thead>
            <tbody>
              {checks.map((check) => (
                <tr key={check.checkId} data-testid={`diagnostic-${check.checkId}`}>
                  <td>{describe(check)}</td>
                  <td>
                    <span class={`badge result-${check.result}`} data-testid={`diagnostic-result-${check.checkId}`} data-result={check.result}>
                      {t(RESULT_LABELS[check.result])}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
