// Network-wide discovery over Serf: our digest and legacy tags out, peers' lists in, change announcements as user events.
import type { BackendState } from '../../../shared/discovery-contract.ts';
import type { HelperClient } from '../../helper-client.ts';
import { IntervalTimers } from '../interval-timers.ts';
import type { PeerDocument } from '../peer-document.ts';
import type { RecordCache } from '../record-cache.ts';
import { formatCloudyTags, LEGACY_TAG } from './cloudy-tags.ts';
import type { LegacyService } from './legacy-services-tag.ts';
import { type AgentSettings, SerfAgent } from './serf-agent.ts';
import { SerfMembership } from './serf-membership.ts';
import { cutPages, MAX_PAGES, RECORDS_QUERY } from './record-pages.ts';
import type { SerfRpcClient } from './serf-rpc-client.ts';
import { fitLegacyServices } from './serf-tag-budget.ts';

export interface SerfPublication {
  apiPort: number;
  pin: string;
  microcloud: string;
  digest: string;
  count: number;
  /** Our services in the 2015 format, most important first; null when the legacy tag is switched off. */
  legacy: LegacyService[] | null;
  /** What peers fetch over HTTPS, also served page by page to Serf queries. */
  document: PeerDocument;
}

export const CHANGE_EVENT = 'cloudy-changed';
const STREAM_FILTER = `member-join,member-leave,member-failed,member-update,member-reap,user:${CHANGE_EVENT},query:${RECORDS_QUERY}`;
const QUERY_TIMEOUT_MS = 3000;
const SYNC_INTERVAL_MS = 5000;
const RTT_INTERVAL_MS = 10_000;

export class SerfBackend {
  readonly agent: SerfAgent;
  readonly membership: SerfMembership;
  /** How many of our services the 2015 tag carries (it holds fewer than the full list when they do not fit). */
  legacy = { published: 0, total: 0 };
  private publication: SerfPublication | null = null;
  private nodeName = '';
  private encrypted = false;
  private readonly timers: IntervalTimers;
  private pages: { digest: string; pages: Buffer[] } | null = null;

  constructor(
    helper: HelperClient,
    cache: RecordCache,
    fetchDocument: (target: { address: string; port: number; pin: string }) => Promise<unknown>,
    private readonly log: (line: string) => void,
    onChange: () => void,
  ) {
    this.timers = new IntervalTimers((line) => log(`serf: ${line}`));
    this.membership = new SerfMembership({ cache, selfName: () => this.nodeName, fetchDocument, queryPage: (member, page) => this.queryPage(member, page), log, membersChanged: onChange });
    this.agent = new SerfAgent(helper, (client) => this.attach(client), onChange);
  }

  get state(): BackendState {
    return this.agent.state;
  }

  apply(settings: AgentSettings): Promise<void> {
    this.nodeName = settings.nodeName;
    this.encrypted = settings.encryptKey !== '';
    return this.agent.apply(settings);
  }

  /** New tags, and a user event so peers fetch at once instead of waiting for the next members pass. */
  async publish(publication: SerfPublication): Promise<void> {
    const changed = publication.digest !== this.publication?.digest || publication.pin !== this.publication?.pin || JSON.stringify(publication.legacy) !== JSON.stringify(this.publication?.legacy);
    this.publication = publication;
    const client = this.agent.rpc;
    if (!client || !changed) return;
    // The event goes out at once: serf answers a tags request only after gossiping it (≈ 0.5 s, bench/discovery.ts),
    // and peers fetch our list, already current, as soon as they hear the event.
    const announced = client.userEvent(CHANGE_EVENT, Buffer.from(`${this.nodeName} ${publication.digest}`), false).catch((error: Error) => this.log(`serf: change event not sent: ${error.message}`));
    await Promise.all([this.pushTags(client), announced]);
  }

  status() {
    return { state: this.agent.state, detail: this.agent.detail, encrypted: this.encrypted, ...this.membership.counts() };
  }

  async stop(): Promise<void> {
    this.clearTimers();
    await this.agent.stop();
  }

  detach(): void {
    this.clearTimers();
    this.agent.detach();
  }

  private async attach(client: SerfRpcClient): Promise<void> {
    this.clearTimers();
    await client.stream(STREAM_FILTER, (event) => {
      if (event.event === 'user') {
        const [name, digest] = event.payload.toString('utf8').split(' ');
        if (name && digest) this.membership.changed(name, digest);
      } else if (event.event === 'query') {
        void this.answerQuery(client, event.id, event.payload).catch((error: Error) => this.log(`serf: query not answered: ${error.message}`));
      } else {
        for (const member of event.members) this.membership.update(member);
      }
    });
    if (this.publication) await this.pushTags(client);
    await this.membership.sync(client);
    this.timers.every(SYNC_INTERVAL_MS, () => this.membership.sync(client));
    this.timers.every(RTT_INTERVAL_MS, () => this.membership.refreshRtt(client));
    void this.membership.refreshRtt(client).catch(() => undefined);
    client.onClose(() => this.clearTimers());
  }

  /** A peer that cannot reach our HTTPS port asks for our list page by page (payload: the page number). */
  private async answerQuery(client: SerfRpcClient, id: number, payload: Buffer): Promise<void> {
    const document = this.publication?.document;
    const text = payload.toString('utf8');
    if (!document || !/^\d{1,2}$/.test(text)) return;
    if (this.pages?.digest !== document.digest) this.pages = { digest: document.digest, pages: cutPages(document) };
    const page = this.pages.pages[Number(text)];
    if (page) await client.respond(id, page);
  }

  private async queryPage(member: string, page: number): Promise<Buffer | null> {
    const client = this.agent.rpc;
    if (!client || page >= MAX_PAGES) return null;
    const [answer] = await client.query({ name: RECORDS_QUERY, payload: Buffer.from(String(page)), filterNodes: [member], timeoutMs: QUERY_TIMEOUT_MS, maxResponses: 1 });
    return answer?.payload ?? null;
  }

  /** All our tags together must stay within Serf's 512 bytes: the legacy list gets what the digest tags leave. */
  private async pushTags(client: SerfRpcClient): Promise<void> {
    const publication = this.publication;
    if (!publication) return;
    const tags = formatCloudyTags(publication);
    const legacy = publication.legacy ? fitLegacyServices(publication.legacy, tags) : { value: null, included: 0, total: 0 };
    this.legacy = { published: legacy.included, total: publication.legacy?.length ?? 0 };
    if (legacy.value) await client.setTags({ ...tags, [LEGACY_TAG]: legacy.value });
    else await client.setTags(tags, [LEGACY_TAG]);
  }

  private clearTimers(): void {
    this.timers.clear();
  }
}
