// Lab smoke test: two Cloudy nodes, each in its own network namespace, answer on their own addresses.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { nodeLayout } from '../../src/shared/node-layout.ts';
import { cloudyStartArgv } from '../support/cloudy-node.ts';
import { createLab, type Lab, type LabHost, type LabProcess } from '../support/netns-lab.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HTTP_PORT = 7000;
const HTTPS_PORT = 7443;
const HEALTHY_WITHIN_MS = 60_000;
const STOP_GRACE_MS = 20_000;

// Run inside the client's namespace: retries GET <https health URL> (self-signed, so no verification)
// until it answers {status:'ok'}, then asks the plain-HTTP URL once without following the redirect.
// Prints one JSON line with the health body, the server certificate's SHA-256 and the redirect.
const HEALTH_PROBE = `
const https = require('node:https');
const http = require('node:http');
const [healthUrl, plainUrl, waitMs] = process.argv.slice(1);
const deadline = Date.now() + Number(waitMs);
let lastProblem = 'no attempt';
function finish(health, fingerprint) {
  http.get(plainUrl, { agent: false, timeout: 5000 }, (res) => {
    res.resume();
    console.log(JSON.stringify({ health, fingerprint, redirectStatus: res.statusCode, location: res.headers.location }));
    process.exit(0);
  }).on('error', (error) => { console.error('plain http: ' + error.message); process.exit(1); });
}
function retry(problem) {
  lastProblem = problem;
  if (Date.now() >= deadline) { console.error('not healthy: ' + lastProblem); process.exit(1); }
  setTimeout(attempt, 250);
}
function attempt() {
  const req = https.get(healthUrl, { rejectUnauthorized: false, agent: false, timeout: 5000 }, (res) => {
    const fingerprint = res.socket.getPeerCertificate().fingerprint256;
    let body = '';
    res.setEncoding('utf8').on('data', (chunk) => { body += chunk; }).on('end', () => {
      try {
        const health = JSON.parse(body);
        if (res.statusCode === 200 && health.status === 'ok') return finish(health, fingerprint);
      } catch {}
      retry('HTTP ' + res.statusCode + ' ' + body.slice(0, 200));
    });
  });
  req.on('timeout', () => req.destroy(new Error('timed out')));
  req.on('error', (error) => retry(error.message));
}
attempt();
`;

interface HealthAnswer {
  health: { status: string; version: unknown; setupRequired: unknown };
  fingerprint: string;
  redirectStatus: number;
  location?: string;
}
interface RunningNode { host: LabHost; root: string; process: LabProcess }

function startNode(lab: Lab, host: LabHost, root: string): RunningNode {
  const argv = cloudyStartArgv(['--root', root, '--listen', host.address, '--http-port', String(HTTP_PORT), '--https-port', String(HTTPS_PORT)]);
  return { host, root, process: lab.spawn(host, argv, { cwd: REPO_ROOT }) };
}

/** Asks `node` for its health from `client`'s namespace; fails early, with the node's output, if it dies. */
async function healthFrom(lab: Lab, client: LabHost, node: RunningNode): Promise<HealthAnswer> {
  const { address } = node.host;
  const probe = lab.run(client, [process.execPath, '-e', HEALTH_PROBE,
    `https://${address}:${HTTPS_PORT}/api/health`, `http://${address}:${HTTP_PORT}/api/health`, String(HEALTHY_WITHIN_MS)],
  { timeoutMs: HEALTHY_WITHIN_MS + 10_000 });
  const outcome = await Promise.race([probe, node.process.exited.then((code) => ({ exitedEarly: code }))]);
  if ('exitedEarly' in outcome) {
    assert.fail(`node on ${node.host.name} exited with code ${outcome.exitedEarly} before it was healthy:\n${node.process.output()}`);
  }
  assert.equal(outcome.code, 0,
    `${client.name} got no healthy answer from ${node.host.name}: ${outcome.stderr}\nnode output:\n${node.process.output()}`);
  return JSON.parse(outcome.stdout) as HealthAnswer;
}

/** Each PID still in the namespace, with its command line for the failure message. */
function processesIn(netns: string): string[] {
  return execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map((pid) => {
    try { return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`; } catch { return pid; }
  });
}

test('two Cloudy nodes answer on their own addresses', {
  timeout: 3 * HEALTHY_WITHIN_MS,
  skip: process.getuid?.() !== 0 && 'needs root to create network namespaces',
}, async () => {
  const lab = await createLab(2);
  const roots: string[] = [];
  try {
    const nodes = await Promise.all(lab.hosts.map(async (host) => {
      const root = await mkdtemp(path.join(tmpdir(), `cloudy-lab-${host.name}-`));
      await chmod(root, 0o755); // the node's unprivileged account must be able to enter its root
      roots.push(root);
      return startNode(lab, host, root);
    }));
    const [node1, node2] = nodes as [RunningNode, RunningNode];

    const answers = await Promise.all([healthFrom(lab, node2.host, node1), healthFrom(lab, node1.host, node2)]);
    for (const [node, answer] of [[node1, answers[0]], [node2, answers[1]]] as const) {
      assert.equal(answer.health.status, 'ok');
      assert.equal(answer.health.setupRequired, true);
      assert.equal(typeof answer.health.version, 'string');
      // Right node: the certificate served on its address is the one in its own root dir.
      const ownCert = new X509Certificate(readFileSync(nodeLayout(node.root).tlsCertFile));
      assert.equal(answer.fingerprint, ownCert.fingerprint256, `${node.host.address} served another node's certificate`);
      assert.ok([301, 308].includes(answer.redirectStatus), `plain HTTP answered ${answer.redirectStatus}, not a redirect`);
      assert.ok(answer.location?.startsWith(`https://${node.host.address}:${HTTPS_PORT}/`),
        `redirect to ${answer.location} does not name https://${node.host.address}:${HTTPS_PORT}/`);
    }
    assert.notEqual(answers[0].fingerprint, answers[1].fingerprint, 'both nodes serve the same certificate');

    for (const node of nodes) {
      const started = Date.now();
      await node.process.stop('SIGTERM', STOP_GRACE_MS);
      assert.ok(Date.now() - started < STOP_GRACE_MS, `node on ${node.host.name} ignored SIGTERM and was killed`);
      // SIGTERM to the node must also end everything it started (its children live in the same namespace).
      let left = processesIn(node.host.netns);
      for (let i = 0; i < 50 && left.length > 0; i++) {
        await sleep(100);
        left = processesIn(node.host.netns);
      }
      assert.deepEqual(left, [], `processes left in ${node.host.name} after stopping its node`);
    }
  } finally {
    await lab.destroy();
    await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
  }
});
