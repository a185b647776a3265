// Proxy3: the community web proxy (Guifi Proxy3 rebuilt on Debian's squid), with login, federation and chaining.
import { Type } from '@sinclair/typebox';

import { defineManifest } from '../../kit/manifest.ts';

const HOST_OR_EMPTY = '^$|^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?$';
/** A network in CIDR form; proxy3-values.ts (checkConfig) also checks the address and that its host bits are zero. */
const CIDR = Type.String({ pattern: '^[0-9A-Fa-f:.]{2,39}/[0-9]{1,3}$', maxLength: 43 });
const DN = '^[A-Za-z][A-Za-z0-9-]{0,30}=[A-Za-z0-9][A-Za-z0-9._-]{0,62}(?:,[A-Za-z][A-Za-z0-9-]{0,30}=[A-Za-z0-9][A-Za-z0-9._-]{0,62}){0,9}$';

export const proxy3Manifest = defineManifest({
  id: 'proxy3',
  version: 1,
  title: 'Community web proxy',
  description: 'Share this node’s Internet access with community members through squid, with login, federation between proxies and chaining.',
  category: 'network',
  packages: ['squid'],
  systemUsers: [{ name: 'cloudy-proxy3', home: '{path:home}' }],
  // config: root-owned (squid.conf, admin.conf); home: the daemon user's cache, logs and pid file.
  // aptConf: where "Use for this node's apt" in Search writes its one file (80cloudy-proxy3-upstream).
  paths: { home: '/var/lib/cloudy-proxy3', config: '/etc/cloudy-proxy3', aptConf: '/etc/apt/apt.conf.d' },
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
      clientSubnets: Type.Array(CIDR, {
        title: 'Who may use it',
        description: 'Networks of the members, separated by commas (the community network is 10.0.0.0/8).',
        minItems: 1,
        maxItems: 64,
        uniqueItems: true,
        default: ['10.0.0.0/8'],
      }),
      blockedDestinations: Type.Array(CIDR, {
        title: 'Destinations refused',
        description: 'Private networks members must not reach through this node, separated by commas.',
        maxItems: 64,
        uniqueItems: true,
        default: ['192.168.0.0/16', '172.16.0.0/12'],
      }),
      authentication: Type.Union(
        [
          Type.Literal('none', { title: 'None: anyone from the allowed networks' }),
          Type.Literal('local', { title: 'Local: this node’s proxy users' }),
          Type.Literal('ldap', { title: 'LDAP: a community directory' }),
        ],
        { title: 'Login', default: 'local' },
      ),
      cacheMemMiB: Type.Integer({ title: 'Memory cache (MiB)', minimum: 0, maximum: 4096, default: 64 }),
      cacheDiskMiB: Type.Integer({ title: 'Disk cache (MiB, 0 = none)', minimum: 0, maximum: 1_000_000, default: 0 }),
      errorLanguage: Type.String({ title: 'Language of error pages', description: 'A squid language code: ca, es, en, pt-br…', pattern: '^[a-z]{2,3}(-[a-z]{2,4})?$', maxLength: 8, default: 'ca' }),
      proxyId: Type.String({ title: 'Proxy id', description: 'This proxy’s id in the directory (its group cn=<id>); Guifi uses the node number.', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$', maxLength: 63, default: 'cloudy' }),
      federation: Type.Union(
        [
          Type.Literal('private', { title: 'Private: only this proxy’s users' }),
          Type.Literal('in', { title: 'In: also users of the federated proxies' }),
          Type.Literal('out', { title: 'Out: this proxy’s users may use other proxies' }),
          Type.Literal('inout', { title: 'In and out' }),
        ],
        { title: 'Federation', description: 'Login through LDAP only: which proxies’ users may log in where.', default: 'private' },
      ),
      ldapServer: Type.String({ title: 'LDAP server', description: 'host or host:port.', pattern: HOST_OR_EMPTY, maxLength: 259, default: '' }),
      ldapBackupServer: Type.String({ title: 'Backup LDAP server', description: 'Used when the main one does not answer.', pattern: HOST_OR_EMPTY, maxLength: 259, default: '' }),
      ldapUsersDn: Type.String({ title: 'LDAP users DN', pattern: DN, maxLength: 300, default: 'ou=users,dc=guifi,dc=net' }),
      ldapProxiesDn: Type.String({ title: 'LDAP proxy groups DN', description: 'One groupOfNames cn=<proxy id> per proxy below it.', pattern: DN, maxLength: 300, default: 'ou=proxies,dc=guifi,dc=net' }),
      ldapBindDn: Type.String({ title: 'LDAP bind DN', description: 'Empty: search anonymously.', pattern: `^$|${DN}`, maxLength: 300, default: '' }),
      ldapBindPassword: Type.String({
        title: 'LDAP bind password',
        description: 'Never shown again; leave empty to keep the saved one. Kept in a file only the proxy reads, never in its configuration.',
        writeOnly: true,
        pattern: '^[^\\x00-\\x1f\\x7f]*$',
        maxLength: 256,
        default: '',
      }),
      federatedProxies: Type.Array(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$', maxLength: 63 }), {
        title: 'Federated proxies',
        description: 'Ids of the proxies (federating out or inout) whose users may log in here when this one is in or inout, separated by commas.',
        maxItems: 256,
        uniqueItems: true,
        default: [],
      }),
      parents: Type.Array(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9.-]{0,252}:[0-9]{1,5}$', maxLength: 259 }), {
        title: 'Upstream proxies',
        description: 'host:port of community proxies to forward through, in order, separated by commas; a dead one is skipped and the last resort is direct. Search adds them with “Use as this node’s upstream”.',
        maxItems: 8,
        uniqueItems: true,
        default: [],
      }),
    },
    { additionalProperties: false },
  ),
  collections: {
    users: {
      noun: 'user',
      title: 'Proxy users',
      description: 'Members who log in to the proxy when the login is “local”.',
      itemSchema: Type.Object(
        { name: Type.String({ title: 'Name', description: 'Lower-case letters, digits, . _ and -, starting with a letter.', pattern: '^[a-z][a-z0-9._-]{0,31}$', maxLength: 32 }) },
        { additionalProperties: false },
      ),
      key: 'name',
      maxItems: 5000,
      // squid caches a login for 5 minutes (credentialsttl): the hash is checked once per user and 5 minutes.
      password: { title: 'Password', description: 'At least 8 characters. Only its bcrypt hash is kept.', cost: 10 },
    },
  },
  publicFiles: [
    { path: '/proxy.pac', contentType: 'application/x-ns-proxy-autoconfig' },
    { path: '/wpad.dat', contentType: 'application/x-ns-proxy-autoconfig' },
  ],
  secrets: [],
  publish: [
    { type: '_proxy3._tcp', port: '{config:port}', description: 'Community proxy {config:proxyId}', txt: { proxyId: '{config:proxyId}', federation: '{config:federation}' } },
    { type: '_http-proxy._tcp', port: '{config:port}', description: 'Web proxy {config:proxyId}' },
  ],
  consume: [
    {
      id: 'use-proxy',
      forType: '_http-proxy._tcp',
      label: { en: 'How to use this proxy', ca: 'Com fer servir aquest servidor intermediari', es: 'Cómo usar este proxy' },
      show: [
        { label: { en: 'Proxy for browsers and programs (HTTP and HTTPS)', ca: 'Servidor intermediari per a navegadors i programes (HTTP i HTTPS)', es: 'Proxy para navegadores y programas (HTTP y HTTPS)' }, value: '{address}:{port}' },
        { label: { en: 'Automatic configuration (PAC) address', ca: 'Adreça de configuració automàtica (PAC)', es: 'Dirección de configuración automática (PAC)' }, value: 'http://{address}:{txt:pacPort}/proxy.pac' },
        { label: { en: 'Command line', ca: 'Línia d’ordres', es: 'Línea de órdenes' }, value: 'export http_proxy=http://{address}:{port}/ https_proxy=http://{address}:{port}/' },
        { label: { en: 'apt (a file in /etc/apt/apt.conf.d)', ca: 'apt (un fitxer a /etc/apt/apt.conf.d)', es: 'apt (un fichero en /etc/apt/apt.conf.d)' }, value: 'Acquire::http::Proxy "http://{address}:{port}/";' },
      ],
    },
    {
      // With the owner's consent (this click), another community proxy becomes a parent of this node's squid.
      id: 'use-as-upstream',
      forType: '_http-proxy._tcp',
      label: { en: 'Use as this node’s upstream', ca: 'Fes-lo servir de sortida d’aquest node', es: 'Usarlo como salida de este nodo' },
      doneLabel: { en: 'Upstream of this node', ca: 'Sortida d’aquest node', es: 'Salida de este nodo' },
      undoLabel: { en: 'Stop using it', ca: 'Deixa de fer-lo servir', es: 'Dejar de usarlo' },
    },
    {
      // This node's own apt downloads through another community proxy (a node without an uplink keeps updating).
      id: 'apt-upstream',
      forType: '_http-proxy._tcp',
      label: { en: 'Use for this node’s apt', ca: 'Fes-lo servir per a l’apt d’aquest node', es: 'Usarlo para el apt de este nodo' },
      doneLabel: { en: 'This node’s apt uses it', ca: 'L’apt d’aquest node el fa servir', es: 'El apt de este nodo lo usa' },
      undoLabel: { en: 'Stop using it for apt', ca: 'Deixa de fer-lo servir per a l’apt', es: 'Dejar de usarlo para apt' },
    },
  ],
  backupPaths: ['{path:config}/admin.conf', '{path:config}/passwords'],
  diagnostics: [
    { checkId: 'proxy3-config-parses', description: 'squid -k parse accepts the configuration in use' },
    { checkId: 'proxy3-answers', description: 'A request through the proxy gets an HTTP answer from squid' },
  ],
});
