// The overlay network's names and patterns the panel needs, without the schema library vpn-contract.ts pulls into the browser
// (it would add ~47 kB to the bundle). vpn-names.test.ts fails when these and vpn-contract.ts disagree.
export const NETWORK_NAME_PATTERN = '^[a-z][a-z0-9_]{0,14}$';
const IPV4_PATTERN = '^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$';
export const IPV4_CIDR_PATTERN = IPV4_PATTERN.replace(/\$$/, '/(3[0-2]|[12]?\\d)$');
export const JOIN_TOKEN_PATTERN = '^cyvpn1\\.[a-f0-9]{16}\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}$';
export const DURATION_PATTERN = '^[1-9][0-9]{0,4}[smhd]$';

/** The steps of a join, in order, and the join operation's progress when each begins. */
export const JOIN_STEPS = ['key', 'enrol', 'config', 'tincd', 'peer'] as const;
export type JoinStep = (typeof JOIN_STEPS)[number];
export const JOIN_STEP_PERCENT: Record<JoinStep, number> = { key: 5, enrol: 25, config: 50, tincd: 65, peer: 80 };

/** Discovery record types: a running membership (the 2015 name) and a VPN server (TXT `networks`, comma-separated). */
export const TINC_RECORD_TYPE = 'tincvpn';
export const VPN_SERVER_RECORD_TYPE = 'vpn-server';
