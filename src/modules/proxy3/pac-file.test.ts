// PAC file: evaluated as a browser would (with PAC's helper functions), and refusal of injectable values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';

import { pacFile } from './pac-file.ts';
import type { PacInput } from './pac-file.ts';
import { Proxy3ValueError } from './proxy3-values.ts';

const input: PacInput = {
  proxies: [{ host: '10.1.2.3', port: 3128 }, { host: 'proxy.node2.guifi.net', port: 8080 }],
  directNetworks: ['10.0.0.0/8'],
  directDomains: ['guifi.net'],
  fallbackDirect: true,
};

/** Runs FindProxyForURL with the PAC helpers browsers provide (isInNet only for IPv4 literals here). */
function findProxy(pac: string, host: string): string {
  const toInt = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) >>> 0;
  const sandbox = {
    isPlainHostName: (name: string) => !name.includes('.'),
    dnsDomainIs: (name: string, suffix: string) => name.endsWith(suffix),
    isInNet: (ip: string, network: string, mask: string) => ((toInt(ip) & toInt(mask)) >>> 0) === ((toInt(network) & toInt(mask)) >>> 0),
    answer: '',
  };
  vm.runInNewContext(`${pac}\nanswer = FindProxyForURL("http://${host}/", "${host}");`, sandbox);
  return sandbox.answer;
}

test('community destinations go direct, the rest through the proxies in order, then direct', () => {
  const pac = pacFile(input);
  assert.equal(findProxy(pac, 'intranet'), 'DIRECT');
  assert.equal(findProxy(pac, 'guifi.net'), 'DIRECT');
  assert.equal(findProxy(pac, 'www.guifi.net'), 'DIRECT');
  assert.equal(findProxy(pac, '10.228.17.1'), 'DIRECT');
  assert.equal(findProxy(pac, 'example.org'), 'PROXY 10.1.2.3:3128; PROXY proxy.node2.guifi.net:8080; DIRECT');
  assert.equal(findProxy(pac, '93.184.216.34'), 'PROXY 10.1.2.3:3128; PROXY proxy.node2.guifi.net:8080; DIRECT');
  assert.equal(findProxy(pacFile({ ...input, fallbackDirect: false }), 'example.org'), 'PROXY 10.1.2.3:3128; PROXY proxy.node2.guifi.net:8080');
});

test('values that could break out of the JavaScript strings are refused', () => {
  const hostile: Array<[string, Partial<PacInput>]> = [
    ['proxies', { proxies: [{ host: 'a"; alert(1); "', port: 3128 }] }],
    ['proxies', { proxies: [] }],
    ['directDomains', { directDomains: ['guifi.net") || true || ("'] }],
    ['directNetworks', { directNetworks: ['10.0.0.0/8"'] }],
    ['directNetworks', { directNetworks: ['fd00::/8'] }],
  ];
  for (const [field, change] of hostile) {
    assert.throws(() => pacFile({ ...input, ...change }), (error: unknown) => error instanceof Proxy3ValueError && error.field === field, field);
  }
});
