// The `cloudy` command against a real node: human and --json output, field errors, followed operations.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { nodeWithAdminForFile, repoDir } from '../support/cloudy-node.ts';

const given = nodeWithAdminForFile();

function cloudy(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bin/cloudy', ['--root', given.node.root, ...args], { cwd: repoDir, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('status and module list, for people and for scripts', () => {
  const human = cloudy('status');
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /Cloudy \d+\.\d+\.\d+/);
  assert.match(human.stdout, /^syncthing\s+/m);

  const json = cloudy('--json', 'status');
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout);
  assert.equal(typeof parsed.node.hostname, 'string');
  assert.ok(parsed.modules.some((module: { id: string }) => module.id === 'syncthing'));

  const list = JSON.parse(cloudy('--json', 'module', 'list').stdout) as Array<{ id: string; state: { installed: boolean } }>;
  assert.equal(typeof list.find((module) => module.id === 'syncthing')?.state.installed, 'boolean');
});

test('configure reads KEY=VALUE, reports bad fields by name and saves nothing then', async () => {
  const bad = cloudy('module', 'configure', 'syncthing', 'listenPort=22000;reboot', 'deviceName=$(id)');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /listenPort: Sync port must be a whole number/);
  assert.match(bad.stderr, /deviceName: Device name /);
  assert.equal(cloudy('module', 'configure', 'syncthing', 'not-a-pair').status, 1);
  assert.equal((await given.session.request('GET', '/api/modules/syncthing')).body.config.listenPort, 22000);

  const good = cloudy('--json', 'module', 'configure', 'syncthing', 'listenPort=22042', 'relays=false', 'deviceName=cli node');
  assert.equal(good.status, 0, good.stderr);
  assert.equal(JSON.parse(good.stdout).config.listenPort, 22042);
  const shown = cloudy('module', 'show', 'syncthing');
  assert.match(shown.stdout, /deviceName = cli node/);
});

test('an operation is followed to its end through the event stream', () => {
  const stopped = cloudy('--json', 'module', 'stop', 'syncthing');
  assert.equal(stopped.status, 0, stopped.stderr);
  const operation = JSON.parse(stopped.stdout);
  assert.equal(operation.state, 'completed');
  assert.equal(operation.kind, 'stop');
});

test('module diagnose lists every check in the language of the locale, and its exit status says whether all passed', () => {
  const catalan = spawnSync('bin/cloudy', ['--root', given.node.root, 'module', 'diagnose', 'syncthing'], {
    cwd: repoDir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LC_ALL: '', LANG: 'ca_ES.UTF-8' },
  });
  // Syncthing is not installed on this node: the package check fails, the rest need it running and it is stopped.
  assert.equal(catalan.status, 3, catalan.stderr);
  assert.match(catalan.stdout, /^failed\s+Paquets de Debian instal·lats: syncthing$/m);
  assert.match(catalan.stdout, /^not-running\s+El dimoni syncthing està en marxa$/m);
  assert.match(catalan.stdout, /^not-running\s+Syncthing respon a la seva API REST$/m);

  const json = cloudy('--json', 'module', 'diagnose', 'syncthing');
  const checks = JSON.parse(json.stdout) as Array<{ checkId: string; description: string; result: string }>;
  assert.deepEqual(
    checks.map((check) => `${check.checkId}=${check.result}`),
    ['syncthing-packages=failed', 'syncthing-daemon-syncthing=not-running', 'syncthing-rest-reachable=not-running', 'syncthing-listening=not-running'],
  );
  assert.equal(checks[1]!.description, 'The syncthing daemon is running');
});

test('mistakes get a sentence, not a stack trace', () => {
  const unknown = cloudy('module', 'frobnicate', 'syncthing');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown module command "frobnicate"/);
  const missing = cloudy('module', 'show', 'nosuchmodule');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /Module nosuchmodule does not exist/);
  const noNode = spawnSync('bin/cloudy', ['--root', '/nonexistent-root', 'status'], { cwd: repoDir, encoding: 'utf8' });
  assert.equal(noNode.status, 1);
  assert.match(noNode.stderr, /no running Cloudy node under \/nonexistent-root/);
  assert.doesNotMatch(noNode.stderr, /\n\s+at /);
});
