// Badges for a module's state: installed or not, running or stopped.
import type { ModuleState } from '../../shared/api-contract.ts';
import { t } from '../i18n/i18n.ts';

export function StateBadges({ state }: { state: ModuleState }) {
  if (!state.installed) {
    return (
      <span class="badges">
        <span class="badge" data-testid="module-state-not-installed">
          {t('state.notInstalled')}
        </span>
      </span>
    );
  }
  return (
    <span class="badges">
      <span class="badge badge-ok" data-testid="module-state-installed">
        {t('state.installed')}
      </span>
      {state.running ? (
        <span class="badge badge-running" data-testid="module-state-running">
          {t('state.running')}
        </span>
      ) : (
        <span class="badge" data-testid="module-state-stopped">
          {t('state.stopped')}
        </span>
      )}
    </span>
  );
}
