// The CNML the owner named, read again every hour (guifi.net's export changes slowly): its devices in service, kept
// until a newer read succeeds, so a web server that is down for a while does not empty the graphs.
import { cnmlDevices, type CnmlDevice } from './cnml-devices.ts';

const REFRESH_MS = 60 * 60_000;
const TIMEOUT_MS = 30_000;
/** guifi.net's whole-network CNML is tens of MB; a zone's is far smaller. */
export const MAX_CNML_BYTES = 50 * 1024 * 1024;

export interface CnmlState {
  url: string;
  graphServerId: string;
  devices: CnmlDevice[];
  readAt: number | null;
  error: string | null;
}

async function readLimited(response: Response): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_CNML_BYTES) throw new Error(`it is larger than ${MAX_CNML_BYTES / 1024 / 1024} MB`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class CnmlSource {
  private state: CnmlState = { url: '', graphServerId: '', devices: [], readAt: null, error: null };

  get current(): CnmlState {
    return this.state;
  }

  /** Reads the CNML when the address or filter changed or an hour passed; a failure keeps the devices read before. */
  async refresh(url: string, graphServerId: string, signal?: AbortSignal): Promise<void> {
    if (url !== this.state.url || graphServerId !== this.state.graphServerId) this.state = { url, graphServerId, devices: [], readAt: null, error: null };
    if (url === '' || (this.state.readAt !== null && Date.now() - this.state.readAt < REFRESH_MS)) return;
    try {
      const response = await fetch(url, { signal: AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), ...(signal ? [signal] : [])]), redirect: 'error' });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const devices = cnmlDevices(await readLimited(response), graphServerId === '' ? {} : { graphServerId });
      this.state = { ...this.state, devices, readAt: Date.now(), error: null };
    } catch (error) {
      // Tried again at the next round, not in an hour.
      this.state = { ...this.state, error: (error as Error).message };
    }
  }
}
