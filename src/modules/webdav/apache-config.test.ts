// The generated apache2 configuration: what it loads and grants, and that no value can smuggle a directive in.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { apacheConfig, type ApacheConfigInput, WebdavConfigError } from './apache-config.ts';

const HOME = '/tmp/node/var/lib/cloudy-webdav';

function input(overrides: Partial<ApacheConfigInput> = {}): ApacheConfigInput {
  return {
    serverName: 'node1.guifi.local',
    port: 8443,
    uploadLimitMiB: 100,
    sharesDir: '/tmp/node/srv/cloudy/webdav',
    shares: [
      { name: 'docs', readOnlyUsers: ['reader', 'alice'], readWriteUsers: ['alice'], public: false },
      { name: 'pub', readOnlyUsers: [], readWriteUsers: ['alice'], public: true },
      { name: 'closed', readOnlyUsers: [], readWriteUsers: [], public: false },
    ],
    usersFile: `${HOME}/users.htpasswd`,
    certificateFile: `${HOME}/tls/cert.pem`,
    keyFile: `${HOME}/tls/key.pem`,
    runDir: `${HOME}/run`,
    lockDatabase: `${HOME}/locks/davlock`,
    emptyRoot: `${HOME}/empty`,
    ...overrides,
  };
}

/** The body of the `<Directory>` block of one share. */
function shareSection(config: string, name: string): string {
  const start = config.indexOf(`<Directory "/tmp/node/srv/cloudy/webdav/${name}">`);
  assert.ok(start >= 0, `share ${name} has a section`);
  return config.slice(start, config.indexOf('</Directory>', start));
}

test('a standalone server: Debian module paths, files in the module home, no Debian include or default site', () => {
  const config = apacheConfig(input());
  for (const module of ['mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so', 'ssl_module', 'dav_module', 'dav_fs_module', 'auth_basic_module', 'authn_file_module', 'authz_user_module']) {
    assert.match(config, new RegExp(`^LoadModule ${module}`, 'm'));
  }
  assert.doesNotMatch(config, /^(Include|IncludeOptional|User|Group)\b/m, 'nothing from /etc/apache2, no user switch (apache already runs as cloudy-webdav)');
  assert.doesNotMatch(config, /mod_(cgi|cgid|php|include|userdir|autoindex)/, 'nothing that executes or lists outside DAV');
  assert.match(config, /^PidFile "\/tmp\/node\/var\/lib\/cloudy-webdav\/run\/apache2.pid"$/m);
  assert.match(config, /^Mutex file:\/tmp\/node\/var\/lib\/cloudy-webdav\/run default$/m);
  assert.match(config, /^DefaultRuntimeDir "\/tmp\/node\/var\/lib\/cloudy-webdav\/run"$/m);
  assert.match(config, /^DavLockDB "\/tmp\/node\/var\/lib\/cloudy-webdav\/locks\/davlock"$/m);
  assert.match(config, /^ErrorLog "\|\/bin\/cat"$/m, 'errors go to standard output by default');
  assert.match(apacheConfig(input({ errorLog: `${HOME}/error.log` })), /^ErrorLog "\/tmp\/node\/var\/lib\/cloudy-webdav\/error.log"$/m);
  assert.match(config, /^TraceEnable Off$/m);
});

test('HTTPS only, on the configured port, with the given certificate and key, TLS 1.2 and 1.3', () => {
  const config = apacheConfig(input({ port: 9443 }));
  assert.match(config, /^Listen 9443 https$/m);
  assert.equal((config.match(/^Listen /gm) ?? []).length, 1);
  assert.match(config, /^SSLEngine on$/m);
  assert.match(config, /^SSLCertificateFile "\/tmp\/node\/var\/lib\/cloudy-webdav\/tls\/cert.pem"$/m);
  assert.match(config, /^SSLCertificateKeyFile "\/tmp\/node\/var\/lib\/cloudy-webdav\/tls\/key.pem"$/m);
  assert.match(config, /^SSLProtocol -all \+TLSv1.2 \+TLSv1.3$/m);
});

test('the upload limit becomes LimitRequestBody in bytes', () => {
  assert.match(apacheConfig(input({ uploadLimitMiB: 1 })), /^LimitRequestBody 1048576$/m);
  assert.match(apacheConfig(input({ uploadLimitMiB: 2047 })), /^LimitRequestBody 2146435072$/m);
  assert.throws(() => apacheConfig(input({ uploadLimitMiB: 0 })), /uploadLimitMiB must be a whole number from 1 to 2047/);
  assert.throws(() => apacheConfig(input({ uploadLimitMiB: 2048 })), WebdavConfigError);
  assert.throws(() => apacheConfig(input({ uploadLimitMiB: 1.5 })), WebdavConfigError);
});

test('everything outside the shares is denied, never follows links and reads no .htaccess', () => {
  const config = apacheConfig(input());
  assert.match(config, /<Directory \/>\n {4}Options None\n {4}AllowOverride None\n {4}Require all denied\n<\/Directory>/);
  assert.match(config, /^DocumentRoot "\/tmp\/node\/var\/lib\/cloudy-webdav\/empty"$/m);
  assert.match(config, /^DavDepthInfinity Off$/m);
  assert.doesNotMatch(config, /FollowSymLinks|SymLinksIfOwnerMatch/);
  assert.deepEqual(new Set(config.match(/(Options|AllowOverride) .*/g)), new Set(['Options None', 'AllowOverride None']));
});

test('names with control characters are refused, also as a COPY or MOVE destination', () => {
  const config = apacheConfig(input());
  assert.ok(config.includes('<If "%{REQUEST_URI} =~ /[\\x00-\\x1f\\x7f]/ || %{HTTP:Destination} =~ /%[01][0-9a-f]|%7f/i">\n    Require all denied\n</If>'));
});

test('a share: DAV on its own URL, no links, read methods for readers, every other method for read-write users only', () => {
  const config = apacheConfig(input());
  assert.match(config, /^Alias "\/docs" "\/tmp\/node\/srv\/cloudy\/webdav\/docs"$/m);
  const docs = shareSection(config, 'docs');
  for (const line of ['Dav On', 'Options None', 'AllowOverride None', 'AuthType Basic', 'AuthBasicProvider file', 'AuthUserFile "/tmp/node/var/lib/cloudy-webdav/users.htpasswd"', 'AuthzSendForbiddenOnFailure On']) {
    assert.ok(docs.includes(`\n    ${line}\n`), line);
  }
  assert.match(docs, /<Limit GET HEAD OPTIONS PROPFIND>\n\s+Require user alice reader\n\s+<\/Limit>/, 'alice is in both lists once');
  assert.match(docs, /<LimitExcept GET HEAD OPTIONS PROPFIND>\n\s+Require user alice\n\s+<\/LimitExcept>/);
});

test('a public share is readable by anyone and writable by its read-write users only; a share without users is closed', () => {
  const config = apacheConfig(input());
  assert.match(shareSection(config, 'pub'), /<Limit GET HEAD OPTIONS PROPFIND>\n\s+Require all granted\n\s+<\/Limit>\n\s+<LimitExcept GET HEAD OPTIONS PROPFIND>\n\s+Require user alice\n/);
  assert.match(shareSection(config, 'closed'), /<Limit GET HEAD OPTIONS PROPFIND>\n\s+Require all denied\n\s+<\/Limit>\n\s+<LimitExcept GET HEAD OPTIONS PROPFIND>\n\s+Require all denied\n/);
  const readOnly = apacheConfig(input({ shares: [{ name: 'ro', readOnlyUsers: ['alice'], readWriteUsers: [], public: true }] }));
  assert.match(shareSection(readOnly, 'ro'), /<LimitExcept GET HEAD OPTIONS PROPFIND>\n\s+Require all denied\n/);
});

test('the same input gives the same text (user lists are sorted), so rewriting an unchanged config changes nothing', () => {
  const shuffled = input({ shares: [{ name: 'docs', readOnlyUsers: ['zoe', 'bob'], readWriteUsers: ['carol', 'alice'], public: false }] });
  const sorted = input({ shares: [{ name: 'docs', readOnlyUsers: ['bob', 'zoe'], readWriteUsers: ['alice', 'carol'], public: false }] });
  assert.equal(apacheConfig(shuffled), apacheConfig(sorted));
});

const HOSTILE_NAMES = ['', '..', '.', '.htaccess', 'a b', 'a\nDav Off', 'a"b', "a'b", 'a<b', 'a>b', 'a/b', 'a\\b', 'a:b', 'A', 'é', 'a'.repeat(33), '-a', 'a\r', 'a\0', 'a#b', 'a$b', '${X}'];

test('hostile share names are refused with a sentence naming the rule', () => {
  for (const name of HOSTILE_NAMES) {
    assert.throws(() => apacheConfig(input({ shares: [{ name, readOnlyUsers: [], readWriteUsers: [], public: false }] })), (error: Error) => {
      assert.ok(error instanceof WebdavConfigError, JSON.stringify(name));
      assert.match(error.message, /^Share name .* is not allowed: use 1 to 32 lower-case letters/);
      return true;
    });
  }
});

test('hostile user names are refused in either list', () => {
  for (const name of [...HOSTILE_NAMES, '1abc', '_a', 'all', 'alice bob']) {
    if (name === 'all') continue; // a valid name: "Require user all" means the user called all, not everyone.
    for (const list of ['readOnlyUsers', 'readWriteUsers'] as const) {
      const share = { name: 'docs', readOnlyUsers: [] as string[], readWriteUsers: [] as string[], public: false, [list]: [name] };
      assert.throws(() => apacheConfig(input({ shares: [share] })), /^WebdavConfigError: User name .* is not allowed/, `${list}: ${JSON.stringify(name)}`);
    }
  }
});

test('a share listed twice, a non-boolean public flag, a bad port, host name or path are refused', () => {
  const docs = { name: 'docs', readOnlyUsers: [], readWriteUsers: [], public: false };
  assert.throws(() => apacheConfig(input({ shares: [docs, docs] })), /Share docs is listed twice/);
  assert.throws(() => apacheConfig(input({ shares: [{ ...docs, public: 'yes' as unknown as boolean }] })), /"public" must be true or false/);
  for (const port of [80, 443, 1023, 65536, 8443.5, Number.NaN]) assert.throws(() => apacheConfig(input({ port })), /port must be a whole number from 1024 to 65535/);
  for (const serverName of ['', 'a b', 'node\nListen 80', 'x"', '-node', 'a..b']) assert.throws(() => apacheConfig(input({ serverName })), /serverName must be a host name/);
  for (const bad of ['relative/path', '/a/../b', '/a b', '/a"b', '/a\nInclude /etc/x', '/a/', '/a//b', '/a/./b', '/a$b', '/a{b}']) {
    for (const field of ['sharesDir', 'usersFile', 'certificateFile', 'keyFile', 'runDir', 'lockDatabase', 'emptyRoot', 'errorLog', 'modulesDir'] as const) {
      assert.throws(() => apacheConfig(input({ [field]: bad })), new RegExp(`^WebdavConfigError: ${field} must be an absolute path`), `${field}: ${JSON.stringify(bad)}`);
    }
  }
});

test('a share adds exactly its fixed block: no value adds a line', () => {
  const base = apacheConfig(input({ shares: [] })).split('\n').length;
  const withShare = apacheConfig(input({ shares: [{ name: 'docs', readOnlyUsers: ['a', 'b'], readWriteUsers: ['c'], public: false }] })).split('\n').length;
  assert.equal(withShare - base, 18);
});
