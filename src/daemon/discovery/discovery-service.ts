// Discovery in cloudyd: publishes this node's healthy services on both backends and answers searches over the merged cache.
import type { DiscoverySettings, DiscoverySettingsUpdate, DiscoveryStatus, Publication, PublishRequest, SearchResult } from '../../shared/discovery-contract.ts';
import { ApiError, notFound } from '../api-error.ts';
import type { EventBus } from '../event-bus.ts';
import type { HelperClient } from '../helper-client.ts';
import type { DiscoveryStore } from './discovery-store.ts';
import { type CommunityEndpoint, communityEndpoint, defaultSettings, type DiscoveryStartOptions, validateSettingsUpdate } from './discovery-settings.ts';
import { type OwnService, evaluatePublications, type PublicationSources } from './local-publications.ts';
import { IntervalTimers } from './interval-timers.ts';
import { MdnsDiscovery } from './mdns/mdns-discovery.ts';
import { fetchPeerServices } from './peer-client.ts';
import { PEER_PROTOCOL, type PeerDocument, servicesDigest } from './peer-document.ts';
import { RecordCache, type SearchOptions } from './record-cache.ts';
import { shortType } from './service-record.ts';
import { toLegacyService } from './serf/legacy-records.ts';
import { SerfBackend } from './serf/serf-backend.ts';

export interface DiscoveryDeps {
  root: string;
  helper: HelperClient;
  store: DiscoveryStore;
  events: EventBus;
  modules: PublicationSources;
  /** The node's host name as the dashboard shows it (changes when the owner renames the node). */
  hostname(): Promise<string>;
  /** HTTPS port and certificate pin peers use to fetch our list. */
  api: { port: number; pin: string };
  start: DiscoveryStartOptions;
  log(line: string): void;
}

const HEALTH_INTERVAL_MS = 2000;
const PERSIST_INTERVAL_MS = 5000;
const CHANGE_EVENT_DELAY_MS = 200;

export class DiscoveryService {
  readonly nodeId: string;
  readonly cache: RecordCache;
  private readonly mdns: MdnsDiscovery;
  private readonly serf: SerfBackend;
  private settings: DiscoverySettings;
  private endpoint: CommunityEndpoint = { address: '127.0.0.1', interface: 'lo' };
  private hostName = 'cloudy';
  private publications: Publication[] = [];
  private published: OwnService[] = [];
  private document: PeerDocument | null = null;
  private readonly dirty = new Set<string>();
  private readonly timers: IntervalTimers;
  private changeTimer: NodeJS.Timeout | undefined;
  private evaluating: Promise<void> | null = null;

  constructor(private readonly deps: DiscoveryDeps) {
    this.nodeId = deps.store.nodeId();
    this.settings = deps.store.settings() ?? defaultSettings(deps.start);
    this.cache = new RecordCache(this.nodeId);
    this.timers = new IntervalTimers((line) => deps.log(`discovery: ${line}`));
    deps.store.loadCache(this.cache);
    this.cache.onChange((keys) => this.changed(keys));
    const onBackendChange = () => this.announce();
    this.mdns = new MdnsDiscovery({ helper: deps.helper, cache: this.cache, root: deps.root, selfNodeId: this.nodeId, log: deps.log, onChange: onBackendChange });
    this.serf = new SerfBackend(deps.helper, this.cache, (target) => fetchPeerServices(target), deps.log, onBackendChange);
  }

  /** Starts both backends in the background: a slow apt install of serf must not hold up the panel. */
  async start(): Promise<void> {
    await this.applySettings();
    this.timers.every(HEALTH_INTERVAL_MS, () => this.evaluate());
    this.timers.every(PERSIST_INTERVAL_MS, () => this.persist());
    this.timers.every(3_600_000, () => this.cache.prune());
    this.deps.events.subscribe((event) => {
      if (event.type === 'module' || event.type === 'vpn') void this.evaluate();
    });
  }

  /** cloudyd is exiting: the helper keeps the agent, our records stay on disk. */
  async close(): Promise<void> {
    this.timers.clear();
    this.persist();
    this.serf.detach();
    await this.mdns.stop();
  }

  currentSettings(): DiscoverySettings {
    return structuredClone(this.settings);
  }

  async updateSettings(update: DiscoverySettingsUpdate): Promise<DiscoverySettings> {
    const next = validateSettingsUpdate(this.settings, update);
    this.deps.store.saveSettings(next);
    this.settings = next;
    await this.applySettings();
    return this.currentSettings();
  }

  search(query: SearchOptions): SearchResult {
    return this.cache.search(query);
  }

  async publishManual(request: PublishRequest): Promise<Publication[]> {
    const type = shortType(request.type);
    if (!type) throw new ApiError(400, 'invalid_request', 'The service type is not valid.', { type: 'Use lowercase letters, digits and -, e.g. "webdav".' });
    this.deps.store.savePublication({ type, port: request.port, description: request.description, txt: request.txt });
    await this.evaluate();
    return this.publications;
  }

  async unpublishManual(type: string, port: number): Promise<void> {
    if (!this.deps.store.removePublication(type, port)) throw notFound(`A manual publication of ${type} on port ${port}`);
    await this.evaluate();
  }

  ownPublications(): Publication[] {
    return this.publications;
  }

  /** What GET /peer/v1/services answers: our full list, the digest our tags carry, our coordinate. */
  peerDocument(): PeerDocument | null {
    return this.document && { ...this.document, coordinate: this.serf.membership.selfCoordinate };
  }

  status(): DiscoveryStatus {
    const serf = this.serf.status();
    return {
      nodeId: this.nodeId,
      nodeName: this.serfNodeName(),
      communityAddress: this.endpoint.address,
      communityInterface: this.endpoint.interface,
      microcloud: this.settings.microcloud,
      backends: {
        mdns: { state: this.mdns.state, detail: this.mdns.detail, publisher: this.mdns.publisher },
        serf: { state: serf.state, detail: serf.detail, encrypted: serf.encrypted, members: serf.members, alive: serf.alive },
      },
      legacyTag: { enabled: this.settings.legacyTag, ...this.serf.legacy },
      published: this.published.length,
      visible: this.cache.visible(),
      members: this.serf.membership.summary(),
    };
  }

  private serfNodeName(): string {
    return `${this.hostName}-${this.nodeId.slice(0, 6)}`;
  }

  private async applySettings(): Promise<void> {
    await this.applyToBackends();
    await this.evaluate();
  }

  /** The settings and the hostname into mDNS and the Serf agent; the caller publishes afterwards. */
  private async applyToBackends(): Promise<void> {
    this.hostName = await this.deps.hostname();
    this.endpoint = communityEndpoint(this.settings.communityAddress);
    const { address } = this.endpoint;
    await this.mdns.apply({ enabled: this.settings.mdns, address, hostName: this.hostName, microcloud: this.settings.microcloud });
    void this.serf.apply({
      nodeName: this.serfNodeName(),
      bindAddress: address,
      bindPort: this.settings.serfPort,
      rpcPort: this.deps.start.serfRpcPort,
      join: this.settings.joinAddresses,
      encryptKey: this.settings.encryptKey,
      rpcAuth: this.deps.store.serfRpcAuth(),
      profile: this.settings.serfProfile,
    });
    this.document = null;
  }

  /** Health-gated publishing: runs every two seconds and on every module event; one evaluation at a time. */
  evaluate(): Promise<void> {
    this.evaluating ??= this.evaluateOnce().finally(() => (this.evaluating = null));
    return this.evaluating;
  }

  private async evaluateOnce(): Promise<void> {
    try {
      const hostName = await this.deps.hostname();
      // Not applySettings: it awaits evaluate(), which inside an evaluation is this very evaluation.
      if (hostName !== this.hostName) await this.applyToBackends();
      const { publications, published } = await evaluatePublications(this.deps.modules, this.endpoint.address);
      this.publications = publications;
      await this.publish(published);
    } catch (error) {
      this.deps.log(`discovery: ${(error as Error).message}`);
    }
  }

  private async publish(services: OwnService[]): Promise<void> {
    const { address, interface: device } = this.endpoint;
    const { microcloud } = this.settings;
    const peerServices = services.map(({ type, description, port, txt }) => ({ type, description, port, txt }));
    const digest = servicesDigest(this.hostName, microcloud, peerServices);
    const unchanged = this.document?.digest === digest && JSON.stringify(services) === JSON.stringify(this.published);
    this.published = services;
    this.document = { protocol: PEER_PROTOCOL, nodeId: this.nodeId, node: this.hostName, microcloud, digest, coordinate: null, services: peerServices };
    const own = services.map((service) => ({ ...service, node: this.hostName, nodeId: this.nodeId, address, microcloud }));
    this.cache.replaceNode('local', this.nodeId, own);
    if (unchanged) return;
    const node = { name: this.hostName, microcloud, address, device };
    await Promise.all([
      this.mdns.publish(services).catch((error: Error) => this.deps.log(`mdns: publishing failed: ${error.message}`)),
      this.serf
        .publish({
          apiPort: this.deps.api.port,
          pin: this.deps.api.pin,
          microcloud,
          digest,
          count: services.length,
          legacy: this.settings.legacyTag ? services.map((service) => toLegacyService(service, node)) : null,
          document: this.peerDocument()!,
        })
        .catch((error: Error) => this.deps.log(`serf: publishing failed: ${error.message}`)),
    ]);
  }

  private changed(keys: string[]): void {
    for (const key of keys) this.dirty.add(key);
    this.announce();
  }

  /** One panel event per burst of changes, so a flood of records does not flood the browsers. */
  private announce(): void {
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.deps.events.publish({ type: 'discovery', visible: this.cache.visible() });
    }, CHANGE_EVENT_DELAY_MS);
  }

  private persist(): void {
    const keys = [...this.dirty].filter((key) => !key.startsWith(`${this.nodeId}/`));
    this.dirty.clear();
    if (keys.length > 0) this.deps.store.saveCacheEntries(this.cache, keys);
  }
}

