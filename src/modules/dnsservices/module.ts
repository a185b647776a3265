// DNSServices beyond the generic lifecycle: named.conf and the zones from settings and discovery, rewritten and
// reloaded in place when discovery changes, and the diagnostics that ask the running named.
import { Resolver } from 'node:dns/promises';

import type { LocalizedText } from '../../kit/manifest.ts';
import type { DiscoveredService, ModuleDefinition, ModuleRuntime } from '../../kit/module-hooks.ts';
import type { DiagnosticCheck } from '../../shared/api-contract.ts';
import { checkCidr, DnsValueError, zoneName } from './dns-values.ts';
import { dnsservicesManifest } from './manifest.ts';
import { dnsservicesTranslations as words } from './translations.ts';

/** As privileged.ts accepts them; discovery's own bounds are tighter. */
const MAX_SERVICES = 2000;
const MAX_TXT_KEYS = 32;

async function zoneOf(runtime: ModuleRuntime): Promise<string> {
  return zoneName(runtime.config.zone as string, (await runtime.discovered()).microcloud);
}

/** Discovery's records, bounded to what the root action accepts (never one oversized record failing the whole zone). */
function bounded(service: DiscoveredService) {
  const txt = Object.fromEntries(Object.entries(service.txt).slice(0, MAX_TXT_KEYS).map(([key, value]) => [key.slice(0, 64), value.slice(0, 300)]));
  return { type: service.type.slice(0, 80), description: service.description.slice(0, 300), node: service.node.slice(0, 300), address: service.address.slice(0, 64), port: service.port, txt };
}

async function writeConfig(runtime: ModuleRuntime): Promise<{ changed: boolean; serial: number }> {
  const { config } = runtime;
  const view = await runtime.discovered();
  return runtime.callPrivileged<{ changed: boolean; serial: number }>('dnsservices.writeConfig', {
    settings: { port: config.port, clientSubnets: config.clientSubnets, forwarders: config.forwarders },
    zone: zoneName(config.zone as string, view.microcloud),
    self: { node: (await runtime.nodeName()).slice(0, 300), address: view.communityAddress.slice(0, 64) },
    services: view.services.slice(0, MAX_SERVICES).map(bounded),
    nodes: view.nodes.slice(0, MAX_SERVICES).map(({ node, address }) => ({ node: node.slice(0, 300), address: address.slice(0, 64) })),
  });
}

/** Rewrites and, when something changed and named runs, reloads it in place. */
async function refresh(runtime: ModuleRuntime): Promise<void> {
  const { changed, serial } = await writeConfig(runtime);
  if (changed) await runtime.callPrivileged('dnsservices.reload');
  runtime.log(changed ? `zones rewritten (serial ${serial}) and named reloaded` : 'nothing changed');
}

function checkConfig(config: Record<string, unknown>): Record<string, LocalizedText> {
  const refused: Record<string, LocalizedText> = {};
  for (const cidr of config.clientSubnets as string[]) {
    try {
      checkCidr(cidr);
    } catch (error) {
      if (!(error instanceof DnsValueError)) throw error;
      refused.clientSubnets ??= words.text('check.network', { cidr });
    }
  }
  return refused;
}

/** The zone's SOA serial as named answers it on 127.0.0.1, or null. */
async function soaSerial(port: number, zone: string): Promise<number | null> {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver.resolveSoa(zone).then((soa) => soa.serial).catch(() => null);
}

async function diagnose(runtime: ModuleRuntime): Promise<DiagnosticCheck[]> {
  const [valid, answers] = dnsservicesManifest.diagnostics;
  const port = Number(runtime.config.port);
  const zone = await zoneOf(runtime);
  const checked = await runtime.callPrivileged<{ accepted: boolean; message: string }>('dnsservices.checkConfig');
  const serial = await soaSerial(port, zone);
  return [
    { checkId: valid!.checkId, description: valid!.description, result: checked.accepted ? 'passed' : 'failed', parameters: { message: checked.message } },
    { checkId: answers!.checkId, description: answers!.description, result: serial !== null ? 'passed' : 'failed', parameters: { zone, port: String(port), serial: String(serial ?? 'none') } },
  ];
}

export const dnsservicesModule: ModuleDefinition = {
  manifest: dnsservicesManifest,
  translations: words,
  hooks: {
    checkConfig,
    async setup(runtime) {
      await runtime.callPrivileged('dnsservices.prepareHome');
    },
    async beforeStart(runtime) {
      await writeConfig(runtime);
    },
    async applyConfig(runtime, previous) {
      // The port is in listen-on; named takes a new one at a reload too, but the supervisor's readiness probe does not.
      if (previous && previous.port !== runtime.config.port) return 'restart';
      if (previous) await refresh(runtime);
      return 'applied';
    },
    // Regenerated when discovery changes (cloudyd calls this once per burst of changes, never twice at once).
    discoveryChanged: refresh,
    async details(runtime) {
      const view = await runtime.discovered();
      return [
        { label: words.text('detail.zone'), value: zoneName(runtime.config.zone as string, view.microcloud) },
        { label: words.text('detail.services'), value: String(Math.min(view.services.length, MAX_SERVICES)) },
        { label: words.text('detail.forwarders'), value: (runtime.config.forwarders as string[]).join(', ') || '—' },
      ];
    },
    diagnose,
    async publishedTxt(runtime): Promise<Record<string, string>> {
      return { zone: await zoneOf(runtime) };
    },
  },
};
