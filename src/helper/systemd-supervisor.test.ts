import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchCommand } from './supervisor.ts';
import { parseJournal, parseShow, systemdRunArgs, unitName } from './systemd-supervisor.ts';

test('a daemon id names one unit; anything else is refused before systemctl sees it', () => {
  assert.equal(unitName('syncthing.syncthing'), 'cloudy-syncthing-syncthing.service');
  assert.equal(unitName('vpn.community'), 'cloudy-vpn-community.service');
  for (const bad of ['', '../x', 'a b', 'x;reboot', 'A.b', `${'a'.repeat(90)}`]) assert.throws(() => unitName(bad), /cannot name a unit/);
});

test('the unit runs the same argv, user, environment and directory as the embedded supervisor would', () => {
  const args = systemdRunArgs({ id: 'syncthing.syncthing', argv: ['/usr/bin/syncthing', 'serve', '--no-browser'], env: { HOME: '/var/lib/cloudy-syncthing' }, uid: 998, gid: 997, cwd: '/var/lib/cloudy-syncthing' });
  assert.ok(args.includes('--unit=cloudy-syncthing-syncthing.service'));
  assert.ok(args.includes('--uid=998') && args.includes('--gid=997'));
  assert.ok(args.includes('--working-directory=/var/lib/cloudy-syncthing'));
  assert.ok(args.includes('--setenv=HOME=/var/lib/cloudy-syncthing') && args.includes('--setenv=LANG=C.UTF-8'));
  assert.ok(args.includes('Restart=on-failure'));
  assert.deepEqual(args.slice(args.indexOf('--') + 1), ['/usr/bin/syncthing', 'serve', '--no-browser'], 'the daemon argv comes last, after --, untouched');
});

test('systemctl show states map to the supervisor states', () => {
  const show = (fields: Record<string, string>) => Object.entries(fields).map(([key, value]) => `${key}=${value}`).join('\n');
  assert.deepEqual(parseShow('a.b', show({ LoadState: 'loaded', ActiveState: 'active', SubState: 'running', MainPID: '42', NRestarts: '2', ExecMainCode: '0', ExecMainStatus: '0' })), {
    id: 'a.b',
    state: 'running',
    pid: 42,
    restarts: 2,
    lastExit: null,
  });
  assert.equal(parseShow('a.b', show({ LoadState: 'not-found', ActiveState: 'inactive', MainPID: '0' })).state, 'stopped');
  assert.equal(parseShow('a.b', show({ LoadState: 'loaded', ActiveState: 'activating', SubState: 'auto-restart', MainPID: '0' })).state, 'backoff');
  const failed = parseShow('a.b', show({ LoadState: 'loaded', ActiveState: 'failed', SubState: 'failed', MainPID: '0', ExecMainCode: '1', ExecMainStatus: '3' }));
  assert.equal(failed.state, 'failed');
  assert.equal(failed.pid, null);
  assert.equal(failed.lastExit, 'exit code 3');
});

test('journal lines keep their time and text, also when the text is not UTF-8 and systemd logged it', () => {
  const lines = parseJournal(
    [
      JSON.stringify({ __REALTIME_TIMESTAMP: '1764244800000000', MESSAGE: 'hello', _TRANSPORT: 'stdout', _PID: '77' }),
      JSON.stringify({ __REALTIME_TIMESTAMP: '1764244801000000', MESSAGE: [104, 105, 0xff], _TRANSPORT: 'stdout', _PID: '77' }),
      JSON.stringify({ __REALTIME_TIMESTAMP: '1764244802000000', MESSAGE: 'Started cloudy-a-b.service.', _TRANSPORT: 'journal', _PID: '1' }),
    ].join('\n'),
  );
  assert.deepEqual(
    lines.map((line) => [line.time, line.source, line.text]),
    [
      ['2025-11-27T12:00:00.000Z', 'stdout', 'hello'],
      ['2025-11-27T12:00:01.000Z', 'stdout', 'hi\ufffd'],
      ['2025-11-27T12:00:02.000Z', 'supervisor', 'Started cloudy-a-b.service.'],
    ],
  );
});

test('a daemon that binds a low port keeps only that capability, as a unit and under the embedded supervisor', () => {
  const spec = { id: 'dnsservices.named', argv: ['named', '-g'], env: {}, uid: 990, gid: 990, capabilities: ['net_bind_service'] };
  const args = systemdRunArgs(spec);
  assert.ok(args.includes('AmbientCapabilities=CAP_NET_BIND_SERVICE'));
  assert.deepEqual(args.slice(args.indexOf('--') + 1), ['named', '-g']);
  assert.deepEqual(launchCommand(spec), {
    argv: ['setpriv', '--reuid=990', '--regid=990', '--clear-groups', '--inh-caps=+net_bind_service', '--ambient-caps=+net_bind_service', '--', 'named', '-g'],
  });
  assert.deepEqual(launchCommand({ ...spec, capabilities: [] }), { argv: ['named', '-g'], uid: 990, gid: 990 });
});
