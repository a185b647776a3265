// Proxy3 beyond the generic lifecycle: squid.conf from settings and users, reloads in place, the PAC file, federation
// in the published record, and other community proxies taken as upstreams from Search.
import type { CollectionItem, DiscoveredService, ModuleDefinition, ModuleRuntime } from '../../kit/module-hooks.ts';
import type { LocalizedText } from '../../kit/manifest.ts';
import type { DiagnosticCheck } from '../../shared/api-contract.ts';
import { proxy3Manifest } from './manifest.ts';
import { pacFile } from './pac-file.ts';
import { isSquidAnswer, probeProxy } from './proxy-probe.ts';
import { checkCidr, Proxy3ValueError } from './proxy3-values.ts';
import { proxy3Translations as words } from './translations.ts';

const USE_AS_UPSTREAM = 'use-as-upstream';
const APT_UPSTREAM = 'apt-upstream';

/** `host:port` as the parents setting writes it. */
const parentOf = (entry: string) => {
  const at = entry.lastIndexOf(':');
  return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
};

const usersOf = (items: CollectionItem[] = []) => items.filter((item) => item.passwordHash !== null).map((item) => ({ name: item.key, passwordHash: item.passwordHash! }));

async function writeConfig(runtime: ModuleRuntime): Promise<{ changed: boolean; passwordsChanged: boolean }> {
  const { config } = runtime;
  const pick = (keys: string[]) => Object.fromEntries(keys.map((key) => [key, config[key]]));
  return runtime.callPrivileged<{ changed: boolean; passwordsChanged: boolean }>('proxy3.writeConfig', {
    settings: pick(['port', 'authentication', 'cacheMemMiB', 'cacheDiskMiB', 'errorLanguage', 'proxyId', 'federation', 'ldapServer', 'ldapBackupServer', 'ldapUsersDn', 'ldapProxiesDn', 'ldapBindDn']),
    // squid finds forwarding loops by its name in Via: each node's must differ.
    visibleHostname: await runtime.nodeName(),
    clientSubnets: config.clientSubnets,
    blockedDestinations: config.blockedDestinations,
    federatedProxies: config.federatedProxies,
    parents: (config.parents as string[]).map(parentOf),
    users: usersOf(runtime.collections.users),
    ldapBindPassword: config.ldapBindPassword,
  });
}

/** What the schema cannot see: a network's address and host bits, LDAP login without a server. */
function checkConfig(config: Record<string, unknown>): Record<string, LocalizedText> {
  const refused: Record<string, LocalizedText> = {};
  for (const field of ['clientSubnets', 'blockedDestinations']) {
    for (const cidr of config[field] as string[]) {
      try {
        checkCidr(field, cidr);
      } catch (error) {
        if (!(error instanceof Proxy3ValueError)) throw error;
        refused[field] ??= words.text('check.network', { cidr });
      }
    }
  }
  if (config.authentication === 'ldap' && config.ldapServer === '') refused.ldapServer = words.text('check.ldapServerNeeded');
  for (const parent of config.parents as string[]) {
    const { port } = parentOf(parent);
    if (!(port >= 1 && port <= 65535)) refused.parents ??= words.text('check.parentPort', { parent });
  }
  return refused;
}

async function diagnose(runtime: ModuleRuntime): Promise<DiagnosticCheck[]> {
  const [parses, answers] = proxy3Manifest.diagnostics;
  const port = Number(runtime.config.port);
  const parsed = await runtime.callPrivileged<{ accepted: boolean; message: string }>('proxy3.checkConfig');
  const answer = await probeProxy('127.0.0.1', port).catch(() => null);
  return [
    { checkId: parses!.checkId, description: parses!.description, result: parsed.accepted ? 'passed' : 'failed', parameters: { message: parsed.message } },
    {
      checkId: answers!.checkId,
      description: answers!.description,
      result: answer !== null && isSquidAnswer(answer) ? 'passed' : 'failed',
      parameters: { port: String(port), status: String(answer?.status ?? 'none') },
    },
  ];
}

/** The PAC file: this proxy (as the client reached the node), then going direct; the members' own networks direct. */
function pac(runtime: ModuleRuntime, host: string): string {
  const proxyHost = host.startsWith('[') ? null : host;
  if (proxyHost === null) return '// This node was reached by an IPv6 address: configure the proxy by hand.\nfunction FindProxyForURL(url, host) { return "DIRECT"; }\n';
  const ipv4Networks = (runtime.config.clientSubnets as string[]).filter((cidr) => !cidr.includes(':'));
  return pacFile({ proxies: [{ host: proxyHost, port: Number(runtime.config.port) }], directNetworks: ipv4Networks, directDomains: [], fallbackDirect: true });
}

const parentsOf = (runtime: ModuleRuntime) => runtime.config.parents as string[];
const entryOf = (record: DiscoveredService) => `${record.address}:${record.port}`;

export const proxy3Module: ModuleDefinition = {
  manifest: proxy3Manifest,
  translations: words,
  hooks: {
    checkConfig,
    async setup(runtime) {
      await runtime.callPrivileged('proxy3.prepareHome');
    },
    async beforeStart(runtime) {
      await writeConfig(runtime);
      // squid -z creates the disk cache's directories once; it needs the config written just before.
      await runtime.callPrivileged('proxy3.initCache', { cacheDiskMiB: runtime.config.cacheDiskMiB });
    },
    async applyConfig(runtime, previous) {
      // The port is where squid listens, and a new disk cache needs squid -z while squid is stopped.
      if (previous && (previous.port !== runtime.config.port || previous.cacheDiskMiB !== runtime.config.cacheDiskMiB)) return 'restart';
      const { changed, passwordsChanged } = await writeConfig(runtime);
      // A reload also restarts the login helpers, which then read the new passwords (see proxy3.writeConfig).
      if ((changed || passwordsChanged) && previous) await runtime.callPrivileged('proxy3.reload');
      runtime.log(changed || passwordsChanged ? `${changed ? 'squid.conf' : 'the password file'} rewritten and squid reloaded` : 'nothing changed');
      return 'applied';
    },
    async details(runtime) {
      const users = runtime.collections.users ?? [];
      return [
        { label: words.text('detail.pac'), value: `http://<node>:${runtime.nodePorts.http}/proxy.pac` },
        { label: words.text('detail.users'), value: String(users.length) },
        { label: words.text('detail.parents'), value: parentsOf(runtime).join(', ') || '—' },
      ];
    },
    diagnose,
    async publishedTxt(runtime): Promise<Record<string, string>> {
      // The 2015 record's key: a federated proxy accepts other proxies' users, or lends its own.
      return { Federated: runtime.config.federation === 'private' ? 'No' : 'Yes', pacPort: String(runtime.nodePorts.http) };
    },
    async publicFile(runtime, _path, request) {
      return pac(runtime, request.host);
    },
    async consumeStates(runtime, action, records) {
      const inUse = action === APT_UPSTREAM ? [(await runtime.callPrivileged<{ proxy: string }>('proxy3.aptProxy')).proxy] : parentsOf(runtime);
      return Object.fromEntries(records.map((record) => [record.key, inUse.includes(entryOf(record)) ? 'done' : 'available']));
    },
    async consume(runtime, action, record, mode) {
      if (action === APT_UPSTREAM) {
        const { proxy } = await runtime.callPrivileged<{ proxy: string }>('proxy3.aptProxy');
        // Undo only what this record set: another proxy chosen since stays.
        if (mode === 'do' || proxy === entryOf(record)) await runtime.callPrivileged('proxy3.setAptProxy', { proxy: mode === 'do' ? entryOf(record) : '' });
        return;
      }
      if (action !== USE_AS_UPSTREAM) throw new Error(`proxy3 has no action ${action}`);
      const parents = parentsOf(runtime).filter((entry) => entry !== entryOf(record));
      await runtime.saveConfig({ parents: mode === 'do' ? [...parents, entryOf(record)] : parents });
    },
  },
};
