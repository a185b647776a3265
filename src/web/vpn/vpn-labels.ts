// Words for the overlay network's states and modes in the panel's language; an unknown value from a newer node shows as it is.
import type { MemberView, VpnMode } from '../../shared/vpn-contract.ts';
import { type MessageKey, t } from '../i18n/i18n.ts';

const labelOf = (labels: Record<string, MessageKey>, value: string): string => {
  const key = labels[value];
  return key === undefined ? value : t(key);
};

const MODES: Record<VpnMode, MessageKey> = { router: 'vpnServer.modeRouter', switch: 'vpnServer.modeSwitch' };
const MEMBER_STATES: Record<string, MessageKey> = { active: 'vpnServer.stateActive', revoked: 'vpnServer.stateRevoked', left: 'vpnServer.stateLeft' };
const MEMBERSHIP_STATES: Record<string, MessageKey> = { joining: 'vpn.stateJoining', joined: 'vpn.stateJoined', revoked: 'vpn.stateRevoked', unreachable: 'vpn.stateUnreachable' };
const TINCD_STATES: Record<string, MessageKey> = {
  running: 'vpn.tincdRunning',
  starting: 'vpn.tincdStarting',
  stopped: 'vpn.tincdStopped',
  backoff: 'vpn.tincdBackoff',
  failed: 'vpn.tincdFailed',
  unknown: 'vpn.tincdUnknown',
};

export const modeLabel = (mode: VpnMode): string => labelOf(MODES, mode);
export const memberStateLabel = (state: string): string => labelOf(MEMBER_STATES, state);
export const membershipStateLabel = (state: string): string => labelOf(MEMBERSHIP_STATES, state);
export const tincdStateLabel = (state: string): string => labelOf(TINCD_STATES, state);

/** invitedBy is a token id, `legacy` (the network key of 2015 clients) or `server` (the server's own node). */
export function invitedByLabel(invitedBy: MemberView['invitedBy']): string {
  if (invitedBy === 'server') return t('vpnServer.invitedByServer');
  if (invitedBy === 'legacy') return t('vpnServer.invitedByLegacy');
  return t('vpnServer.invitedByToken', { id: invitedBy });
}
