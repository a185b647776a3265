// Administrators leave the network after confirming: the server drops this node, and its tinc files and key are removed.
import { useState } from 'preact/hooks';

import { vpnApi } from '../api/vpn-api.ts';
import { FormError } from '../components/form-messages.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';

export function LeaveControl({ network, onLeft }: { network: string; onLeft: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, submit } = useSubmission();
  const leave = (): void => {
    void submit(async () => {
      await vpnApi.leave();
      setConfirming(false);
      onLeft();
    });
  };
  return (
    <div data-testid="vpn-leave">
      <FormError error={error} testId="vpn-leave-error" />
      {confirming ? (
        <div class="card confirm" role="group" aria-labelledby="vpn-leave-question" data-testid="vpn-leave-confirmation">
          <p id="vpn-leave-question">{t('vpn.leaveQuestion', { network })}</p>
          <div class="button-row">
            <button type="button" class="danger" disabled={busy} onClick={leave} data-testid="vpn-leave-confirm">
              {t('vpn.leaveConfirm')}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)} data-testid="vpn-leave-cancel">
              {t('common.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <div class="button-row">
          <button type="button" class="danger" onClick={() => setConfirming(true)} data-testid="vpn-leave-button">
            {t('vpn.leave')}
          </button>
        </div>
      )}
    </div>
  );
}
