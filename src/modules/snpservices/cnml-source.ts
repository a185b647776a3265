// The CNML the owner named, read again every hour (guifi.net's export changes slowly): its devices in service, kept
// until a newer read succeeds, so a web server that is down for a while does not empty the graphs.
import { Worker, type WorkerOptions } from 'node:worker_threads';

import type { CnmlDevice, CnmlOptions } from './cnml-devices.ts';
import type { CnmlWorkerInput, CnmlWorkerReply } from './cnml-worker.ts';

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

/** Enough for a zone's export and for guifi.net's whole one (≈ 50 MB of XML parse to a few hundred MB of objects). */
const WORKER_HEAP_MB = 768;

/** The worker: its own file in the production build (scripts/build-node.ts), else the TypeScript source through tsx. */
function startWorker(options: WorkerOptions): Worker {
  if (import.meta.url.endsWith('.js')) return new Worker(new URL('./cnml-worker.js', import.meta.url), options);
  // Node 20 does not run the parent's --import (tsx's loader) in a worker: the worker loads the source through tsx itself.
  const [tsx, source] = [import.meta.resolve('tsx/esm/api'), new URL('./cnml-worker.ts', import.meta.url).href];
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(source)}, ${JSON.stringify(import.meta.url)}))`, { ...options, eval: true });
}

/** The devices of a CNML file, parsed on a worker thread with a capped heap; throws the reason it could not be read. */
export function parseCnmlInWorker(bytes: Uint8Array, options: CnmlOptions, { heapMb = WORKER_HEAP_MB, signal }: { heapMb?: number; signal?: AbortSignal } = {}): Promise<CnmlDevice[]> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('stopped'));
    // Transferring detaches the whole buffer: a view into a bigger one (Node's pool) is copied first.
    const own = bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    const input: CnmlWorkerInput = { bytes: own, options };
    const worker = startWorker({ workerData: input, transferList: [own.buffer as ArrayBuffer], resourceLimits: { maxOldGenerationSizeMb: heapMb } });
    let settled = false;
    // A stop or a settings change while it parses: the worker goes, its heap with it.
    const abandon = () => {
      settled = true;
      void worker.terminate();
      reject(new Error('stopped'));
    };
    signal?.addEventListener('abort', abandon, { once: true });
    worker.once('exit', () => signal?.removeEventListener('abort', abandon));
    worker.once('message', (reply: CnmlWorkerReply) => {
      if (settled) return;
      settled = true;
      if ('error' in reply) reject(new Error(reply.error));
      else resolve(reply.devices);
    });
    worker.once('error', (error: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new Error(`it needs more than ${heapMb} MB to read: export a smaller zone`) : error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the CNML reader stopped (exit code ${code})`));
    });
  });
}

async function readLimited(response: Response): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_CNML_BYTES) throw new Error(`it is larger than ${MAX_CNML_BYTES / 1024 / 1024} MB`);
    chunks.push(chunk);
  }
  // A buffer of its own (not a slice of Node's pool), so it can be handed to the worker without a copy.
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return whole;
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
      const devices = await parseCnmlInWorker(await readLimited(response), graphServerId === '' ? {} : { graphServerId }, { signal });
      this.state = { ...this.state, devices, readAt: Date.now(), error: null };
    } catch (error) {
      // Tried again at the next round, not in an hour.
      this.state = { ...this.state, error: (error as Error).message };
    }
  }
}
