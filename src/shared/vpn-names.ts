// The overlay network's plain names and patterns, defined once: vpn-contract.ts builds its schemas from them and the
// panel imports them from here, without the schema library (it would add ~47 kB to the bundle).
/** A network name is also tinc's netname and the interface name (≤ 15 characters for Linux). */
export const NETWORK_NAME_PATTERN = '^[a-z][a-z0-9_]{0,14}$';
export const IPV4_PATTERN = '^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$';
export const IPV4_CIDR_PATTERN = IPV4_PATTERN.replace(/\$$/, '/(3[0-2]|[12]?\\d)$');
export const JOIN_TOKEN_PATTERN = '^cyvpn1\\.[a-f0-9]{16}\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}$';
export const DURATION_PATTERN = '^[1-9][0-9]{0,4}[smhd]$';

/** The steps of a join, in order (a failed join names its step), and the join operation's progress when each begins. */
export const JOIN_STEPS = ['key', 'enrol', 'config', 'tincd', 'peer'] as const;
export type JoinStep = (typeof JOIN_STEPS)[number];
export const JOIN_STEP_PERCENT: Record<JoinStep, number> = { key: 5, enrol: 25, config: 50, tincd: 65, peer: 80 };

/** Discovery record types: a running membership (the 2015 name) and a VPN server (TXT `networks`, comma-separated). */
export const TINC_RECORD_TYPE = 'tincvpn';
export const VPN_SERVER_RECORD_TYPE = 'vpn-server';
