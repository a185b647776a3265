// Checks the hash routes of the VPN pages, including the join URL Search hands to the VPN page, both ways.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseRoute, routeHref } from './hash-router.ts';

test('the VPN pages have routes; a join URL travels in the query, slashes and all', () => {
  assert.deepEqual(parseRoute('#/vpn'), { page: 'vpn' });
  assert.deepEqual(parseRoute('#/vpn-server'), { page: 'vpn-server' });
  const joinUrl = 'https://10.0.0.1:7443/vpn/v1/networks/community';
  const href = routeHref({ page: 'vpn', joinUrl });
  assert.equal(href, '#/vpn?url=https%3A%2F%2F10.0.0.1%3A7443%2Fvpn%2Fv1%2Fnetworks%2Fcommunity');
  assert.deepEqual(parseRoute(href), { page: 'vpn', joinUrl });
  assert.equal(routeHref({ page: 'vpn' }), '#/vpn');
});

test('other routes ignore a query and keep their shapes', () => {
  assert.deepEqual(parseRoute('#/search?x=1'), { page: 'search' });
  assert.deepEqual(parseRoute('#/services/syncthing'), { page: 'module', moduleId: 'syncthing' });
  assert.deepEqual(parseRoute('#/vpn/extra'), { page: 'not-found' });
  assert.deepEqual(parseRoute('#/%E0%A4%A'), { page: 'not-found' });
});
