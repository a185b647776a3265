// The supervisor on a machine whose PID 1 is systemd: each daemon is a unit, `cloudy-<module>-<daemon>.service`,
// generated from the same spec the embedded supervisor runs (argv, env, user, working dir) with systemd-run, and
// started, stopped, signalled and queried through systemctl; its logs come from the journal. The units outlive a
// restart of the helper, so there are no orphans to reap (docs/decisions.md AH).
import type { ProgramResult, RunOptions } from '../kit/privileged-action.ts';
import { acceptsConnections } from '../kit/tcp-probe.ts';
import type { DaemonState } from '../shared/api-contract.ts';
import type { DaemonStatus, SupervisedDaemon, Supervisor, SupervisorLogLine } from './supervisor.ts';

type Run = (program: string, args: string[], options?: RunOptions) => Promise<ProgramResult>;

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_SEC = 10;
/** As the embedded supervisor: give up after 8 failed starts within a few minutes. */
const START_LIMIT = ['-p', 'StartLimitIntervalSec=300', '-p', 'StartLimitBurst=8'];
const SHOWN = ['LoadState', 'ActiveState', 'SubState', 'MainPID', 'NRestarts', 'ExecMainCode', 'ExecMainStatus'] as const;

/** `syncthing.syncthing` → `cloudy-syncthing-syncthing.service` (ids are lower-case letters, digits, `-`, `.`, `_`). */
export function unitName(id: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,80}$/.test(id)) throw new Error(`"${id}" cannot name a unit`);
  return `cloudy-${id.replaceAll('.', '-')}.service`;
}

/** The systemd-run argv that makes `spec` a unit: the same program, user, environment and restart policy. */
export function systemdRunArgs(spec: SupervisedDaemon): string[] {
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...spec.env };
  return [
    `--unit=${unitName(spec.id)}`,
    `--description=Cloudy daemon ${spec.id}`,
    `--uid=${spec.uid}`,
    `--gid=${spec.gid}`,
    ...(spec.cwd ? [`--working-directory=${spec.cwd}`] : []),
    ...Object.entries(env).map(([key, value]) => `--setenv=${key}=${value}`),
    ...['-p', 'Restart=on-failure', '-p', 'RestartSec=1', ...START_LIMIT, '-p', `TimeoutStopSec=${STOP_TIMEOUT_SEC}`],
    `-p`,
    `SyslogIdentifier=cloudy-${spec.id}`,
    ...(spec.capabilities ?? []).flatMap((name) => ['-p', `AmbientCapabilities=CAP_${name.toUpperCase()}`]),
    '--',
    ...spec.argv,
  ];
}

/** `systemctl show` output (KEY=value lines) as a status; a unit systemd does not know is stopped. */
export function parseShow(id: string, text: string): DaemonStatus {
  const fields = Object.fromEntries(text.split('\n').flatMap((line) => (line.includes('=') ? [[line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]] : [])));
  const pid = Number(fields.MainPID) || null;
  const restarts = Number(fields.NRestarts) || 0;
  const lastExit = fields.ExecMainCode === '1' ? `exit code ${fields.ExecMainStatus}` : fields.ExecMainCode === '2' ? `signal ${fields.ExecMainStatus}` : null;
  let state: DaemonState = 'stopped';
  if (fields.LoadState !== 'not-found') {
    if (fields.ActiveState === 'active' || fields.ActiveState === 'reloading') state = 'running';
    else if (fields.ActiveState === 'activating') state = fields.SubState === 'auto-restart' ? 'backoff' : 'starting';
    else if (fields.ActiveState === 'failed') state = 'failed';
  }
  return { id, state, pid, restarts, lastExit };
}

/** `journalctl -o json` lines as log lines; MESSAGE may be an array of bytes when it is not valid UTF-8. */
export function parseJournal(text: string): SupervisorLogLine[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      const message = Array.isArray(entry.MESSAGE) ? Buffer.from(entry.MESSAGE as number[]).toString('utf8') : String(entry.MESSAGE ?? '');
      const micros = Number(entry.__REALTIME_TIMESTAMP ?? 0);
      // Lines systemd itself logged about the unit (started, exited, restarting) carry its PID 1.
      const source = entry._PID === '1' ? 'supervisor' : entry._TRANSPORT === 'stdout' ? 'stdout' : 'journal';
      return { time: new Date(micros / 1000).toISOString(), source, text: message.slice(0, 2000) };
    });
}

export class SystemdSupervisor implements Supervisor {
  constructor(
    private readonly run: Run,
    private readonly readyTimeoutMs = READY_TIMEOUT_MS,
  ) {}

  async start(spec: SupervisedDaemon): Promise<DaemonStatus> {
    const current = await this.status(spec.id);
    if (current.state === 'running' || current.state === 'starting') return current;
    // A unit that failed (or was stopped) is still loaded under its name; systemd-run needs the name free.
    await this.systemctl(['stop', unitName(spec.id)]);
    await this.systemctl(['reset-failed', unitName(spec.id)]);
    const started = await this.run('systemd-run', systemdRunArgs(spec));
    if (started.code !== 0) throw new Error(`systemd-run ${unitName(spec.id)}: ${started.stderr.trim()}`);
    return this.waitUntilReady(spec);
  }

  async stop(id: string): Promise<void> {
    await this.systemctl(['stop', unitName(id)]);
    await this.systemctl(['reset-failed', unitName(id)]);
  }

  async signal(id: string, signal: NodeJS.Signals): Promise<boolean> {
    const { code } = await this.systemctl(['kill', '--kill-whom=main', `--signal=${signal}`, unitName(id)]);
    return code === 0;
  }

  async status(id: string): Promise<DaemonStatus> {
    const { stdout } = await this.systemctl(['show', unitName(id), ...SHOWN.map((property) => `--property=${property}`)]);
    return parseShow(id, stdout);
  }

  async logs(id: string, limit: number): Promise<SupervisorLogLine[]> {
    const { stdout } = await this.run('journalctl', ['--unit', unitName(id), '--lines', String(limit), '--output', 'json', '--no-pager', '--quiet']);
    return parseJournal(stdout);
  }

  /** The units outlive the helper on purpose: a helper restart (an upgrade) does not stop the node's services. */
  async stopAll(): Promise<void> {}

  private systemctl(args: string[]): Promise<ProgramResult> {
    return this.run('systemctl', ['--no-ask-password', ...args]);
  }

  private async waitUntilReady(spec: SupervisedDaemon): Promise<DaemonStatus> {
    const deadline = Date.now() + this.readyTimeoutMs;
    for (;;) {
      const status = await this.status(spec.id);
      const probe = spec.readyWhenListening;
      if (status.state === 'running' && (!probe || (await acceptsConnections(probe.host, probe.port)))) return status;
      if (status.state === 'failed' || status.state === 'stopped') return status;
      if (Date.now() > deadline) {
        // Half-started is worse than stopped, as in the embedded supervisor.
        await this.stop(spec.id);
        return { ...status, state: 'failed' };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
