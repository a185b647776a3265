// Proxy3: the community web proxy (Guifi Proxy3 rebuilt on Debian's squid), with login, federation and chaining.
import { Type } from '@sinclair/typebox';

import { defineManifest } from '../../kit/manifest.ts';

const HOST_OR_EMPTY = '^$|^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?$';
const DN = '^[A-Za-z][A-Za-z0-9-]{0,30}=[A-Za-z0-9][A-Za-z0-9._-]{0,62}(?:,[A-Za-z][A-Za-z0-9-]{0,30}=[A-Za-z0-9][A-Za-z0-9._-]{0,62}){0,9}$';

export const proxy3Manifest = defineManifest({
  id: 'proxy3',
  version: 1,
  title: 'Community web proxy',
  description: 'Share this node’s Internet access with community members through squid, with login, federation between proxies and chaining.',
  category: 'network',
  // apache2-utils: htpasswd makes the bcrypt hashes of local users' passwords (read from standard input).
  packages: ['squid', 'apache2-utils'],
  systemUsers: [{ name: 'cloudy-proxy3', home: '{path:home}' }],
  // config: root-owned (squid.conf, admin.conf); home: the daemon user's cache, logs and pid file.
  paths: { home: '/var/lib/cloudy-proxy3', config: '/etc/cloudy-proxy3' },
  daemons: [
    {
      name: 'squid',
      user: 'cloudy-proxy3',
      // -N: one foreground process, no kids (the supervisor owns its PID; SIGHUP or `squid -k reconfigure`
      // reloads it in place). -d1: important messages also on stderr. -n: its own shared-memory names
      // (/dev/shm/<name>-cf__*.shm): a second squid with the same name dies at start ("shm_open ... File
      // exists"), so it must differ from Debian's squid and from another node's on the same machine (tests).
      argv: ['squid', '-N', '-d1', '-n', 'cloudyproxy3p{config:port}', '-f', '{path:config}/squid.conf'],
      cwd: '{path:home}',
      ports: [{ port: '{config:port}', protocol: 'tcp', purpose: 'HTTP proxy for community members' }],
      readyWhenListening: { host: '127.0.0.1', port: '{config:port}' },
    },
  ],
  configSchema: Type.Object(
    {
      port: Type.Integer({ title: 'Proxy port', description: 'TCP port browsers use as their HTTP proxy.', minimum: 1024, maximum: 65535, default: 3128 }),
      authentication: Type.Union([Type.Literal('none'), Type.Literal('local'), Type.Literal('ldap')], {
        title: 'Login',
        description: 'none: anyone from the allowed networks; local: this node’s proxy users; ldap: a community directory.',
        default: 'local',
      }),
      cacheMemMiB: Type.Integer({ title: 'Memory cache (MiB)', minimum: 0, maximum: 4096, default: 64 }),
      cacheDiskMiB: Type.Integer({ title: 'Disk cache (MiB, 0 = none)', minimum: 0, maximum: 1_000_000, default: 0 }),
      errorLanguage: Type.String({ title: 'Language of error pages', description: 'A squid language code: ca, es, en, pt-br…', pattern: '^[a-z]{2,3}(-[a-z]{2,4})?$', maxLength: 8, default: 'ca' }),
      proxyId: Type.String({ title: 'Proxy id', description: 'This proxy’s id in the directory (its group cn=<id>); Guifi uses the node number.', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$', maxLength: 63, default: 'cloudy' }),
      federation: Type.Union([Type.Literal('private'), Type.Literal('in'), Type.Literal('out'), Type.Literal('inout')], {
        title: 'Federation',
        description: 'private: only this proxy’s users; in: also users of federated proxies; out: this proxy’s users may use other proxies; inout: both.',
        default: 'private',
      }),
      ldapServer: Type.String({ title: 'LDAP server', description: 'host or host:port.', pattern: HOST_OR_EMPTY, maxLength: 259, default: '' }),
      ldapBackupServer: Type.String({ title: 'Backup LDAP server', description: 'Used when the main one does not answer.', pattern: HOST_OR_EMPTY, maxLength: 259, default: '' }),
      ldapUsersDn: Type.String({ title: 'LDAP users DN', pattern: DN, maxLength: 300, default: 'ou=users,dc=guifi,dc=net' }),
      ldapProxiesDn: Type.String({ title: 'LDAP proxy groups DN', description: 'One groupOfNames cn=<proxy id> per proxy below it.', pattern: DN, maxLength: 300, default: 'ou=proxies,dc=guifi,dc=net' }),
      ldapBindDn: Type.String({ title: 'LDAP bind DN', description: 'Empty: search anonymously. The password is set apart and never shown.', pattern: `^$|${DN}`, maxLength: 300, default: '' }),
      chaining: Type.Boolean({ title: 'Forward through other community proxies', description: 'Use discovered community proxies you accept as parents; a dead one is skipped.', default: false }),
    },
    { additionalProperties: false },
  ),
  secrets: [],
  publish: [
    { type: '_proxy3._tcp', port: '{config:port}', description: 'Community proxy {config:proxyId}', txt: { proxyId: '{config:proxyId}', federation: '{config:federation}' } },
    { type: '_http-proxy._tcp', port: '{config:port}', description: 'Web proxy {config:proxyId}' },
  ],
  consume: [],
  backupPaths: ['{path:config}/admin.conf', '{path:config}/passwords'],
  diagnostics: [
    { checkId: 'proxy3-config-parses', description: 'squid -k parse accepts the configuration in use' },
    { checkId: 'proxy3-answers', description: 'A request through the proxy gets an HTTP answer from squid' },
  ],
});
