// Tests of the namespace lab itself: reachability across the bridge, isolation, and leak-free teardown.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLab } from './netns-lab.ts';

const PORT = 18080;
const needsRoot = { skip: process.getuid?.() !== 0 && 'needs root to create network namespaces' };

// A server that names the address it is bound to, so the client can tell who answered.
const HELLO_SERVER = `
const [address, port] = process.argv.slice(1);
require('node:http')
  .createServer((req, res) => res.end('hello from ' + address))
  .listen(Number(port), address, () => console.log('listening'));
`;

// Prints "<status> <body>" or "error <code>"; the URL arrives as argv.
const HTTP_GET = `
require('node:http').get(process.argv[1], { timeout: 2000 }, (res) => {
  let body = '';
  res.setEncoding('utf8').on('data', (chunk) => { body += chunk; }).on('end', () => console.log(res.statusCode + ' ' + body));
}).on('error', (error) => console.log('error ' + error.code));
`;

const namespacesWith = (tag: string) => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
  .split('\n').filter((line) => line.includes(tag));
const linksWith = (tag: string) => execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })
  .split('\n').filter((line) => line.includes(`cv${tag}`) || line.includes(`cb${tag}`));
/** A zombie counts as gone: it has exited, and nothing may reap orphans on a machine without an init. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch { return false; }
}

test('two hosts reach each other over the bridge, not over loopback, and leave nothing behind', needsRoot, async () => {
  const lab = await createLab(2);
  const [h1, h2] = lab.hosts as [typeof lab.hosts[0], typeof lab.hosts[0]];
  let serverPid = 0;
  try {
    assert.match(lab.subnet, /^10\.\d+\.\d+\.0\/24$/);
    assert.equal(namespacesWith(lab.tag).length, 2);

    const server = lab.spawn(h1, [process.execPath, '-e', HELLO_SERVER, h1.address, String(PORT)]);
    serverPid = server.pid;
    await lab.waitForTcp(h2, h1.address, PORT, 5000);
    assert.match(server.output(), /listening/);

    // `ip netns exec` execs the program: the tracked PID is the server itself, living in h1.
    const h1Pids = execFileSync('ip', ['netns', 'pids', h1.netns], { encoding: 'utf8' }).split(/\s+/);
    assert.ok(h1Pids.includes(String(server.pid)), `pid ${server.pid} not in ${h1.netns}: ${h1Pids.join(' ')}`);

    const across = await lab.run(h2, [process.execPath, '-e', HTTP_GET, `http://${h1.address}:${PORT}/`]);
    assert.equal(across.stdout.trim(), `200 hello from ${h1.address}`);

    const ownLoopback = await lab.run(h2, [process.execPath, '-e', HTTP_GET, `http://127.0.0.1:${PORT}/`]);
    assert.equal(ownLoopback.stdout.trim(), 'error ECONNREFUSED');
  } finally {
    await lab.destroy();
  }
  await lab.destroy(); // idempotent

  assert.deepEqual(namespacesWith(lab.tag), []);
  assert.deepEqual(linksWith(lab.tag), []);
  assert.equal(isAlive(serverPid), false, `server pid ${serverPid} survived destroy()`);
});

test('a test process killed by SIGTERM still removes its lab', needsRoot, async () => {
  const labModule = fileURLToPath(new URL('./netns-lab.ts', import.meta.url));
  const script = `
    const { createLab } = await import(process.argv[1]);
    const lab = await createLab(1);
    const sleeper = lab.spawn(lab.hosts[0], [process.execPath, '-e', 'setInterval(() => {}, 1000)']);
    console.log(JSON.stringify({ tag: lab.tag, pid: sleeper.pid }));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, labModule],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const [firstLine] = await once(child.stdout.setEncoding('utf8'), 'data') as [string];
  const { tag, pid } = JSON.parse(firstLine) as { tag: string; pid: number };
  assert.equal(namespacesWith(tag).length, 1);

  child.kill('SIGTERM');
  const [, signal] = await once(child, 'exit') as [number | null, NodeJS.Signals | null];
  assert.equal(signal, 'SIGTERM', 'the signal should still end the process after cleanup');

  assert.deepEqual(namespacesWith(tag), []);
  assert.deepEqual(linksWith(tag), []);
  // SIGKILL was sent synchronously; give the kernel a moment to reap it.
  for (let i = 0; i < 20 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(isAlive(pid), false, `sleeper pid ${pid} survived the test process`);
});
