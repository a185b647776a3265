// The `cloudy` command: show a node's status, manage modules, discovery and the VPN; --json for scripts.
// `cloudy start` never gets here: bin/cloudy runs the helper for it, in a keeper loop (docs/architecture.md).
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { DiagnosticCheck, ModuleDetail, ModuleSummary, NodeInfo } from '../shared/api-contract.ts';
import { collectionCommand } from './collection-commands.ts';
import { readPassword } from './password-input.ts';
import { discoveryCommand, publishCommand, searchCommand, unpublishCommand } from './discovery-commands.ts';
import { followOperation } from './operation-follow.ts';
import { metricsCommand } from './metrics-commands.ts';
import { vpnCommand, vpnServerCommand } from './vpn-commands.ts';
import { PanelClient, PanelRequestError } from './panel-client.ts';
import { mapStackTracesLazily } from '../shared/lazy-source-maps.ts';

mapStackTracesLazily(import.meta.url);

const USAGE = `usage: cloudy [--root DIR] [--json] COMMAND
  start [--listen ADDR] [--http-port 7000] [--https-port 7443]   run the node (as root)
        [--community-address ADDR] [--serf-port 7946] [--serf-rpc-port 7373]
  status                                                         node facts and module states
  module list
  module show ID
  module install|start|stop|uninstall ID                         follows the operation's progress
  module configure ID KEY=VALUE...
  module diagnose ID                                             every check and its result
  publish DESCRIPTION TYPE PORT [KEY=VALUE...]                   publish a service by hand
  unpublish TYPE PORT
  search [TYPE] [--all] [--limit N]                              services of the whole community
  discovery status|settings                                      members, backends, agent state
  discovery configure KEY=VALUE...                               e.g. joinAddresses=10.1.2.3,10.1.2.4
  metrics history [SERIES...] [--range 1h|6h|24h|7d|30d|365d]    cpu, load1, memory, disk, net:DEV:rx|tx
  metrics token create NAME | token list | token revoke ID      tokens Prometheus scrapes /metrics with
  vpn-server network create NAME --subnet CIDR [--mode router|switch]
  vpn-server network list
  vpn-server token create NETWORK [--uses N] [--expires 1h]      prints the token and the URL members join with
  vpn-server token list|revoke NETWORK [TOKEN-ID]
  vpn-server members NETWORK
  vpn-server revoke NETWORK MEMBER
  vpn-server audit NETWORK
  vpn-server legacy NETWORK on|off                               2015 getinconf-client enrolment
  vpn join URL TOKEN                                             waits until the first peer answers
  vpn status
  vpn logs                                                       tincd's recent lines
  vpn leave
  MODULE NOUN list|add|set|remove|passwd ...                     a module's lists, e.g. cloudy webdav share add photos
                                                                 (passwords from standard input or a prompt)`;

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    root: { type: 'string', default: process.env.CLOUDY_ROOT ?? '/' },
    json: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
    limit: { type: 'string' },
    subnet: { type: 'string' },
    mode: { type: 'string' },
    uses: { type: 'string' },
    expires: { type: 'string' },
    range: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const root = path.resolve(flags.root!);

function print(human: string, data: unknown): void {
  console.log(flags.json ? JSON.stringify(data, null, 2) : human);
}

function describeModule(module: ModuleSummary): string {
  const state = module.state.running ? 'running' : module.state.installed ? 'installed, stopped' : 'not installed';
  return `${module.id.padEnd(14)} ${state.padEnd(20)} ${module.title}`;
}

async function runOperation(client: PanelClient, moduleId: string, verb: string): Promise<void> {
  await followOperation(client, { path: `/api/modules/${moduleId}/${verb}` }, verb, { json: flags.json!, print });
}

async function moduleCommand(client: PanelClient, [verb, id, ...rest]: string[]): Promise<void> {
  if (verb === 'list') {
    const modules = await client.request<ModuleSummary[]>('GET', '/api/modules');
    return print(modules.map(describeModule).join('\n'), modules);
  }
  if (!id) throw new Error(`module ${verb ?? ''}: which module?\n${USAGE}`);
  if (verb === 'show') {
    const detail = await client.request<ModuleDetail>('GET', `/api/modules/${id}`);
    const lines = [describeModule(detail), ...Object.entries(detail.config).map(([key, value]) => `  ${key} = ${value}`), ...detail.details.map((line) => `  ${line.label}: ${line.value}`)];
    return print(lines.join('\n'), detail);
  }
  if (verb === 'configure') {
    const values: Record<string, string> = Object.fromEntries(
      rest.map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) throw new Error(`"${pair}" is not KEY=VALUE`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    );
    // A write-only setting (a password) never comes from argv, which every local user can read: KEY=- reads it.
    const { configSchema } = await client.request<ModuleDetail>('GET', `/api/modules/${id}`);
    const properties = (configSchema as { properties?: Record<string, { writeOnly?: boolean }> }).properties ?? {};
    for (const [key, value] of Object.entries(values)) {
      if (properties[key]?.writeOnly !== true) continue;
      if (value !== '-') throw new Error(`${key} is a password: write ${key}=- and give it on standard input or at the prompt`);
      values[key] = await readPassword(`${key}: `);
    }
    const detail = await client.request<ModuleDetail>('PUT', `/api/modules/${id}/config`, { values });
    return print(`${id}: settings saved${detail.state.configApplied ? ' and applied' : ''}`, detail);
  }
  if (verb === 'diagnose') {
    const checks = await client.request<DiagnosticCheck[]>('GET', `/api/modules/${id}/diagnostics`);
    const described = (check: DiagnosticCheck) => check.description.replace(/\{(\w+)\}/g, (placeholder, name: string) => check.parameters[name] ?? placeholder);
    print(checks.map((check) => `${check.result.padEnd(12)} ${described(check)}`).join('\n'), checks);
    // Like a test runner: a script can tell from the exit status whether everything passed.
    if (checks.some((check) => check.result !== 'passed')) process.exitCode = 3;
    return;
  }
  if (['install', 'start', 'stop', 'uninstall'].includes(verb!)) return runOperation(client, id, verb!);
  throw new Error(`unknown module command "${verb}"\n${USAGE}`);
}

async function main(): Promise<void> {
  const [command, ...rest] = positionals;
  if (flags.help || !command) return console.log(USAGE);
  if (command === 'start') throw new Error('cloudy start is run by the cloudy command (bin/cloudy, or npx cloudy start), which keeps the helper running');
  const client = new PanelClient(root);
  if (command === 'status') {
    const [node, modules] = await Promise.all([client.request<NodeInfo>('GET', '/api/node'), client.request<ModuleSummary[]>('GET', '/api/modules')]);
    const human = [`${node.hostname} — Cloudy ${node.version}, up ${Math.round(node.uptimeSeconds / 60)} min`, ...modules.map(describeModule)].join('\n');
    return print(human, { node, modules });
  }
  if (command === 'module') return moduleCommand(client, rest);
  if (command === 'publish') return publishCommand(client, rest, print);
  if (command === 'unpublish') return unpublishCommand(client, rest, print);
  if (command === 'search') return searchCommand(client, rest, { all: flags.all!, limit: flags.limit }, print);
  if (command === 'discovery') return discoveryCommand(client, rest, print);
  if (command === 'vpn-server') return vpnServerCommand(client, rest, { subnet: flags.subnet, mode: flags.mode, uses: flags.uses, expires: flags.expires }, print);
  if (command === 'vpn') return vpnCommand(client, rest, { json: flags.json!, print });
  if (command === 'metrics') return metricsCommand(client, rest, { range: flags.range }, print);
  if (/^[a-z][a-z0-9-]{1,31}$/.test(command) && (await collectionCommand(client, command, rest, print))) return;
  throw new Error(`unknown command "${command}"\n${USAGE}`);
}

main().catch((error: Error) => {
  const fields = error instanceof PanelRequestError && error.fields ? Object.entries(error.fields).map(([key, message]) => `\n  ${key}: ${message}`).join('') : '';
  console.error(`cloudy: ${error.message}${fields}`);
  process.exit(1);
});
