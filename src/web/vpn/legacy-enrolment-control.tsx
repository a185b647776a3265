// Turns legacy enrolment (2015 getinconf clients, by network key) on or off, warns while it is on, and shows the key to give them.
import { useState } from 'preact/hooks';

import type { NetworkView } from '../../shared/vpn-contract.ts';
import { vpnApi } from '../api/vpn-api.ts';
import { CheckboxField } from '../components/checkbox-field.tsx';
import { FormError } from '../components/form-messages.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';

export function LegacyEnrolmentControl({ network, onChanged }: { network: NetworkView; onChanged: (network: NetworkView) => void }) {
  const { busy, error, submit } = useSubmission();
  // The box shows the click at once; the server's answer (or the old value, if refused) replaces it.
  const [pending, setPending] = useState<boolean | null>(null);
  const toggle = (enabled: boolean): void => {
    if (busy) return;
    setPending(enabled);
    void submit(async () => onChanged(await vpnApi.setLegacyEnrolment(network.name, enabled))).finally(() => setPending(null));
  };
  return (
    <div data-testid="vpn-legacy">
      <FormError error={error} testId="vpn-legacy-error" />
      <CheckboxField name="legacyEnrolment" id="vpn-legacy-toggle" label={t('vpnServer.legacy')} checked={pending ?? network.legacyEnrolment} onChange={toggle} error={error} help={t('vpnServer.legacyHelp')} />
      {network.legacyEnrolment ? (
        <div class="message" role="status" data-testid="vpn-legacy-warning">
          <p>{t('vpnServer.legacyWarning')}</p>
          <p>
            {t('vpnServer.legacyKey')} <code data-testid="vpn-legacy-key">{network.legacyKey}</code>
          </p>
        </div>
      ) : null}
    </div>
  );
}
