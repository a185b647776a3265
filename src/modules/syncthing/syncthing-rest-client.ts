// Client for the parts of Syncthing's REST API Cloudy uses (docs.syncthing.net/dev/rest.html).
export interface SyncthingFolder {
  id: string;
  label: string;
  path: string;
  type: string;
  devices: Array<{ deviceID: string }>;
  [key: string]: unknown;
}

export interface SyncthingDevice {
  deviceID: string;
  name: string;
  addresses: string[];
  [key: string]: unknown;
}

export class SyncthingRestError extends Error {
  override name = 'SyncthingRestError';
}

export class SyncthingRestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { 'X-API-Key': this.apiKey, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new SyncthingRestError(`Syncthing does not answer at ${this.baseUrl} (${(error as Error).message})`);
    }
    const text = await response.text();
    if (!response.ok) throw new SyncthingRestError(`Syncthing answered ${response.status} to ${method} ${path}: ${text.slice(0, 200)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  ping = () => this.request<{ ping: string }>('GET', '/rest/system/ping');
  status = () => this.request<{ myID: string; uptime: number }>('GET', '/rest/system/status');
  version = () => this.request<{ version: string }>('GET', '/rest/system/version');
  folders = () => this.request<SyncthingFolder[]>('GET', '/rest/config/folders');
  devices = () => this.request<SyncthingDevice[]>('GET', '/rest/config/devices');
  connections = () => this.request<{ connections: Record<string, { connected: boolean }> }>('GET', '/rest/system/connections');
  patchOptions = (options: Record<string, unknown>) => this.request<null>('PATCH', '/rest/config/options', options);
  patchDevice = (deviceId: string, fields: Partial<SyncthingDevice>) => this.request<null>('PATCH', `/rest/config/devices/${encodeURIComponent(deviceId)}`, fields);
  putFolder = (folder: SyncthingFolder) => this.request<null>('PUT', `/rest/config/folders/${encodeURIComponent(folder.id)}`, folder);
  addDevice = (device: SyncthingDevice) => this.request<null>('POST', '/rest/config/devices', device);
  removeDevice = (deviceId: string) => this.request<null>('DELETE', `/rest/config/devices/${encodeURIComponent(deviceId)}`);
  /** Devices that tried to connect and are not configured (Syncthing ≥ 1.13). */
  pendingDevices = () => this.request<Record<string, { name?: string; address?: string; time?: string }>>('GET', '/rest/cluster/pending/devices');
  restartRequired = () => this.request<{ requiresRestart: boolean }>('GET', '/rest/config/restart-required');
}
