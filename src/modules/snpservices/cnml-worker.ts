// Reads a CNML export on a worker thread (cnml-source.ts starts it): guifi.net's whole-network export is tens of MB,
// and parsing it on cloudyd's own thread would hold every API request for seconds. The worker's heap is capped, so a
// file too big to read fails here, not in cloudyd.
import { parentPort, workerData } from 'node:worker_threads';

import { cnmlDevices, type CnmlDevice, type CnmlOptions } from './cnml-devices.ts';

export interface CnmlWorkerInput {
  /** The file as read from the server (transferred, not copied). */
  bytes: Uint8Array;
  options: CnmlOptions;
}

export type CnmlWorkerReply = { devices: CnmlDevice[] } | { error: string };

const { bytes, options } = workerData as CnmlWorkerInput;
let reply: CnmlWorkerReply;
try {
  reply = { devices: cnmlDevices(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), options) };
} catch (error) {
  reply = { error: (error as Error).message };
}
parentPort!.postMessage(reply);
