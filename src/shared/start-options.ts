// The options a node starts with, read the same way by the helper (which starts cloudyd with them) and by cloudyd.
// Each falls back to an environment variable, so systemd units take them from the conffile /etc/cloudy/cloudy.conf.
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface StartOptions {
  root: string;
  listen: string;
  httpPort: number;
  httpsPort: number;
  /** Discovery defaults for a node without saved discovery settings, and the Serf agent's RPC port. */
  communityAddress: string | null;
  serfPort: number | null;
  serfRpcPort: number;
}

/** A start option that is not well-formed: the caller stops with this message instead of half-starting. */
export class StartOptionError extends Error {}

const OPTIONS = {
  root: { type: 'string', env: 'CLOUDY_ROOT', fallback: '/' },
  listen: { type: 'string', env: 'CLOUDY_LISTEN', fallback: '0.0.0.0' },
  'http-port': { type: 'string', env: 'CLOUDY_HTTP_PORT', fallback: '7000' },
  'https-port': { type: 'string', env: 'CLOUDY_HTTPS_PORT', fallback: '7443' },
  'community-address': { type: 'string', env: 'CLOUDY_COMMUNITY_ADDRESS', fallback: '' },
  'serf-port': { type: 'string', env: 'CLOUDY_SERF_PORT', fallback: '' },
  'serf-rpc-port': { type: 'string', env: 'CLOUDY_SERF_RPC_PORT', fallback: '7373' },
} as const;
type OptionName = keyof typeof OPTIONS;

/** The parseArgs option table, each default from its environment variable. */
function startOptionSpec(env: NodeJS.ProcessEnv = process.env): Record<OptionName, { type: 'string'; default: string }> {
  return Object.fromEntries(Object.entries(OPTIONS).map(([name, option]) => [name, { type: 'string', default: env[option.env] || option.fallback }])) as Record<
    OptionName,
    { type: 'string'; default: string }
  >;
}

function port(name: string, text: string): number {
  const value = Number(text);
  if (!/^\d{1,5}$/.test(text) || value < 1 || value > 65535) throw new StartOptionError(`--${name}: "${text}" is not a port number (1–65535)`);
  return value;
}

function address(name: string, text: string): string {
  // Addresses only (no names): they are bound, and handed to Serf and to the certificate's subject.
  if (!/^[0-9.]{7,15}$|^[0-9A-Fa-f:]{2,39}$/.test(text)) throw new StartOptionError(`--${name}: "${text}" is not an IP address`);
  return text;
}

/** Checks and converts what parseArgs gave for the start options. */
function toStartOptions(values: Record<OptionName, string | undefined>): StartOptions {
  const text = (name: OptionName) => values[name] ?? OPTIONS[name].fallback;
  return {
    root: path.resolve(text('root')),
    listen: address('listen', text('listen')),
    httpPort: port('http-port', text('http-port')),
    httpsPort: port('https-port', text('https-port')),
    communityAddress: text('community-address') ? address('community-address', text('community-address')) : null,
    serfPort: text('serf-port') ? port('serf-port', text('serf-port')) : null,
    serfRpcPort: port('serf-rpc-port', text('serf-rpc-port')),
  };
}

/** The argv that gives a program these options (the helper starting cloudyd). */
export function startOptionArgs(options: StartOptions): string[] {
  return [
    ...['--root', options.root, '--listen', options.listen, '--http-port', String(options.httpPort), '--https-port', String(options.httpsPort)],
    ...(options.communityAddress ? ['--community-address', options.communityAddress] : []),
    ...(options.serfPort ? ['--serf-port', String(options.serfPort)] : []),
    ...['--serf-rpc-port', String(options.serfRpcPort)],
  ];
}

/** Parses a program's argv that holds only start options (plus `extra` ones of its own). */
export function parseStartArgs<Extra extends Record<string, { type: 'string' | 'boolean' }>>(
  args: string[],
  extra: Extra,
  env: NodeJS.ProcessEnv = process.env,
): { options: StartOptions; extra: Record<keyof Extra, string | boolean | undefined> } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options: { ...startOptionSpec(env), ...extra }, strict: true }));
  } catch (error) {
    throw new StartOptionError((error as Error).message);
  }
  return { options: toStartOptions(values as Record<OptionName, string | undefined>), extra: values as Record<keyof Extra, string | boolean | undefined> };
}
