// Keeps the node's Serf agent installed, running with the current settings, and an RPC connection to it open.
import type { BackendState } from '../../../shared/discovery-contract.ts';
import type { HelperClient } from '../../helper-client.ts';
import { SerfRpcClient } from './serf-rpc-client.ts';

/** Exactly the arguments of the helper's `discovery.startAgent`. */
export interface AgentSettings {
  nodeName: string;
  bindAddress: string;
  bindPort: number;
  rpcPort: number;
  join: string[];
  encryptKey: string;
  rpcAuth: string;
  profile: 'lan' | 'wan' | 'local';
}

interface AgentStatusReply {
  installed: boolean;
  version: string | null;
  state: string;
}

const RECONNECT_DELAY_MS = 1000;
const RESTART_AFTER_FAILED_CONNECTS = 5;

export class SerfAgent {
  state: BackendState = 'off';
  detail = 'not started';
  version: string | null = null;
  private client: SerfRpcClient | null = null;
  private settings: AgentSettings | null = null;
  private generation = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failedConnects = 0;

  constructor(
    private readonly helper: HelperClient,
    private readonly onConnected: (client: SerfRpcClient) => Promise<void>,
    private readonly onChange: () => void,
  ) {}

  get rpc(): SerfRpcClient | null {
    return this.client;
  }

  /**
   * Installs serf if missing (apt, through the helper), starts the agent with these settings (the helper
   * restarts it only when its config changed) and connects. Failures are reported in `state`, never thrown:
   * the rest of the node works without gossip.
   */
  async apply(settings: AgentSettings): Promise<void> {
    const generation = ++this.generation;
    this.settings = settings;
    try {
      let status = await this.helper.call<AgentStatusReply>('discovery.agentStatus');
      if (!status.installed) {
        this.set('installing', "installing Debian's serf package");
        status = await this.helper.call<AgentStatusReply>('discovery.installAgent');
      }
      if (generation !== this.generation) return;
      this.version = status.version;
      this.set('starting', `starting the agent on ${settings.bindAddress}:${settings.bindPort}`);
      await this.helper.call('discovery.startAgent', { ...settings });
      if (generation !== this.generation) return;
      this.dropClient();
      await this.connect(generation);
    } catch (error) {
      if (generation === this.generation) this.set('failed', (error as Error).message);
    }
  }

  async stop(): Promise<void> {
    this.generation += 1;
    this.settings = null;
    clearTimeout(this.reconnectTimer);
    this.dropClient();
    await this.helper.call('discovery.stopAgent').catch(() => undefined);
    this.set('off', 'switched off');
  }

  /** Detaches from the agent without stopping it (cloudyd is shutting down; the helper owns the agent). */
  detach(): void {
    this.generation += 1;
    clearTimeout(this.reconnectTimer);
    this.dropClient();
  }

  private async connect(generation: number): Promise<void> {
    const settings = this.settings;
    if (!settings || generation !== this.generation) return;
    try {
      const client = await SerfRpcClient.connect({ host: '127.0.0.1', port: settings.rpcPort, authKey: settings.rpcAuth });
      if (generation !== this.generation) return client.close();
      this.client = client;
      this.failedConnects = 0;
      client.onClose(() => {
        if (this.client !== client) return;
        this.client = null;
        this.set('starting', 'lost the connection to the agent; reconnecting');
        this.scheduleReconnect(generation);
      });
      await this.onConnected(client);
      this.set('running', `agent ${this.version ?? ''} on ${settings.bindAddress}:${settings.bindPort}`.replace('  ', ' '));
    } catch (error) {
      this.set('starting', `waiting for the agent: ${(error as Error).message}`);
      this.scheduleReconnect(generation);
    }
  }

  /** A restarted helper has no agent any more: after a few refused connects, ask it to start one again. */
  private scheduleReconnect(generation: number): void {
    clearTimeout(this.reconnectTimer);
    this.failedConnects += 1;
    const settings = this.settings;
    const again = this.failedConnects % RESTART_AFTER_FAILED_CONNECTS === 0 && settings ? () => this.apply(settings) : () => this.connect(generation);
    this.reconnectTimer = setTimeout(() => void again(), RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }

  private dropClient(): void {
    const client = this.client;
    this.client = null;
    client?.close();
  }

  private set(state: BackendState, detail: string): void {
    if (state === this.state && detail === this.detail) return;
    this.state = state;
    this.detail = detail;
    this.onChange();
  }
}
