// The buttons that change a module's life: install, start, stop, and uninstall after a confirmation.
import { useState } from 'preact/hooks';

import type { ModuleDetail } from '../../shared/api-contract.ts';
import { api, type ModuleAction } from '../api/cloudy-api.ts';
import { FormError } from '../components/form-messages.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';

interface ModuleActionsProps {
  module: ModuleDetail;
  /** An operation on this module is still under way: no second one meanwhile. */
  operationActive: boolean;
  onOperation: (operationId: string) => void;
}

export function ModuleActions({ module, operationActive, onOperation }: ModuleActionsProps) {
  const [confirmingUninstall, setConfirmingUninstall] = useState(false);
  const { busy, error, submit } = useSubmission();
  const disabled = busy || operationActive;
  const run = (action: ModuleAction): void => {
    void submit(async () => {
      const { operationId } = await api.runModuleAction(module.id, action);
      setConfirmingUninstall(false);
      onOperation(operationId);
    });
  };
  const { installed, running } = module.state;
  return (
    <div class="module-actions">
      <FormError error={error} testId="action-error" />
      <div class="button-row">
        {!installed ? (
          <button type="button" disabled={disabled} onClick={() => run('install')} data-testid="module-install">
            {t('module.install')}
          </button>
        ) : running ? (
          <button type="button" disabled={disabled} onClick={() => run('stop')} data-testid="module-stop">
            {t('module.stop')}
          </button>
        ) : (
          <button type="button" disabled={disabled} onClick={() => run('start')} data-testid="module-start">
            {t('module.start')}
          </button>
        )}
        {installed && !confirmingUninstall ? (
          <button type="button" class="danger" disabled={disabled} onClick={() => setConfirmingUninstall(true)} data-testid="module-uninstall">
            {t('module.uninstall')}
          </button>
        ) : null}
      </div>
      {installed && confirmingUninstall ? (
        <div class="card confirm" role="group" aria-labelledby="uninstall-question" data-testid="uninstall-confirmation">
          <p id="uninstall-question">{t('module.uninstallQuestion', { title: module.title })}</p>
          <div class="button-row">
            <button type="button" class="danger" disabled={disabled} onClick={() => run('uninstall')} data-testid="module-uninstall-confirm">
              {t('module.uninstallConfirm')}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirmingUninstall(false)} data-testid="module-uninstall-cancel">
              {t('common.cancel')}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
