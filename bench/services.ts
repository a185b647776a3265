// `npm run bench:services`: WebDAV (apache) and the community proxy (squid) as their modules run them, each against a
// baseline measured in the same run: a bare node:https file server, and the origin server asked directly.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { proxy3Manifest } from '../src/modules/proxy3/manifest.ts';
import { webdavManifest } from '../src/modules/webdav/manifest.ts';
import { installFromMirror } from '../test/support/lab-node.ts';
import { dpkgInstalled } from '../test/support/module-lifecycle.ts';
import { createLab, type LabHost } from '../test/support/netns-lab.ts';
import { onCleanup, runBench } from './bench-cleanup.ts';
import { progress } from './discovery-measure.ts';
import { formatSection } from './report-table.ts';
import { measureProxy } from './services-proxy.ts';
import { bigFileSection, parallelSection, proxySection, ratioLines } from './services-report.ts';
import { measureWebdav } from './services-webdav.ts';

async function tempRoot(name: string): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), `cloudy-bench-${name}-`));
  onCleanup(() => rm(root, { recursive: true, force: true }));
  // mkdtemp makes it 0700: apache and squid run as their module users and must reach their files below it.
  await chmod(root, 0o755);
  return root;
}

async function main(): Promise<void> {
  const started = performance.now();
  const load = os.loadavg().map((value) => value.toFixed(1)).join(' ');
  // The lifecycle tests install and remove the modules' packages; the bench installs what is missing and leaves it.
  const missing = [...webdavManifest.packages, ...proxy3Manifest.packages].filter((name) => !dpkgInstalled(name));
  if (missing.length > 0) {
    progress(`installing ${missing.join(', ')}`);
    installFromMirror(...missing);
  }
  // h1: apache, the plain HTTPS server and the origin; h2: squid. The bridge has an address, so autocannon in this
  // process reaches the origin directly and through squid by the same kind of path.
  const lab = await createLab(2, { namePrefix: 'csvc', reachableFromHost: true });
  onCleanup(() => lab.destroy());
  const [h1, h2] = lab.hosts as [LabHost, LabHost];

  const webdav = await measureWebdav(lab, h1, await tempRoot('webdav'));
  const proxy = await measureProxy(lab, h1, h2, await tempRoot('proxy3'));

  console.log(`\nCloudy services bench — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average at start ${load}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log('Every baseline was measured in this run, on the same machine; ratios are module ÷ baseline.\n');
  console.log([bigFileSection(webdav), parallelSection(webdav), proxySection(proxy)].map(formatSection).join('\n\n'));
  console.log(`\n${ratioLines(webdav, proxy).join('\n')}`);
}

await runBench(main);
