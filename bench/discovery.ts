// `npm run bench:discovery`: search latency, publish → visible over mDNS and Serf, idle memory; each against a baseline of the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { onCleanup, runBench } from './bench-cleanup.ts';
import { startBenchLab } from './discovery-lab.ts';
import { mdnsSection, memorySection, serfSection } from './discovery-lab-report.ts';
import { measureMdns } from './discovery-mdns.ts';
import { measureIdleMemory } from './discovery-memory.ts';
import { measureSearch } from './discovery-search.ts';
import { measureSerfCluster } from './discovery-serf-cluster.ts';
import { searchApiSection, searchCliSection, searchProfileSection } from './discovery-search-report.ts';
import { formatSection, type Section } from './report-table.ts';
import { makeBaselineCert } from './timed-start.ts';

async function main(): Promise<void> {
  const started = performance.now();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'cloudy-bench-discovery-'));
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }));
  const tls = await makeBaselineCert(workDir);
  const sections: Section[] = [];

  const search = await measureSearch(tls, workDir);
  sections.push(searchApiSection(search), searchProfileSection(search), searchCliSection(search));

  // One lab for sections 2–4: the nodes on h1 and h2 first measure idle and over mDNS, then 18 plain agents join for Serf.
  const bench = await startBenchLab(20);
  const memory = await measureIdleMemory(bench);
  sections.push(mdnsSection(await measureMdns(bench)));
  sections.push(serfSection(await measureSerfCluster(bench)));
  sections.push(memorySection(memory, search));

  console.log(`\nCloudy discovery bench — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log('Ratios are Cloudy ÷ baseline; baselines were measured in this run. Goals are from the discovery issue.\n');
  console.log(sections.map(formatSection).join('\n\n'));
}

await runBench(main);
