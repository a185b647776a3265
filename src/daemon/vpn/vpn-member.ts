// The member side: join a network (key → enrol → config → tincd → first peer), follow the server's member list by
// long-poll and apply it with SIGHUP, report status with reachability, leave.
import { Value } from '@sinclair/typebox/value';

import type { LogLine, Operation } from '../../shared/api-contract.ts';
import { EnrolReply, JOIN_STEP_PERCENT, NETWORK_NAME_PATTERN, type JoinStep, NetworkState, type VpnPeerView, type VpnStatus } from '../../shared/vpn-contract.ts';
import { ApiError, conflict } from '../api-error.ts';
import type { EventBus } from '../event-bus.ts';
import type { HelperClient } from '../helper-client.ts';
import type { OperationHandle, OperationStore } from '../operations.ts';
import { parseToken } from './join-token.ts';
import type { Membership, MembershipStore } from './membership-store.ts';
import { type PinnedRequest, PinnedRequestError, pinnedJson, type ServerPins } from './pinned-https.ts';
import type { VpnServer } from './vpn-server.ts';

export const DEFAULT_TINC_PORT = 655;
export const VPN_OPERATIONS = 'vpn';
const FIRST_PEER_TIMEOUT_MS = 20_000;
const POLL_TIMEOUT_MS = 40_000;
const MAX_RETRY_MS = 30_000;
const REACHABILITY_CACHE_MS = 2_000;

export interface VpnMemberDeps {
  helper: HelperClient;
  store: MembershipStore;
  server: VpnServer;
  operations: OperationStore;
  events: EventBus;
  /** This node's name in networks: its host label, in tinc's alphabet. */
  nodeName: () => Promise<string>;
  /** The address peers reach this node's tincd on (discovery's community address). */
  communityAddress: () => string | null;
  log: (line: string) => void;
}

class JoinStepError extends Error {
  constructor(step: JoinStep, cause: Error) {
    super(`step "${step}" failed: ${cause.message}`);
  }
}

/** `https://host:port/vpn/v1/networks/<name>` → the network's name, or null when the URL is not a join URL. */
export function networkOfJoinUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    const match = /^\/vpn\/v1\/networks\/([^/]+)$/.exec(parsed.pathname);
    return parsed.protocol === 'https:' && match && new RegExp(NETWORK_NAME_PATTERN).test(match[1]!) ? match[1]! : null;
  } catch {
    return null;
  }
}

export const tincNodeName = (hostLabel: string) => hostLabel.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 32) || 'cloudy';

export class VpnMember {
  private readonly watchers = new Map<string, AbortController>();
  /** Networks whose tincd still runs with its first ConnectTo only (see bringUp). */
  private readonly narrowed = new Set<string>();
  /** One writeConfig at a time per network: widen and the long-poll's adopt may overlap, and the last to ask wins. */
  private readonly writes = new Map<string, Promise<unknown>>();
  private readonly lastWritten = new Map<string, NetworkState>();
  private reachability = new Map<string, { at: number; peers: VpnPeerView[] }>();

  constructor(private readonly deps: VpnMemberDeps) {}

  join(url: string, token: string): Operation {
    const network = networkOfJoinUrl(url);
    if (!network) throw new ApiError(400, 'invalid_request', 'This is not a join URL (https://…/vpn/v1/networks/<name>).', { url: 'Not a join URL.' });
    const parsed = parseToken(token);
    if (!parsed) throw new ApiError(400, 'invalid_request', 'This is not a join token.', { token: 'Not a join token.' });
    const existing = this.deps.store.get(network);
    if (existing && existing.phase !== 'joining' && existing.phase !== 'revoked') throw conflict(`This node is already a member of ${network}; leave it first.`);
    return this.deps.operations.start(VPN_OPERATIONS, 'join', `Joining the network ${network}`, async (handle) => {
      const step = async <T>(name: JoinStep, message: string, work: () => Promise<T>): Promise<T> => {
        handle.progress(JOIN_STEP_PERCENT[name], message);
        try {
          return await work();
        } catch (error) {
          throw new JoinStepError(name, error as Error);
        }
      };
      const port = this.freePort(network);
      const publicKey = await step('key', 'Generating the key pair', async () => {
        await this.deps.helper.call('vpn.install');
        this.deps.store.begin(network, url, parsed.pin, false, port);
        return (await this.deps.helper.call<{ publicKey: string }>('vpn.ensureKey', { network })).publicKey;
      });
      handle.log('key pair ready');
      const reply = await step('enrol', 'Enrolling with the server', async () => {
        const endpointHost = this.deps.communityAddress();
        const body = { token, name: tincNodeName(await this.deps.nodeName()), publicKey, ...(endpointHost ? { endpoint: { host: endpointHost, port } } : {}) };
        const onTrusted = (presented: ServerPins) => this.deps.store.pinServer(network, presented);
        const answer = await pinnedJson<unknown>({ url: `${url}/members`, pin: parsed.pin, onTrusted, method: 'POST', body, timeoutMs: 15_000 });
        if (!Value.Check(EnrolReply, answer)) throw new Error('the server answered with a member list this node cannot use');
        return answer;
      }).catch((error: Error) => {
        // Never enrolled: nothing to keep, so a retry starts clean.
        if (this.deps.store.get(network)?.state === null) this.deps.store.remove(network);
        throw error;
      });
      this.deps.store.enrolled(network, reply.state.self.name, reply.memberSecret, reply.state);
      handle.log(`enrolled as ${reply.state.self.name} with ${reply.state.self.address}`);
      await this.bringUp(network, reply.state, handle, step);
      handle.progress(100, `Joined ${network} as ${reply.state.self.name} with ${reply.state.self.address}`);
    });
  }

  /** The server's own node joins the networks it hosts, in-process. */
  async joinOwnNetwork(network: string): Promise<void> {
    const port = this.freePort(network);
    await this.deps.helper.call('vpn.install');
    this.deps.store.begin(network, this.deps.server.joinUrl(network), '', true, port);
    const { publicKey } = await this.deps.helper.call<{ publicKey: string }>('vpn.ensureKey', { network });
    const endpointHost = this.deps.communityAddress();
    const state = this.deps.server.enrolSelf(network, tincNodeName(await this.deps.nodeName()), publicKey, endpointHost ? { host: endpointHost, port } : undefined);
    this.deps.store.enrolled(network, state.self.name, null, state);
    await this.bringUp(network, state);
  }

  /** At start (and when the helper comes back): every network this node had enrolled in runs again. */
  async restore(): Promise<void> {
    for (const membership of this.deps.store.all()) {
      if (!membership.state || !membership.name) {
        this.deps.store.remove(membership.network);
        continue;
      }
      if (membership.phase === 'revoked') continue;
      try {
        this.narrowed.add(membership.network);
        await this.apply(membership.network, membership.state, membership.port);
        await this.deps.helper.call('vpn.start', { network: membership.network });
        this.deps.store.update(membership.network, { phase: 'joined' });
        this.hubApplied(membership.network, membership.state.version);
        this.follow(membership.network);
        this.changed(membership.network);
        void this.widenOnceAPeerAnswers(membership.network, FIRST_PEER_TIMEOUT_MS);
      } catch (error) {
        this.deps.log(`vpn: could not bring ${membership.network} back: ${(error as Error).message}`);
      }
    }
  }

  async status(): Promise<VpnStatus> {
    const membership = this.deps.store.all()[0];
    if (!membership) return { network: null, address: null, interface: null, name: null, server: null, local: false, state: null, tincd: 'stopped', tincdPid: null, lastUpdate: null, peers: [] };
    const tincd = await this.deps.helper.call<{ state: string; pid: number | null }>('vpn.status', { network: membership.network }).catch(() => ({ state: 'unknown', pid: null }));
    const state = membership.state;
    const prefix = state?.network.subnet.split('/')[1];
    return {
      network: membership.network,
      address: state ? `${state.self.address}/${prefix}` : null,
      interface: state ? membership.network : null,
      name: membership.name,
      server: new URL(membership.serverUrl).host,
      local: membership.local,
      state: membership.phase,
      tincd: tincd.state,
      tincdPid: tincd.pid,
      lastUpdate: membership.updatedAt,
      peers: state && tincd.state === 'running' ? await this.peerReachability(membership.network, state) : (state?.peers ?? []).map((peer) => ({ name: peer.name, address: peer.address, reachable: false })),
    };
  }

  /** tincd's recent lines for this node's network (none when it is not a member). */
  async logs(limit = 200): Promise<LogLine[]> {
    const membership = this.deps.store.all()[0];
    if (!membership) return [];
    return this.deps.helper.call<LogLine[]>('vpn.logs', { network: membership.network, limit });
  }

  async leave(network?: string): Promise<void> {
    const membership = network ? this.deps.store.get(network) : this.deps.store.all()[0];
    if (!membership) throw new ApiError(404, 'not_found', network ? `This node is not a member of ${network}.` : 'This node is not a member of any network.');
    if (membership.local && membership.phase !== 'revoked') throw conflict(`This node runs the server of ${membership.network}; it stays a member while it hosts the network.`);
    this.watchers.get(membership.network)?.abort();
    if (membership.name && membership.memberSecret && membership.phase !== 'revoked') {
      // Best effort: the server should drop us from everyone's list, but leaving must work when it is gone.
      await pinnedJson({ url: `${membership.serverUrl}/members/${membership.name}`, ...this.pinsOf(membership), method: 'DELETE', bearer: membership.memberSecret, timeoutMs: 5_000 }).catch((error: Error) =>
        this.deps.log(`vpn: the server did not hear that we left ${membership.network}: ${error.message}`),
      );
    }
    await this.deps.helper.call('vpn.remove', { network: membership.network });
    this.forget(membership.network);
    this.deps.store.remove(membership.network);
    this.changed(membership.network);
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.abort();
  }

  private async bringUp(network: string, state: NetworkState, handle?: OperationHandle, step?: <T>(name: JoinStep, message: string, work: () => Promise<T>) => Promise<T>): Promise<void> {
    const run = step ?? (async <T>(_name: JoinStep, _message: string, work: () => Promise<T>) => work());
    const { port } = this.deps.store.get(network)!;
    // tincd starts with its first ConnectTo only (the hub) and gets the others once a peer answers. Started with all
    // of them at once, it activates several links in the same instant; tinc 1.0 then sends a peer its packet key
    // twice (unasked when the peer "became reachable", over whichever link completed the graph first, and again in
    // answer to the peer's REQ_KEY, over the direct link), and when the relayed copy arrives last the peer keeps a
    // key this node has already replaced: its UDP packets are dropped as unauthenticated until KeyExpire (1 h).
    this.narrowed.add(network);
    await run('config', 'Writing the tinc configuration', () => this.apply(network, state, port));
    handle?.log('configuration written');
    await run('tincd', 'Starting tincd', async () => {
      const status = await this.deps.helper.call<{ state: string }>('vpn.start', { network });
      if (status.state !== 'running' && status.state !== 'starting') throw new Error(`tincd is ${status.state}; see the VPN log`);
    });
    this.deps.store.update(network, { phase: 'joined' });
    this.hubApplied(network, state.version);
    this.follow(network);
    this.changed(network);
    handle?.log('tincd running');
    if (state.peers.length === 0) {
      await this.widen(network);
      return handle?.log('no other member yet');
    }
    await run('peer', 'Waiting for the first peer to answer', async () => {
      const first = await this.widenOnceAPeerAnswers(network, FIRST_PEER_TIMEOUT_MS);
      if (!first) throw new Error(`no peer answered over the overlay within ${FIRST_PEER_TIMEOUT_MS / 1000} s`);
      handle?.log(`first peer answered: ${first}`);
    });
  }

  /** Pings the peers until one answers, then gives tincd all its ConnectTo lines; the address that answered, or null. */
  private async widenOnceAPeerAnswers(network: string, timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const current = this.deps.store.get(network)?.state;
        if (!current || current.peers.length === 0) return null;
        const answers = await this.ping(current.peers.map((peer) => peer.address), 1);
        const first = answers.find((answer) => answer.reachable);
        if (first) return first.address;
        if (Date.now() > deadline) return null;
      }
    } finally {
      await this.widen(network).catch((error: Error) => this.deps.log(`vpn: ${network}: could not add the other ConnectTo lines: ${error.message}`));
    }
  }

  /** Ends the narrowed start: the full member list (every ConnectTo line) is written and tincd reloaded. */
  private async widen(network: string): Promise<void> {
    if (!this.narrowed.delete(network)) return;
    const membership = this.deps.store.get(network);
    if (!membership?.state || membership.phase === 'revoked') return;
    // The newest list asked for: a long-poll answer being applied right now is not in the store yet.
    const { changed } = await this.apply(network, this.lastWritten.get(network) ?? membership.state, membership.port);
    if (changed) await this.deps.helper.call('vpn.reload', { network });
  }

  private forget(network: string): void {
    this.narrowed.delete(network);
    this.writes.delete(network);
    this.lastWritten.delete(network);
  }

  /** The server's own node tells its server which member list its tincd runs with (enrolments wait for it). */
  private hubApplied(network: string, version: number): void {
    if (this.deps.store.get(network)?.local) this.deps.server.hubApplied(network, version);
  }

  private apply(network: string, state: NetworkState, port: number): Promise<{ changed: boolean }> {
    const write = async () => {
      const endpointHost = this.deps.communityAddress();
      const written = this.narrowed.has(network) ? { ...state, connectTo: state.connectTo.slice(0, 1) } : state;
      return this.deps.helper.call<{ changed: boolean }>('vpn.writeConfig', { network, port, ...(endpointHost ? { endpointHost } : {}), state: written });
    };
    this.lastWritten.set(network, state);
    const result = (this.writes.get(network) ?? Promise.resolve()).then(write, write);
    this.writes.set(network, result.catch(() => undefined));
    return result;
  }

  /** Follows the member list for as long as this node is a member; changes are applied with SIGHUP, tincd keeps running. */
  private follow(network: string): void {
    if (this.watchers.has(network)) return;
    const controller = new AbortController();
    this.watchers.set(network, controller);
    void (async () => {
      let retryMs = 1000;
      while (!controller.signal.aborted) {
        const membership = this.deps.store.get(network);
        if (!membership?.state || !membership.name) break;
        try {
          const next = await this.nextState(membership, controller.signal);
          retryMs = 1000;
          if (controller.signal.aborted) break;
          if (next.version !== membership.state.version || membership.phase !== 'joined') await this.adopt(network, next, membership);
        } catch (error) {
          if (controller.signal.aborted) break;
          if (error instanceof PinnedRequestError && error.status === 410) {
            await this.revoked(network, error.message);
            break;
          }
          if (membership.phase !== 'unreachable') this.deps.log(`vpn: ${network}: the server is unreachable (${(error as Error).message}); retrying`);
          this.deps.store.update(network, { phase: 'unreachable' });
          await new Promise((resolve) => setTimeout(resolve, retryMs));
          retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
        }
      }
      this.watchers.delete(network);
    })();
  }

  private nextState(membership: Membership, signal: AbortSignal): Promise<NetworkState> {
    const since = membership.state!.version;
    if (membership.local) return this.deps.server.waitForChange(membership.network, membership.name!, since, undefined, signal);
    return pinnedJson<unknown>({
      url: `${membership.serverUrl}/members/${membership.name}/state?since=${since}`,
      ...this.pinsOf(membership),
      method: 'GET',
      bearer: membership.memberSecret ?? '',
      timeoutMs: POLL_TIMEOUT_MS,
      signal,
    }).then((answer) => {
      // The helper checks the list again before writing; refusing it here keeps a bad list out of SQLite too.
      if (!Value.Check(NetworkState, answer)) throw new Error('the server sent a member list this node cannot use');
      return answer;
    });
  }

  /**
   * The server's pins, and learning them: the key pin on the first connection that shows it, the new certificate pin
   * when the server reissued its certificate with the same key (a hostname change, decision AF).
   */
  private pinsOf(membership: Membership): Pick<PinnedRequest, 'pin' | 'keyPin' | 'onTrusted'> {
    return {
      pin: membership.serverPin,
      keyPin: membership.serverKeyPin,
      onTrusted: (presented) => {
        if (presented.pin === membership.serverPin && presented.keyPin === membership.serverKeyPin) return;
        if (membership.serverKeyPin && presented.pin !== membership.serverPin) this.deps.log(`vpn: ${membership.network}: the server reissued its certificate with the same key; following it`);
        this.deps.store.pinServer(membership.network, presented);
      },
    };
  }

  private async adopt(network: string, state: NetworkState, membership: Membership): Promise<void> {
    const { changed } = await this.apply(network, state, membership.port);
    if (changed) await this.deps.helper.call('vpn.reload', { network });
    this.hubApplied(network, state.version);
    this.deps.store.update(network, { phase: 'joined', state });
    this.reachability.delete(network);
    this.changed(network);
    if (changed) this.deps.log(`vpn: ${network}: member list version ${state.version} applied (${state.peers.length} peers)`);
  }

  private async revoked(network: string, reason: string): Promise<void> {
    this.deps.log(`vpn: ${network}: ${reason}; removing its tinc files`);
    await this.deps.helper.call('vpn.remove', { network }).catch(() => undefined);
    this.forget(network);
    this.deps.store.update(network, { phase: 'revoked' });
    this.changed(network);
  }

  private async peerReachability(network: string, state: NetworkState): Promise<VpnPeerView[]> {
    const cached = this.reachability.get(network);
    if (cached && Date.now() - cached.at < REACHABILITY_CACHE_MS) return cached.peers;
    const answers = await this.ping(state.peers.map((peer) => peer.address), 1);
    const peers = state.peers.map((peer) => ({ name: peer.name, address: peer.address, reachable: answers.some((answer) => answer.address === peer.address && answer.reachable) }));
    this.reachability.set(network, { at: Date.now(), peers });
    return peers;
  }

  private ping(addresses: string[], timeoutSeconds: number): Promise<Array<{ address: string; reachable: boolean }>> {
    if (addresses.length === 0) return Promise.resolve([]);
    return this.deps.helper.call('vpn.ping', { addresses: addresses.slice(0, 256), timeoutSeconds });
  }

  /** tinc's default port, or the next one free among this node's networks. */
  private freePort(network: string): number {
    const existing = this.deps.store.get(network);
    if (existing) return existing.port;
    const used = new Set(this.deps.store.all().map((membership) => membership.port));
    let port = DEFAULT_TINC_PORT;
    while (used.has(port)) port += 1;
    return port;
  }

  private changed(network: string): void {
    this.deps.events.publish({ type: 'vpn', network });
  }
}
