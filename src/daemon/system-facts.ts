// Facts about the machine for the dashboard: hostname, addresses, CPU, memory, disk, uptime.
import { statfs } from 'node:fs/promises';
import os from 'node:os';

import type { NodeInfo } from '../shared/api-contract.ts';

export async function readNodeInfo(dataDir: string, version: string): Promise<NodeInfo> {
  const addresses = Object.entries(os.networkInterfaces()).flatMap(([name, entries]) =>
    (entries ?? []).filter((entry) => !entry.internal).map((entry) => ({ interface: name, address: entry.address, family: entry.family })),
  );
  const cpus = os.cpus();
  const disk = await statfs(dataDir);
  return {
    hostname: os.hostname(),
    addresses,
    cpu: { model: cpus[0]?.model ?? 'unknown', cores: cpus.length, loadAverage: os.loadavg() },
    memory: { totalBytes: os.totalmem(), availableBytes: os.freemem() },
    disk: { path: dataDir, totalBytes: disk.blocks * disk.bsize, availableBytes: disk.bavail * disk.bsize },
    uptimeSeconds: os.uptime(),
    version,
  };
}
