// A new join token, shown once: the two lines a member pastes into its Join form (to select or copy), the CLI command, and a QR code of the same two lines.
import type { TokenCreated } from '../../shared/vpn-contract.ts';
import { formatTime } from '../format.ts';
import { t } from '../i18n/i18n.ts';
import { CopyButton } from './copy-button.tsx';
import { joinText } from './join-input.ts';
import { QrCode } from './qr-code.tsx';

export function JoinTokenView({ token }: { token: TokenCreated }) {
  const text = joinText(token.url, token.token);
  return (
    <div class="join-token" data-testid="vpn-token-created">
      <p class="message message-success" role="status">
        {t('vpnServer.tokenCreated', { network: token.network, uses: token.uses, time: formatTime(token.expiresAt) })}
      </p>
      <div class="field">
        <label for="vpn-token-text">{t('vpnServer.joinText')}</label>
        <textarea id="vpn-token-text" readOnly rows={3} spellcheck={false} aria-describedby="vpn-token-text-help" data-testid="vpn-token-text" value={text} onFocus={(event) => event.currentTarget.select()} />
        <p class="help" id="vpn-token-text-help">
          {t('vpnServer.joinTextHelp')}
        </p>
        <CopyButton text={text} fieldId="vpn-token-text" testId="vpn-token-copy" />
      </div>
      <p class="help">{t('vpnServer.joinCommand')}</p>
      <pre class="log" data-testid="vpn-token-command">
        cloudy vpn join {token.url} {token.token}
      </pre>
      <QrCode text={text} label={t('vpnServer.qrLabel', { network: token.network })} testId="vpn-token-qr" />
    </div>
  );
}
