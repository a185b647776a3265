// Checks the join text a server hands out, pasted back in every way a person might, and the join URLs of found servers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { advertisedNetworks, isJoinToken, isJoinUrl, joinText, joinUrlOf, splitJoinText } from './join-input.ts';

const TOKEN = `cyvpn1.0123456789abcdef.${'a'.repeat(43)}.${'B'.repeat(42)}-`;
const URL_ = 'https://10.0.0.1:7443/vpn/v1/networks/community';

test('the two lines split back into URL and token, also with the newline dropped by a one-line input or as the CLI line', () => {
  for (const pasted of [joinText(URL_, TOKEN), `${URL_}\r\n${TOKEN}\n`, `${URL_}${TOKEN}`, `${URL_} ${TOKEN}`, `cloudy vpn join ${URL_} ${TOKEN}`]) {
    assert.deepEqual(splitJoinText(pasted), { url: URL_, token: TOKEN }, JSON.stringify(pasted));
  }
});

test('a token alone, a URL alone or a broken token is not join text', () => {
  for (const text of [TOKEN, URL_, `${URL_}\n${TOKEN.slice(0, -1)}`, `http://10.0.0.1/vpn/v1/networks/x\n${TOKEN}`]) assert.equal(splitJoinText(text), null, text);
});

test('tokens and join URLs are recognised by their shape', () => {
  assert.ok(isJoinToken(TOKEN));
  assert.ok(isJoinToken(` ${TOKEN} `));
  assert.ok(!isJoinToken('cyvpn1.nothex.x.y'));
  assert.ok(isJoinUrl(URL_));
  assert.ok(isJoinUrl('https://[fd00::1]:7443/vpn/v1/networks/a_b'));
  for (const url of ['http://10.0.0.1/vpn/v1/networks/x', 'https://10.0.0.1/vpn/v1/networks/Bad', 'https://10.0.0.1/vpn/v1/networks/x/members', 'https://10.0.0.1/vpn/v1/networks/x?a=1', 'not a url']) {
    assert.ok(!isJoinUrl(url), url);
  }
});

test('a found server’s networks become join URLs; bad names and repeats are dropped', () => {
  assert.deepEqual(advertisedNetworks({ txt: { networks: 'alpha, beta,alpha,Bad,,x;rm,gamma_2' } }), ['alpha', 'beta', 'gamma_2']);
  assert.deepEqual(advertisedNetworks({ txt: {} }), []);
  assert.equal(joinUrlOf('10.1.2.3', 7443, 'alpha'), 'https://10.1.2.3:7443/vpn/v1/networks/alpha');
  assert.equal(joinUrlOf('fd00::1', 7443, 'alpha'), 'https://[fd00::1]:7443/vpn/v1/networks/alpha');
});
