// Administrators join a network with the URL and token its server gave; pasting the server's two lines into the token field fills both.
import { useEffect, useState } from 'preact/hooks';

import { ApiError } from '../api/http-client.ts';
import { vpnApi } from '../api/vpn-api.ts';
import { FormError } from '../components/form-messages.tsx';
import { TextField } from '../components/text-field.tsx';
import { useSubmission } from '../hooks/use-submission.ts';
import { t } from '../i18n/i18n.ts';
import { isJoinToken, isJoinUrl, splitJoinText } from './join-input.ts';

/** A join URL chosen elsewhere (a found server, a Search link); `serial` tells one choice from the next of the same URL. */
export interface JoinPrefill {
  url: string;
  serial: number;
}

export const TOKEN_FIELD_ID = 'vpn-join-token';

export function JoinForm({ prefill, onJoining }: { prefill: JoinPrefill | null; onJoining: (operationId: string) => void }) {
  const [url, setUrl] = useState(prefill?.url ?? '');
  const [token, setToken] = useState('');
  const { busy, error, submit } = useSubmission();
  useEffect(() => {
    if (prefill === null) return;
    setUrl(prefill.url);
    document.getElementById(TOKEN_FIELD_ID)?.focus();
  }, [prefill?.serial]);
  const onTokenInput = (value: string): void => {
    const pasted = splitJoinText(value);
    if (pasted === null) return setToken(value);
    setUrl(pasted.url);
    setToken(pasted.token);
  };
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    void submit(async () => {
      const fields = { ...(isJoinUrl(url) ? {} : { url: t('vpn.urlInvalid') }), ...(isJoinToken(token) ? {} : { token: t('vpn.tokenInvalid') }) };
      if (Object.keys(fields).length > 0) throw new ApiError(0, 'invalid_request', t('form.fixFields'), fields);
      const { operationId } = await vpnApi.join({ url: url.trim(), token: token.trim() });
      setToken('');
      onJoining(operationId);
    });
  };
  return (
    <form class="card" onSubmit={onSubmit} noValidate aria-labelledby="vpn-join-title" data-testid="vpn-join-form">
      <h2 id="vpn-join-title">{t('vpn.joinTitle')}</h2>
      <FormError error={error} testId="vpn-join-error" />
      <TextField name="url" id="vpn-join-url" label={t('vpn.url')} help={t('vpn.urlHelp')} value={url} onInput={setUrl} error={error} autoComplete="off" placeholder="https://10.0.0.1:7443/vpn/v1/networks/community" />
      <TextField name="token" id={TOKEN_FIELD_ID} label={t('vpn.token')} help={t('vpn.tokenHelp')} value={token} onInput={onTokenInput} error={error} autoComplete="off" />
      <button type="submit" disabled={busy} data-testid="vpn-join-submit">
        {busy ? t('vpn.joinStarting') : t('vpn.join')}
      </button>
    </form>
  );
}
