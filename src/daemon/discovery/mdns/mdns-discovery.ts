// LAN discovery: our records out through the embedded responder (or avahi-daemon when it runs), everyone's in.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { BackendState } from '../../../shared/discovery-contract.ts';
import type { HelperClient } from '../../helper-client.ts';
import { isLoopback } from '../discovery-settings.ts';
import type { OwnService } from '../local-publications.ts';
import type { RecordCache } from '../record-cache.ts';
import { cleanRecord, recordKey } from '../service-record.ts';
import { type MdnsAdvert, MdnsBackend, type MdnsSighting } from './mdns-backend.ts';

export interface MdnsOptions {
  enabled: boolean;
  address: string;
  hostName: string;
  microcloud: string;
}

/** TXT keys that carry our own bookkeeping; not shown as the service's TXT. */
const NODE_TXT = 'cloudy-node';
const MICROCLOUD_TXT = 'cloudy-mc';
const AVAHI_CHECK_INTERVAL_MS = 30_000;
const INSTANCE_NAME_BYTES = 63;

/** avahi-daemon is running on this node: its pid file names a live avahi-daemon process. */
export function avahiRunning(root: string): boolean {
  try {
    const pid = Number(readFileSync(path.join(root, 'run/avahi-daemon/pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'avahi-daemon';
  } catch {
    return false;
  }
}

/** "<description> @ <node>", cut to the 63 bytes a DNS label allows (RFC 6763 §4.1.1) without splitting a character. */
export function instanceName(description: string, hostName: string): string {
  const suffix = ` @ ${hostName}`;
  let head = description;
  while (Buffer.byteLength(head + suffix) > INSTANCE_NAME_BYTES && head.length > 0) head = [...head].slice(0, -1).join('');
  return head ? head + suffix : hostName.slice(0, INSTANCE_NAME_BYTES);
}

export class MdnsDiscovery {
  state: BackendState = 'off';
  detail = 'not started';
  publisher: 'embedded' | 'avahi' | null = null;
  private backend: MdnsBackend | null = null;
  private options: MdnsOptions | null = null;
  private services: OwnService[] = [];
  private readonly seen = new Map<string, string>();
  private avahiTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { helper: HelperClient; cache: RecordCache; root: string; selfNodeId: string; log(line: string): void; onChange(): void },
  ) {}

  async apply(options: MdnsOptions): Promise<void> {
    const publisher = avahiRunning(this.deps.root) ? 'avahi' : 'embedded';
    const same = this.options && JSON.stringify(this.options) === JSON.stringify(options) && publisher === this.publisher;
    if (same && this.backend) return;
    await this.shutdown();
    this.options = options;
    if (!options.enabled) return this.set('off', 'switched off in the discovery settings', null);
    if (isLoopback(options.address)) return this.set('off', `${options.address} is a loopback address: there is no LAN to multicast on`, null);
    try {
      const backend = new MdnsBackend({
        interfaceAddress: options.address,
        hostName: options.hostName,
        advertise: publisher === 'embedded',
        onUp: (sighting) => this.sighted(sighting),
        onDown: (gone) => this.vanished(gone),
        onError: (error) => this.deps.log(`mdns: ${error.message}`),
      });
      await backend.start();
      this.backend = backend;
      this.set('running', publisher === 'avahi' ? `publishing through avahi-daemon, browsing on ${options.address}` : `publishing and browsing on ${options.address}`, publisher);
      await this.publish(this.services);
    } catch (error) {
      this.set('failed', (error as Error).message, null);
    }
    this.avahiTimer = setInterval(() => {
      if (this.options && (avahiRunning(this.deps.root) ? 'avahi' : 'embedded') !== this.publisher) void this.apply(this.options);
    }, AVAHI_CHECK_INTERVAL_MS);
    this.avahiTimer.unref();
  }

  async publish(services: OwnService[]): Promise<void> {
    this.services = services;
    const options = this.options;
    if (!this.backend || !options) return;
    const adverts: MdnsAdvert[] = services.map((service) => ({
      name: instanceName(service.description, options.hostName),
      type: service.type,
      protocol: service.protocol,
      port: service.port,
      txt: { ...service.txt, [NODE_TXT]: this.deps.selfNodeId, ...(options.microcloud ? { [MICROCLOUD_TXT]: options.microcloud } : {}) },
    }));
    if (this.publisher === 'avahi') await this.deps.helper.call('discovery.writeAvahiServices', { services: adverts });
    else await this.backend.setAdverts(adverts);
  }

  refresh(): void {
    this.backend?.refresh();
  }

  async stop(): Promise<void> {
    await this.shutdown();
    this.options = null;
    this.set('off', 'stopped', null);
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.avahiTimer);
    const backend = this.backend;
    this.backend = null;
    if (this.publisher === 'avahi') await this.deps.helper.call('discovery.writeAvahiServices', { services: [] }).catch(() => undefined);
    await backend?.stop().catch(() => undefined);
    for (const key of this.seen.values()) this.deps.cache.withdraw('mdns', key);
    this.seen.clear();
  }

  /** A Cloudy node names itself in TXT; anything else on the LAN is keyed by its host name. */
  private sighted(sighting: MdnsSighting): void {
    const { [NODE_TXT]: nodeId, [MICROCLOUD_TXT]: microcloud, ...txt } = sighting.txt;
    const host = sighting.host.replace(/\.local$/, '');
    const suffix = ` @ ${host}`;
    const record = cleanRecord({
      type: sighting.type,
      description: nodeId && sighting.name.endsWith(suffix) ? sighting.name.slice(0, -suffix.length) : sighting.name,
      node: host,
      nodeId: nodeId ?? `mdns:${host}`,
      address: sighting.addresses.find((address) => !address.includes(':')) ?? sighting.addresses[0],
      port: sighting.port,
      microcloud: microcloud ?? '',
      txt,
    });
    if (!record) return;
    const sightingKey = `${sighting.name}|${sighting.type}|${sighting.protocol}`;
    const previous = this.seen.get(sightingKey);
    const key = recordKey(record);
    if (previous && previous !== key) this.deps.cache.withdraw('mdns', previous);
    if (this.deps.cache.upsert('mdns', record)) this.seen.set(sightingKey, key);
  }

  private vanished(gone: { name: string; type: string; protocol: string }): void {
    const sightingKey = `${gone.name}|${gone.type}|${gone.protocol}`;
    const key = this.seen.get(sightingKey);
    if (!key) return;
    this.seen.delete(sightingKey);
    this.deps.cache.withdraw('mdns', key);
  }

  private set(state: BackendState, detail: string, publisher: 'embedded' | 'avahi' | null): void {
    this.state = state;
    this.detail = detail;
    this.publisher = publisher;
    this.deps.onChange();
  }
}
