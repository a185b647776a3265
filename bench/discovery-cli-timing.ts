// Times `cloudy search` end to end and the process starts it is made of: bare node, the tsx loader, serf's own CLI.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';

import { repoDir } from '../test/support/cloudy-node.ts';
import { timeProcess } from './discovery-measure.ts';

export const CLI_RUNS = 5;

export interface CliCommand {
  label: string;
  /** argv of one `cloudy` run, up to (not including) its own arguments. */
  prefix(root: string): string[];
}

export interface TimedCommand {
  label: string;
  argv: string[];
}

/** The CLI as it ships today: TypeScript compiled on the fly by the tsx loader. */
export const tsxCli: CliCommand = {
  label: 'tsx',
  prefix: (root) => [process.execPath, '--import', 'tsx', 'src/cli/cloudy.ts', '--root', root],
};

/**
 * The same CLI bundled to one plain .mjs with esbuild (tsx's own dependency), in the bench's temp dir: what a build
 * step would ship. null when esbuild is not installed. node_modules is linked beside it for the packages it resolves.
 */
export async function bundledCli(workDir: string): Promise<CliCommand | null> {
  const esbuild = path.join(repoDir, 'node_modules/.bin/esbuild');
  if (!existsSync(esbuild)) return null;
  const dir = path.join(workDir, 'cli-bundle');
  mkdirSync(dir, { recursive: true });
  symlinkSync(path.join(repoDir, 'node_modules'), path.join(dir, 'node_modules'));
  const outfile = path.join(dir, 'cloudy.mjs');
  const argv = [esbuild, 'src/cli/cloudy.ts', '--bundle', '--platform=node', '--format=esm', '--packages=external', `--outfile=${outfile}`, '--log-level=error'];
  const code = await new Promise<number | null>((resolve) => spawn(argv[0]!, argv.slice(1), { cwd: repoDir, stdio: 'ignore' }).once('close', resolve));
  return code === 0 ? { label: 'bundled', prefix: (root) => [process.execPath, outfile, '--root', root] } : null;
}

/** `serf members` against the node's own agent, with the RPC address and secret its helper wrote (root only). */
export function serfMembersCommand(root: string): TimedCommand {
  const config = JSON.parse(readFileSync(path.join(root, 'var/lib/cloudy-serf/agent.json'), 'utf8')) as { rpc_addr: string; rpc_auth: string };
  return { label: 'serf members', argv: ['serf', 'members', `-rpc-addr=${config.rpc_addr}`, `-rpc-auth=${config.rpc_auth}`] };
}

/** What a CLI run is made of: Node itself, Node with the tsx loader, and the CLI loaded without a request. */
export function startUpCommands(root: string): TimedCommand[] {
  return [
    { label: 'node start', argv: [process.execPath, '-e', ''] },
    { label: 'tsx start', argv: [process.execPath, '--import', 'tsx', '-e', ''] },
    { label: 'cloudy --help', argv: [...tsxCli.prefix(root), '--help'] },
  ];
}

/** Each command once per round, `runs` rounds: machine noise spreads over all of them instead of hitting one. */
export async function timeRoundRobin(commands: TimedCommand[], runs = CLI_RUNS): Promise<Map<string, number[]>> {
  const samples = new Map(commands.map((command) => [command.label, [] as number[]]));
  for (let run = 0; run < runs; run++) {
    for (const command of commands) samples.get(command.label)!.push((await timeProcess(command.argv, { cwd: repoDir })).ms);
  }
  return samples;
}
