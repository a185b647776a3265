import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseStartArgs, startOptionArgs, StartOptionError } from './start-options.ts';

test('options come from argv, else from the CLOUDY_* variables the package conffile sets, else the defaults', () => {
  const env = { CLOUDY_HTTPS_PORT: '8443', CLOUDY_LISTEN: '10.1.2.3' };
  const { options, extra } = parseStartArgs(['--listen', '127.0.0.1', '--with-cloudyd'], { 'with-cloudyd': { type: 'boolean' } }, env);
  assert.deepEqual(options, { root: '/', listen: '127.0.0.1', httpPort: 7000, httpsPort: 8443, communityAddress: null, serfPort: null, serfRpcPort: 7373 });
  assert.equal(extra['with-cloudyd'], true);
  // What the helper hands cloudyd reads back as the same options.
  assert.deepEqual(parseStartArgs(startOptionArgs(options), {}, {}).options, options);
});

test('a bad port, address or unknown option is refused with a message naming it', () => {
  const refused = (args: string[], message: RegExp) => assert.throws(() => parseStartArgs(args, {}, {}), (error: Error) => error instanceof StartOptionError && message.test(error.message));
  refused(['--https-port', '99999'], /--https-port: "99999" is not a port number/);
  refused(['--http-port', '7000; reboot'], /--http-port/);
  refused(['--listen', 'example.org'], /--listen: "example.org" is not an IP address/);
  refused(['--community-address', '$(id)'], /--community-address/);
  refused(['--no-such-option'], /no-such-option/);
});
