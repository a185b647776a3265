// Administrators create a join token for a network (how many members, for how long) and hand it over as text or QR code.
import { useState } from 'preact/hooks';

import type { TokenCreated } from '../../shared/vpn-contract.ts';
import { DURATION_PATTERN } from '../../shared/vpn-names.ts';
import { ApiError } from '../api/http-client.ts';
import { vpnApi } from '../api/vpn-api.ts';
import { FormError } from '../components/form-messages.tsx';
import { TextField } from '../components/text-field.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { JoinTokenView } from './join-token-view.tsx';

/** 1 to 10 000, as the API takes it; null otherwise. */
function parseUses(text: string): number | null {
  if (!/^[1-9][0-9]{0,4}$/.test(text.trim())) return null;
  const uses = Number(text.trim());
  return uses <= 10_000 ? uses : null;
}

export function JoinTokenForm({ network, onCreated }: { network: string; onCreated: () => void }) {
  const [uses, setUses] = useState('1');
  const [expires, setExpires] = useState('1h');
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const { busy, error, submit } = useSubmission();
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    void submit(async () => {
      const usesNumber = parseUses(uses);
      const validExpires = new RegExp(DURATION_PATTERN).test(expires.trim());
      if (usesNumber === null || !validExpires) {
        const fields = { ...(usesNumber === null ? { uses: t('vpnServer.usesInvalid') } : {}), ...(validExpires ? {} : { expires: t('vpnServer.expiresInvalid') }) };
        throw new ApiError(0, 'invalid_request', t('form.fixFields'), fields);
      }
      setCreated(await vpnApi.createToken(network, { uses: usesNumber, expires: expires.trim() }));
      onCreated();
    });
  };
  return (
    <section class="card" aria-labelledby="vpn-token-title" data-testid="vpn-token">
      <h3 id="vpn-token-title">{t('vpnServer.tokenTitle')}</h3>
      <p class="help">{t('vpnServer.tokenIntro')}</p>
      <form onSubmit={onSubmit} noValidate data-testid="vpn-token-form">
        <FormError error={error} testId="vpn-token-error" />
        <div class="inline-fields">
          <TextField name="uses" id="vpn-token-uses" label={t('vpnServer.uses')} help={t('vpnServer.usesHelp')} value={uses} onInput={setUses} error={error} autoComplete="off" inputMode="numeric" />
          <TextField name="expires" id="vpn-token-expires" label={t('vpnServer.expires')} help={t('vpnServer.expiresHelp')} value={expires} onInput={setExpires} error={error} autoComplete="off" />
        </div>
        <button type="submit" disabled={busy} data-testid="vpn-token-submit">
          {busy ? t('vpnServer.tokenCreating') : t('vpnServer.tokenCreate')}
        </button>
      </form>
      {created === null ? null : <JoinTokenView token={created} />}
    </section>
  );
}
