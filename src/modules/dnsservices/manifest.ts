// DNSServices: the community's DNS (Guifi DNSServices rebuilt on Debian's bind9): a caching resolver for the community
// subnets and an authoritative community zone with every node and DNS-SD records of every discovered service.
import { Type } from '@sinclair/typebox';

import { defineManifest } from '../../kit/manifest.ts';

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** An IPv4 network in CIDR form; checkConfig (dns-values.ts) also checks its host bits. */
const CIDR = Type.String({ pattern: '^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$', maxLength: 18 });
const IPV4 = Type.String({ pattern: `^${OCTET}(\\.${OCTET}){3}$`, maxLength: 15 });
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

export const dnsservicesManifest = defineManifest({
  id: 'dnsservices',
  version: 1,
  title: 'Community DNS',
  description: 'A DNS server for the community with bind9: resolves names for members and serves a zone with every node and the services discovery found.',
  category: 'network',
  // bind9 depends on bind9-utils (named-checkconf, named-checkzone), which stays when the module is removed.
  packages: ['bind9'],
  systemUsers: [{ name: 'cloudy-dnsservices', home: '{path:home}' }],
  // config: root-owned (named.conf and the zones, written by the module); home: the daemon's working directory.
  paths: { home: '/var/lib/cloudy-dnsservices', config: '/etc/cloudy-dnsservices' },
  daemons: [
    {
      name: 'named',
      user: 'cloudy-dnsservices',
      // -f: one foreground process (the supervisor owns its PID), logging as named.conf says (to stderr; -g would
      // log everything at info); -c: the generated config, never /etc/bind.
      argv: ['named', '-f', '-c', '{path:config}/named.conf'],
      cwd: '{path:home}',
      // Port 53 as its own user: only this capability, kept across the change of user (docs/decisions.md).
      capabilities: ['net_bind_service'],
      ports: [
        { port: '{config:port}', protocol: 'udp', purpose: 'DNS for community members' },
        { port: '{config:port}', protocol: 'tcp', purpose: 'DNS over TCP (large answers)' },
      ],
      readyWhenListening: { host: '127.0.0.1', port: '{config:port}' },
    },
  ],
  configSchema: Type.Object(
    {
      port: Type.Integer({ title: 'DNS port', description: 'UDP and TCP port named answers on; devices expect 53.', minimum: 1, maximum: 65535, default: 53 }),
      clientSubnets: Type.Array(CIDR, {
        title: 'Who may resolve through it',
        description: 'IPv4 networks of the members, separated by commas; others get only the community zone.',
        minItems: 1,
        maxItems: 64,
        uniqueItems: true,
        default: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'],
      }),
      forwarders: Type.Array(IPV4, {
        title: 'Forwarders',
        description: 'IPv4 addresses of DNS servers to ask first, separated by commas; empty: ask the root servers.',
        maxItems: 8,
        uniqueItems: true,
        default: [],
      }),
      zone: Type.String({
        title: 'Community zone',
        description: 'The domain this node serves; empty: <microcloud>.internal, or community.internal without a microcloud.',
        pattern: `^$|^(${LABEL}\\.)*${LABEL}$`,
        maxLength: 200,
        default: '',
      }),
    },
    { additionalProperties: false },
  ),
  secrets: [],
  publish: [
    // The 2015 type (Guifi's DNSServices), and the DNS-SD one.
    { type: '_dnsservice._tcp', port: '{config:port}', description: 'Community DNS' },
    { type: '_dns._udp', port: '{config:port}', description: 'Community DNS' },
  ],
  consume: [
    {
      id: 'use-dns',
      forType: '_dns._udp',
      label: { en: 'Use this DNS server', ca: 'Fes servir aquest servidor DNS', es: 'Usar este servidor DNS' },
      show: [
        { label: { en: 'DNS server (in your device’s network settings)', ca: 'Servidor DNS (a la configuració de xarxa del dispositiu)', es: 'Servidor DNS (en la configuración de red del dispositivo)' }, value: '{address}' },
        { label: { en: 'Port', ca: 'Port', es: 'Puerto' }, value: '{port}' },
        { label: { en: 'Community zone (search domain)', ca: 'Zona comunitària (domini de cerca)', es: 'Zona comunitaria (dominio de búsqueda)' }, value: '{txt:zone}' },
        { label: { en: 'Linux (/etc/resolv.conf)', ca: 'Linux (/etc/resolv.conf)', es: 'Linux (/etc/resolv.conf)' }, value: 'nameserver {address}' },
        { label: { en: 'Try it', ca: 'Prova-ho', es: 'Pruébalo' }, value: 'dig @{address} -p {port} {txt:zone} SOA' },
      ],
    },
  ],
  backupPaths: [],
  diagnostics: [
    { checkId: 'dnsservices-config-valid', description: 'named-checkconf accepts the configuration in use and its zones' },
    { checkId: 'dnsservices-answers-soa', description: 'named answers the community zone’s SOA on 127.0.0.1' },
  ],
});
