// What a page shows while its data loads or when loading failed, with a retry button.
import type { ApiError } from '../api/http-client.ts';
import { t } from '../i18n/i18n.ts';

export function LoadStatus({ error, retry }: { error: ApiError | null; retry: () => void }) {
  if (error === null) {
    return (
      <p class="muted" data-testid="loading">
        {t('common.loading')}
      </p>
    );
  }
  return (
    <div class="message message-error" role="alert" data-testid="load-error">
      <p>{error.message}</p>
      <button type="button" onClick={retry} data-testid="retry">
        {t('common.retry')}
      </button>
    </div>
  );
}
