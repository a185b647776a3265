// Facts about the machine for the dashboard: hostname, addresses, CPU, memory, disk, uptime.
import { readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';

import type { NodeInfo } from '../shared/api-contract.ts';

/** The node's own name: its root dir's etc/hostname (what the panel sets), else the machine's. */
export async function nodeHostname(root: string): Promise<string> {
  const written = await readFile(path.join(root, 'etc/hostname'), 'utf8').catch(() => '');
  return written.trim() || os.hostname();
}

export async function readNodeInfo(root: string, dataDir: string, version: string): Promise<NodeInfo> {
  const addresses = Object.entries(os.networkInterfaces()).flatMap(([name, entries]) =>
    (entries ?? []).filter((entry) => !entry.internal).map((entry) => ({ interface: name, address: entry.address, family: entry.family })),
  );
  const cpus = os.cpus();
  const disk = await statfs(dataDir);
  return {
    hostname: await nodeHostname(root),
    addresses,
    cpu: { model: cpus[0]?.model ?? 'unknown', cores: cpus.length, loadAverage: os.loadavg() },
    memory: { totalBytes: os.totalmem(), availableBytes: os.freemem() },
    disk: { path: dataDir, totalBytes: disk.blocks * disk.bsize, availableBytes: disk.bavail * disk.bsize },
    uptimeSeconds: os.uptime(),
    version,
  };
}
