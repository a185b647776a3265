// Runs a real avahi-daemon (plus a private dbus-daemon for avahi-browse/avahi-publish) inside a netns-lab host.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Lab, LabHost, LabProcess } from './netns-lab.ts';

export class AvahiLabError extends Error { override name = 'AvahiLabError'; }

/** One line of `avahi-browse -p`: '+' found, '-' removed, '=' resolved (then host, address, port and txt are set). */
export interface AvahiBrowseRow {
  event: '+' | '-' | '=';
  interfaceName: string;
  protocol: string;
  name: string;
  type: string;
  domain: string;
  host?: string;
  address?: string;
  port?: number;
  txt?: string[];
}

export interface AvahiInstance {
  /** Environment for avahi-* client tools: points them at this instance's private system bus. */
  env: NodeJS.ProcessEnv;
  daemon: LabProcess;
  dbus: LabProcess;
  /** `avahi-browse -a -r -p -t -k`: everything avahi knows now, resolved. */
  browse(timeoutMs?: number): Promise<AvahiBrowseRow[]>;
  /** `avahi-publish-service` kept running until stopped (or lab.destroy()). */
  publish(name: string, type: string, port: number, txt?: string[]): LabProcess;
}

export interface AvahiOptions {
  /** Private directory for the configs and the dbus socket (created if missing). */
  workDir: string;
  /** Bind-mounted onto /etc/avahi/services: `*.service` files written there are published by this avahi. */
  servicesDir?: string;
  /** Bind-mounted onto /run/avahi-daemon, so `<runDir>/pid` and `<runDir>/socket` are visible from outside. */
  runDir?: string;
  /** avahi's host name (without .local); namespaces share the machine's hostname, so set it (lab report §4). */
  hostName: string;
}

// dbus-daemon as a private system bus: the avahi-* tools only talk to the daemon over D-Bus (lab report §4).
// The package's system.d policies allow avahi to own org.freedesktop.Avahi; the default policy lets root's tools call it.
const dbusConfig = (socketPath: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socketPath}</listen>
  <auth>EXTERNAL</auth>
  <includedir>/usr/share/dbus-1/system.d</includedir>
  <policy context="default">
    <allow user="*"/><allow own="*"/><allow send_type="method_call"/>
    <allow send_destination="*"/><allow receive_sender="*"/>
  </policy>
</busconfig>
`;

// disallow-other-stacks=no keeps UDP 5353 shared with an embedded mDNS stack in the same namespace (DESIGN §3);
// no workstation/hinfo records, so browse lists hold only what a test published.
const avahiConfig = (hostName: string) => `[server]
host-name=${hostName}
use-ipv4=yes
use-ipv6=no
allow-interfaces=eth0
enable-dbus=yes
disallow-other-stacks=no
[publish]
publish-workstation=no
publish-hinfo=no
[reflector]
[rlimits]
`;

// Runs inside `unshare -m --propagation private` (argv, no shell): avahi-daemon always uses /run/avahi-daemon
// and /etc/avahi/services (lab report §4), so it gets a private tmpfs /run and bind mounts, then runs as our
// child. Node cannot exec(), so signals are forwarded and the daemon's exit code is passed on.
const AVAHI_LAUNCHER = `
const { execFileSync, spawn } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const [runDir, servicesDir, ...daemon] = process.argv.slice(1);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', '/run']);
mkdirSync('/run/avahi-daemon');
if (runDir) execFileSync('mount', ['--bind', runDir, '/run/avahi-daemon']);
execFileSync('mount', ['--bind', servicesDir, '/etc/avahi/services']);
const child = spawn(daemon[0], daemon.slice(1), { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
`;

async function waitFor(what: string, check: () => boolean, timeoutMs: number, explain: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new AvahiLabError(`${what} within ${timeoutMs} ms. ${explain()}`.trim());
    await sleep(25);
  }
}

/** avahi_escape_label(): `\.` `\\` and `\DDD` (decimal byte) for everything but letters, digits, '-' and '_'. */
export function unescapeAvahiLabel(escaped: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const char = escaped[i]!;
    if (char === '\\' && /^\d{3}$/.test(escaped.slice(i + 1, i + 4))) {
      bytes.push(Number(escaped.slice(i + 1, i + 4)));
      i += 3;
    } else {
      const literal = char === '\\' ? escaped[++i] ?? '' : char;
      bytes.push(...Buffer.from(literal, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Parses `avahi-browse -p` output. TXT strings are printed raw as `"k=v" "k=v"` (avahi_string_list_to_string, no escaping), so a value holding `" "` is ambiguous. */
export function parseAvahiBrowse(output: string): AvahiBrowseRow[] {
  const rows: AvahiBrowseRow[] = [];
  for (const line of output.split('\n')) {
    const fields = line.split(';');
    const event = fields[0];
    if ((event !== '+' && event !== '-' && event !== '=') || fields.length < 6) continue;
    const [, interfaceName = '', protocol = '', name = '', type = '', domain = ''] = fields;
    const row: AvahiBrowseRow = { event, interfaceName, protocol, name: unescapeAvahiLabel(name), type, domain };
    if (event === '=') {
      row.host = fields[6];
      row.address = fields[7];
      row.port = Number(fields[8]);
      // The TXT field is last and may itself contain ';'. Strings are joined by `" "`: split there, not at every '"'.
      const txt = fields.slice(9).join(';');
      row.txt = txt.length >= 2 ? txt.slice(1, -1).split('" "') : [];
    }
    rows.push(row);
  }
  return rows;
}

export async function startAvahi(lab: Lab, host: LabHost, options: AvahiOptions): Promise<AvahiInstance> {
  const { workDir, hostName } = options;
  const servicesDir = options.servicesDir ?? join(workDir, 'services');
  for (const dir of [workDir, servicesDir, options.runDir]) if (dir) mkdirSync(dir, { recursive: true });
  const socketPath = join(workDir, 'dbus.sock');
  writeFileSync(join(workDir, 'dbus.conf'), dbusConfig(socketPath));
  writeFileSync(join(workDir, 'avahi-daemon.conf'), avahiConfig(hostName));
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${socketPath}` };

  const dbus = lab.spawn(host, ['dbus-daemon', `--config-file=${join(workDir, 'dbus.conf')}`, '--nofork', '--nopidfile']);
  await waitFor('the private dbus-daemon did not create its socket', () => existsSync(socketPath), 5000, () => dbus.output());

  // Foreground (no -D) so the PID stays ours; logs go to stderr. --no-rlimits: the lab's hard fd limit is
  // lower than what avahi asks for (lab report §4, "Failed to set fd limit").
  const daemon = lab.spawn(host, [
    'unshare', '-m', '--propagation', 'private', process.execPath, '-e', AVAHI_LAUNCHER,
    options.runDir ?? '', servicesDir,
    'avahi-daemon', '--no-drop-root', '--no-chroot', '--no-rlimits', '-f', join(workDir, 'avahi-daemon.conf'),
  ], { env });
  // "Server startup complete" comes after avahi has probed its own host name (RFC 6762 §8).
  await waitFor('avahi-daemon did not finish starting', () => daemon.output().includes('Server startup complete'),
    10_000, () => daemon.output());

  return {
    env, daemon, dbus,
    async browse(timeoutMs = 10_000) {
      const result = await lab.run(host, ['avahi-browse', '-a', '-r', '-p', '-t', '-k'], { env, timeoutMs });
      if (result.code !== 0) throw new AvahiLabError(`avahi-browse failed (exit ${result.code}): ${result.stderr}`);
      return parseAvahiBrowse(result.stdout);
    },
    publish(name, type, port, txt = []) {
      return lab.spawn(host, ['avahi-publish-service', name, type, String(port), ...txt], { env });
    },
  };
}
