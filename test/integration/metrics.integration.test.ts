// Monitoring against a real node: /metrics refuses a scrape without a token, a real Prometheus from Debian scrapes it
// with one (and promtool finds the text well formed), the history has the first minute's gauges, revoking stops scrapes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import type { MetricsHistory, MetricsTokenCreated } from '../../src/shared/metrics-contract.ts';
import { freePort, nodeWithAdminForFile, repoDir } from '../support/cloudy-node.ts';
import { eventually } from '../support/lab-node.ts';
import { sendSignal } from '../support/process-kit.ts';

const given = nodeWithAdminForFile();
const scratch = mkdtempSync(path.join(tmpdir(), 'cloudy-prometheus-'));
const started: number[] = [];
after(() => {
  for (const pid of started) sendSignal(pid, 'SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function cloudy<T>(...args: string[]): T {
  const result = spawnSync('bin/cloudy', ['--root', given.node.root, '--json', ...args], { cwd: repoDir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

function scrape(token?: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const req = request(`${given.node.baseUrl}/metrics`, { rejectUnauthorized: false, headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function prometheusQuery(port: number, query: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?${new URLSearchParams({ query })}`);
  const answer = (await response.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return answer.data.result;
}

let token = '';

test('a scrape without a token, or with a made-up one, is refused', async () => {
  const anonymous = await scrape();
  assert.equal(anonymous.status, 401);
  assert.equal((await scrape('A'.repeat(43))).status, 401);
});

test('with a token the text passes promtool and a real Prometheus scrapes the node', async () => {
  const created = cloudy<MetricsTokenCreated>('metrics', 'token', 'create', 'test prometheus');
  token = created.token;
  const scraped = await scrape(token);
  assert.equal(scraped.status, 200);
  assert.match(scraped.type, /^text\/plain; version=0\.0\.4/);
  assert.match(scraped.body, /^cloudy_node_load1 \d/m);
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: scraped.body, encoding: 'utf8' });
  assert.equal(lint.status, 0, `${lint.stdout}${lint.stderr}`);

  const port = await freePort();
  const target = new URL(given.node.baseUrl).host;
  const config = path.join(scratch, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s }',
      'scrape_configs:',
      '  - job_name: cloudy',
      '    scheme: https',
      '    tls_config: { insecure_skip_verify: true }',
      `    authorization: { credentials: ${token} }`,
      `    static_configs: [{ targets: ["${target}"] }]`,
      '',
    ].join('\n'),
  );
  const prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(scratch, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  started.push(prometheus.pid!);
  const up = await eventually('Prometheus to scrape the node', 30_000, async () => {
    const result = await prometheusQuery(port, 'up{job="cloudy"}').catch(() => []);
    return result[0]?.value[1] === '1' ? result : undefined;
  });
  assert.equal(up.length, 1);
  const memory = await prometheusQuery(port, 'cloudy_node_memory_total_bytes');
  assert.ok(Number(memory[0]?.value[1]) > 0, JSON.stringify(memory));
  const tokens = cloudy<Array<{ id: string; lastUsedAt: string | null }>>('metrics', 'token', 'list');
  assert.ok(tokens.find((listed) => listed.id === created.id)?.lastUsedAt, 'the token shows when it was last used');
});

test('the history has the gauges of the first reading, taken at start', () => {
  const history = cloudy<MetricsHistory>('metrics', 'history', 'load1', 'memory', 'disk', '--range', '1h');
  assert.equal(history.step, 60);
  for (const name of ['load1', 'memory', 'disk']) assert.ok((history.series[name]?.length ?? 0) >= 1, `${name}: ${JSON.stringify(history.series[name])}`);
  assert.ok(history.series.memory!.every(([, percent]) => percent > 0 && percent <= 100));
});

test('a hostile token name is refused with a reason, and no token is made', () => {
  const before = cloudy<unknown[]>('metrics', 'token', 'list').length;
  for (const name of ['<script>alert(1)</script>', 'two\nlines', 'x'.repeat(200), '../../etc/passwd', '']) {
    const result = spawnSync('bin/cloudy', ['--root', given.node.root, 'metrics', 'token', 'create', name], { cwd: repoDir, encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(result.status, 0, name);
    assert.match(result.stderr, name === '' ? /needs a name/ : /name/, result.stderr);
  }
  assert.equal(cloudy<unknown[]>('metrics', 'token', 'list').length, before);
});

test('a revoked token scrapes no more', async () => {
  const [listed] = cloudy<Array<{ id: string }>>('metrics', 'token', 'list');
  cloudy('metrics', 'token', 'revoke', listed!.id);
  assert.equal((await scrape(token)).status, 401);
});
