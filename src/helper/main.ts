// cloudy-helper: the root process; nothing else runs as root. Started by systemd (cloudy-helper.service, next to
// cloudyd.service) or by `cloudy start` (bin/cloudy's keeper loop), in which case it runs cloudyd too (--with-cloudyd).
// This entry checks the options and the system and starts cloudyd; helper-service.ts is the rest, loaded after.
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { mapStackTracesLazily } from '../shared/lazy-source-maps.ts';
import { CLOUDY_ACCOUNT, nodeLayout } from '../shared/node-layout.ts';
import { parseStartArgs, StartOptionError, type StartOptions } from '../shared/start-options.ts';
import { CloudydKeeper, otherLiveNode, readNodeState } from './cloudyd-keeper.ts';
import { letDaemonsReachRoot } from './root-traversal.ts';
import { LocalSystemDoor } from './system-door.ts';

mapStackTracesLazily(import.meta.url);

function helperAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    // No file, or a file nobody listens on (left by a helper that was killed): no helper.
    socket.once('error', () => resolve(false));
  });
}

/** Exit codes bin/cloudy's keeper loop does not restart on (sysexits.h): restarting would not help. */
const EXIT_USAGE = 64;
const EXIT_NOPERM = 77;
const EXIT_CONFIG = 78;

let options: StartOptions;
let withCloudyd: boolean;
let supervisorKind: string;
try {
  const parsed = parseStartArgs(process.argv.slice(2), { 'with-cloudyd': { type: 'boolean' }, supervisor: { type: 'string' } });
  options = parsed.options;
  withCloudyd = parsed.extra['with-cloudyd'] === true;
  // systemd runs the daemons when it is PID 1 (sd_booted's test) and this node owns the machine's root.
  supervisorKind = String(parsed.extra.supervisor ?? (existsSync('/run/systemd/system') && parsed.options.root === '/' ? 'systemd' : 'embedded'));
  if (!['embedded', 'systemd'].includes(supervisorKind)) throw new StartOptionError(`--supervisor: "${supervisorKind}" is not embedded or systemd`);
} catch (error) {
  if (!(error instanceof StartOptionError)) throw error;
  console.error(`cloudy: ${error.message}`);
  process.exit(EXIT_USAGE);
}
const layout = nodeLayout(options.root);

if (process.getuid?.() !== 0) {
  console.error('cloudy start must run as root: the helper is the only part of Cloudy that changes the system, and cloudyd drops to user cloudy.');
  process.exit(EXIT_NOPERM);
}

// `cloudy start` records itself in node.json; a second one for the same root stops here, before touching anything.
const stateFile = path.join(layout.runDir, 'node.json');
const keeperPid = Number(process.env.CLOUDY_KEEPER_PID) || process.pid;
if (withCloudyd) {
  const running = otherLiveNode(readNodeState(stateFile), keeperPid);
  if (running) {
    console.error(`cloudy: a Cloudy node already runs under ${layout.root} (pid ${running}); stop it first.`);
    process.exit(EXIT_CONFIG);
  }
  // A helper that answers on the socket was not started by `cloudy start` (node.json knows those): systemd's.
  if (await helperAnswers(layout.helperSocket)) {
    console.error(`cloudy: a Cloudy node already runs under ${layout.root} (its helper answers on ${layout.helperSocket}; installed from the package, it is the cloudy-helper and cloudyd services: systemctl status cloudyd).`);
    process.exit(EXIT_CONFIG);
  }
}

// Explicit 0755 on every level: daemons running as their own users must traverse the root dir.
for (const dir of [layout.etcDir, layout.runDir]) mkdirSync(dir, { recursive: true, mode: 0o755 });
mkdirSync(path.dirname(layout.logDir), { recursive: true, mode: 0o755 });
mkdirSync(layout.logDir, { recursive: true, mode: 0o750 });
for (const dir of letDaemonsReachRoot(layout.root)) console.log(`cloudy-helper: ${dir} now lets others pass through (o+x): module daemons run as their own users below ${layout.root}`);

// Only the user lookup here: the door with the declared paths is the service's (helper-service.ts).
const account = await new LocalSystemDoor([]).ensureSystemUser(CLOUDY_ACCOUNT, layout.dataDir);
mkdirSync(path.dirname(layout.dataDir), { recursive: true, mode: 0o755 });
mkdirSync(layout.dataDir, { recursive: true, mode: 0o750 });
chownSync(layout.dataDir, account.uid, account.gid);

const cloudyd = withCloudyd ? new CloudydKeeper(options, stateFile, keeperPid, account) : null;
if (cloudyd) {
  const orphan = cloudyd.reapOrphan();
  if (orphan) console.log(`cloudy-helper: stopped the cloudyd a previous helper left running (pid ${orphan})`);
  // Before the helper loads its actions, modules and schemas: cloudyd loads its own code meanwhile (the longer part
  // of a cold start) and waits for the socket.
  cloudyd.start();
  // Until the service below takes over the signals, a stop must not leave cloudyd running without us.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void cloudyd.stop().then(() => process.exit(0)));
}

const { serveHelper } = await import('./helper-service.ts');
await serveHelper({ layout, account, supervisorKind, cloudyd });
