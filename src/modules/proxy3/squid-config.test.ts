// squid.conf generation: the directives each setting produces, rule order, and refusal of anything injectable.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Proxy3ValueError } from './proxy3-values.ts';
import { DEFAULT_BLOCKED_DESTINATIONS, squidConfig } from './squid-config.ts';
import type { SquidConfigInput } from './squid-config.ts';

const base: SquidConfigInput = {
  port: 3128,
  visibleHostname: 'node1.guifi.net',
  clientSubnets: ['10.0.0.0/8'],
  authentication: 'local',
  cacheMemMiB: 64,
  cacheDiskMiB: 0,
  errorLanguage: 'ca',
  blockedDestinations: DEFAULT_BLOCKED_DESTINATIONS,
  parents: [],
  paths: { configDir: '/etc/cloudy-proxy3', stateDir: '/var/lib/cloudy-proxy3' },
};
const ldap = {
  servers: ['ldap.guifi.net', '10.1.2.3:3389'],
  usersDn: 'ou=users,dc=guifi,dc=net',
  proxiesDn: 'ou=proxies,dc=guifi,dc=net',
  bindDn: 'cn=squid,dc=guifi,dc=net',
  proxyId: '1002',
  federation: 'in' as const,
  federatedProxies: ['1001', '2040'],
};

const lines = (text: string) => text.split('\n');
const directive = (text: string, name: string) => lines(text).filter((line) => line.startsWith(`${name} `));

test('basic directives: port, files in the module paths, caches, language', () => {
  const conf = squidConfig({ ...base, cacheDiskMiB: 2048 });
  assert.deepEqual(directive(conf, 'http_port'), ['http_port 3128']);
  assert.deepEqual(directive(conf, 'visible_hostname'), ['visible_hostname node1.guifi.net']);
  assert.deepEqual(directive(conf, 'pid_filename'), ['pid_filename /var/lib/cloudy-proxy3/run/squid.pid']);
  assert.deepEqual(directive(conf, 'cache_mem'), ['cache_mem 64 MB']);
  assert.deepEqual(directive(conf, 'cache_dir'), ['cache_dir ufs /var/lib/cloudy-proxy3/cache 2048 16 256']);
  assert.deepEqual(directive(conf, 'error_default_language'), ['error_default_language ca']);
  assert.deepEqual(directive(conf, 'include'), ['include /etc/cloudy-proxy3/admin.conf']);
  assert.equal(directive(squidConfig(base), 'cache_dir').length, 0, 'cacheDiskMiB 0: no disk cache');
});

test('access rules: node and blocked ranges denied before the admin include, then clients, then login', () => {
  const conf = lines(squidConfig(base));
  const at = (line: string) => { const index = conf.indexOf(line); assert.ok(index >= 0, `missing: ${line}`); return index; };
  assert.ok(conf.includes('acl p3_blocked_dst dst 192.168.0.0/16 172.16.0.0/12'), '2015 defaults; 10/8 stays reachable');
  assert.ok(at('http_access deny to_localhost') < at('include /etc/cloudy-proxy3/admin.conf'));
  assert.ok(at('http_access deny p3_blocked_dst') < at('include /etc/cloudy-proxy3/admin.conf'));
  assert.ok(at('include /etc/cloudy-proxy3/admin.conf') < at('http_access deny !p3_clients'));
  assert.ok(at('http_access deny !p3_clients') < at('http_access deny !p3_login'));
  assert.ok(at('http_access deny !p3_login') < at('http_access allow p3_login'));
  assert.equal(conf.filter((line) => line.startsWith('http_access')).at(-1), 'http_access deny all');
  assert.ok(conf.includes('auth_param basic program /usr/lib/squid/basic_ncsa_auth /etc/cloudy-proxy3/passwords'));
});

test('without login the allowed networks are enough; without blocked ranges there is no dst rule', () => {
  const conf = squidConfig({ ...base, authentication: 'none', blockedDestinations: [] });
  assert.ok(!conf.includes('auth_param'));
  assert.ok(conf.includes('http_access allow p3_clients'));
  assert.ok(!conf.includes('p3_blocked_dst'));
});

test('LDAP: main and backup server, bind secret by file only, groups of this proxy and the federated ones', () => {
  const conf = squidConfig({ ...base, authentication: 'ldap', ldap });
  const [auth] = directive(conf, 'auth_param basic program');
  assert.match(auth!, /basic_ldap_auth .*-b ou=users,dc=guifi,dc=net .*-D cn=squid,dc=guifi,dc=net -W \/etc\/cloudy-proxy3\/ldap-bind-secret/);
  assert.match(auth!, /-H ldap:\/\/ldap\.guifi\.net:389 -H ldap:\/\/10\.1\.2\.3:3389$/);
  assert.ok(!/-w /.test(conf), 'never the password itself');
  const [external] = directive(conf, 'external_acl_type');
  assert.match(external!, /%LOGIN \/usr\/lib\/squid\/ext_ldap_group_acl .*-f \(&\(objectClass=groupOfNames\)\(cn=%g\)\(member=%u\)\)/);
  assert.deepEqual(directive(conf, 'acl p3_federated_user'), ['acl p3_federated_user external p3_home_proxy 1002 1001 2040']);
  assert.ok(conf.includes('http_access allow p3_federated_user'));
  assert.ok(!conf.includes('http_access allow p3_login'), 'a valid password alone is not enough');
});

test('federation modes: private and out accept only this proxy’s group', () => {
  for (const federation of ['private', 'out'] as const) {
    const conf = squidConfig({ ...base, authentication: 'ldap', ldap: { ...ldap, federation } });
    assert.deepEqual(directive(conf, 'acl p3_federated_user'), ['acl p3_federated_user external p3_home_proxy 1002'], federation);
  }
  const inout = squidConfig({ ...base, authentication: 'ldap', ldap: { ...ldap, federation: 'inout', federatedProxies: ['1002', '1001'] } });
  assert.deepEqual(directive(inout, 'acl p3_federated_user'), ['acl p3_federated_user external p3_home_proxy 1002 1001'], 'no duplicates');
  const anonymous = squidConfig({ ...base, authentication: 'ldap', ldap: { ...ldap, bindDn: '' } });
  assert.ok(!anonymous.includes('ldap-bind-secret'));
});

test('parents: quick failure, then direct; squid does not bypass them by measured RTT', () => {
  const conf = squidConfig({ ...base, parents: [{ host: '10.1.1.1', port: 3128 }, { host: 'proxy.node2.guifi.net', port: 8080 }] });
  assert.deepEqual(directive(conf, 'cache_peer'), [
    'cache_peer 10.1.1.1 parent 3128 0 no-query no-digest connect-timeout=2 connect-fail-limit=1 name=p3_parent_1',
    'cache_peer proxy.node2.guifi.net parent 8080 0 no-query no-digest connect-timeout=2 connect-fail-limit=1 name=p3_parent_2',
  ]);
  for (const line of ['prefer_direct off', 'nonhierarchical_direct off', 'minimum_direct_rtt 0', 'read_timeout 30 seconds']) assert.ok(lines(conf).includes(line), line);
  assert.ok(!conf.includes('never_direct'), 'direct stays the last resort');
});

test('hostile values are refused with the field named, never written', () => {
  const hostile: Array<[string, Partial<SquidConfigInput>]> = [
    ['clientSubnets', { clientSubnets: ['10.0.0.0/8\nhttp_access allow all'] }],
    ['clientSubnets', { clientSubnets: ['10.0.0.0/8 all'] }],
    ['clientSubnets', { clientSubnets: ['10.0.0.1/8'] }],
    ['clientSubnets', { clientSubnets: [] }],
    ['blockedDestinations', { blockedDestinations: ['300.0.0.0/8'] }],
    ['visibleHostname', { visibleHostname: 'node1\ncache_peer evil parent 80 0' }],
    ['errorLanguage', { errorLanguage: '../../etc' }],
    ['port', { port: 70000 }],
    ['cacheMemMiB', { cacheMemMiB: 1.5 }],
    ['parents', { parents: [{ host: 'evil host', port: 3128 }] }],
    ['configDir', { paths: { configDir: '/etc/x y', stateDir: '/var/lib/x' } }],
  ];
  for (const [field, change] of hostile) {
    assert.throws(() => squidConfig({ ...base, ...change }), (error: unknown) => error instanceof Proxy3ValueError && error.field === field, field);
  }
  const hostileLdap: Array<[string, Partial<typeof ldap>]> = [
    ['ldapUsersDn', { usersDn: 'ou=users,dc=guifi,dc=net)(uid=*' }],
    ['ldapUsersDn', { usersDn: 'ou=users, dc=guifi' }],
    ['ldapBindDn', { bindDn: 'cn=squid -w secret' }],
    ['ldapServers', { servers: ['ldap.guifi.net -w x'] }],
    ['ldapServers', { servers: ['a', 'b', 'c'] }],
    ['proxyId', { proxyId: '1002 all' }],
    ['federatedProxies', { federatedProxies: ['1001\nhttp_access allow all'] }],
  ];
  for (const [field, change] of hostileLdap) {
    assert.throws(() => squidConfig({ ...base, authentication: 'ldap', ldap: { ...ldap, ...change } }), (error: unknown) => error instanceof Proxy3ValueError && error.field === field, field);
  }
});

test('IPv6 networks are accepted as clients', () => {
  assert.ok(squidConfig({ ...base, clientSubnets: ['10.0.0.0/8', 'fd00::/8'] }).includes('acl p3_clients src 10.0.0.0/8 fd00::/8'));
});
