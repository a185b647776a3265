// Baselines for the VPN bench: pairs of plain tincd (as the lab report's netlab.sh runs them), one pair per setting
// compared, each pair in its own two lab hosts. The files are written here directly, for this comparison only.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import { TINC_CIPHER, TINC_COMPRESSION, TINC_DIGEST } from '../src/helper/actions/tinc-files.ts';
import type { Lab, LabHost, LabProcess } from '../test/support/netns-lab.ts';
import { firstPing } from './vpn-measure.ts';

const execFileAsync = promisify(execFile);
const TINC_PORT = 655;
/** The plain pairs' overlay: the same in every pair, since each pair has its own namespaces. */
const OVERLAY_PREFIX = '10.98.0';

export interface PlainSetting {
  label: string;
  compression: number;
  cipher?: string;
  digest?: string;
}

/** The tinc defaults, LZO on top of them, Cloudy's choice, and no encryption as the ceiling (not an option). */
export const PLAIN_SETTINGS: PlainSetting[] = [
  { label: `${TINC_CIPHER} / ${TINC_DIGEST}, Compression ${TINC_COMPRESSION} (Cloudy's)`, compression: TINC_COMPRESSION, cipher: TINC_CIPHER, digest: TINC_DIGEST },
  { label: 'tinc defaults: blowfish-cbc / sha1, Compression 0', compression: 0 },
  { label: 'tinc defaults + LZO (Compression 10)', compression: 10 },
  { label: 'none / none (no encryption; ceiling, not an option)', compression: 0, cipher: 'none', digest: 'none' },
];

export interface PlainPair {
  setting: PlainSetting;
  client: LabHost;
  server: LabHost;
  /** The server end's overlay address. */
  serverOverlay: string;
  tincd: LabProcess[];
  /** From starting both tincd to the first ping answered over their overlay. */
  firstPingMs: number;
}

function settingLines(setting: PlainSetting): string[] {
  return [`Compression = ${setting.compression}`, ...(setting.cipher ? [`Cipher = ${setting.cipher}`] : []), ...(setting.digest ? [`Digest = ${setting.digest}`] : [])];
}

/** tinc.conf, hosts/<self>, tinc-up and tinc-down of one end, then its key pair (`tincd -K` appends the public key to hosts/<self>). */
async function writeEnd(dir: string, name: string, peer: string, host: LabHost, overlay: string, setting: PlainSetting): Promise<void> {
  await mkdir(path.join(dir, 'hosts'), { recursive: true });
  const conf = [`Name = ${name}`, 'Mode = router', 'Interface = tinc0', 'AddressFamily = ipv4', `BindToAddress = ${host.address}`, `ConnectTo = ${peer}`, 'PingTimeout = 5', ...settingLines(setting)];
  await writeFile(path.join(dir, 'tinc.conf'), `${conf.join('\n')}\n`);
  await writeFile(path.join(dir, 'hosts', name), `${[`Address = ${host.address}`, `Port = ${TINC_PORT}`, `Subnet = ${overlay}/32`, ...settingLines(setting)].join('\n')}\n`);
  await writeFile(path.join(dir, 'tinc-up'), `#!/bin/sh\nip addr add ${overlay}/24 dev "$INTERFACE"\nip link set "$INTERFACE" up\n`);
  await writeFile(path.join(dir, 'tinc-down'), '#!/bin/sh\nip link set "$INTERFACE" down\n');
  await Promise.all([chmod(path.join(dir, 'tinc-up'), 0o755), chmod(path.join(dir, 'tinc-down'), 0o755)]);
  await execFileAsync('tincd', ['-c', dir, '-K', '2048'], { timeout: 60_000 });
}

/** Writes both ends of each pair (under workDir) and swaps their host files; nothing runs yet. */
export async function writePlainPairs(workDir: string, hostPairs: Array<[LabHost, LabHost]>): Promise<void> {
  await Promise.all(
    hostPairs.map(async ([a, b], index) => {
      const setting = PLAIN_SETTINGS[index]!;
      const [dirA, dirB] = [path.join(workDir, `pair${index}`, 'a'), path.join(workDir, `pair${index}`, 'b')];
      await Promise.all([writeEnd(dirA, 'a', 'b', a, `${OVERLAY_PREFIX}.1`, setting), writeEnd(dirB, 'b', 'a', b, `${OVERLAY_PREFIX}.2`, setting)]);
      await writeFile(path.join(dirA, 'hosts/b'), await readFile(path.join(dirB, 'hosts/b')));
      await writeFile(path.join(dirB, 'hosts/a'), await readFile(path.join(dirA, 'hosts/a')));
    }),
  );
}

/** Starts one pair's two tincd (foreground, so the PIDs are tincd's own) and times them to their first overlay ping. */
export async function startPlainPair(lab: Lab, workDir: string, index: number, [client, server]: [LabHost, LabHost]): Promise<PlainPair> {
  const start = (host: LabHost, end: string) => {
    const dir = path.join(workDir, `pair${index}`, end);
    return lab.spawn(host, ['tincd', '-c', dir, '-D', '-d1', `--pidfile=${path.join(dir, 'tinc.pid')}`]);
  };
  const serverOverlay = `${OVERLAY_PREFIX}.2`;
  const started = performance.now();
  const tincd = [start(client, 'a'), start(server, 'b')];
  const answered = await firstPing(lab, client, serverOverlay, 20_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${tincd.map((process) => process.output()).join('\n')}`);
  });
  return { setting: PLAIN_SETTINGS[index]!, client, server, serverOverlay, tincd, firstPingMs: answered - started };
}
