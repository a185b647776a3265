// SNPServices: the community's network graphs (Guifi SNPServices rebuilt). A graph server in cloudyd polls devices by
// SNMP and ping and keeps their traffic in the node's time series; snmpd from Debian answers other graph servers.
import { Type } from '@sinclair/typebox';

import { defineManifest } from '../../kit/manifest.ts';

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4_PATTERN = `^${OCTET}(\\.${OCTET}){3}$`;
const IPV4 = Type.String({ pattern: IPV4_PATTERN, maxLength: 15 });
/** An IPv4 network in CIDR form; checkConfig also checks its host bits. */
const CIDR = Type.String({ pattern: '^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$', maxLength: 18 });
/** SNMP communities are free text on devices; here only what cannot break snmpd.conf or a URL. */
export const COMMUNITY_PATTERN = '^[A-Za-z0-9._~-]{1,32}$';
export const DEVICE_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,31}$';
/** Addresses one `snpservices.ping` call takes (one fping process); module.ts splits larger rounds. */
export const MAX_PINGED = 1000;

export const snpservicesManifest = defineManifest({
  id: 'snpservices',
  version: 1,
  title: 'Network graphs',
  description: 'A graph server for the community network: polls devices by SNMP and ping, graphs their traffic and shows whether they are up; also answers other graph servers about this node.',
  category: 'network',
  // fping: the five pings per device and round, for all devices in one process; gnuplot: the PNG graphs.
  packages: ['snmpd', 'fping', 'gnuplot-nox'],
  systemUsers: [{ name: 'cloudy-snpservices', home: '{path:home}' }],
  // config: root-owned snmpd.conf written by the module; home: snmpd's persistent state (SNMP_PERSISTENT_DIR).
  paths: { home: '/var/lib/cloudy-snpservices', config: '/etc/cloudy-snpservices' },
  daemons: [
    {
      name: 'snmpd',
      user: 'cloudy-snpservices',
      // -f: foreground (the supervisor owns its PID); -Lo: log to stdout; -C: only our config, never /etc/snmp.
      argv: ['snmpd', '-f', '-Lo', '-C', '-c', '{path:config}/snmpd.conf'],
      // MIBS empty: no MIB files are parsed. Debian ships only some (the rest are non-free), and parsing those logs
      // ~500 "Cannot adopt OID" lines per start; graph servers ask by numeric OID anyway.
      env: { SNMP_PERSISTENT_DIR: '{path:home}/persist', HOME: '{path:home}', MIBS: '' },
      cwd: '{path:home}',
      // Port 161 as its own user: only this capability (as the DNS module's named, docs/decisions.md).
      capabilities: ['net_bind_service'],
      ports: [
        { port: '{config:agentPort}', protocol: 'udp', purpose: 'SNMP for graph servers (read-only)' },
        { port: '{config:agentPort}', protocol: 'tcp', purpose: 'SNMP over TCP: readiness and discovery' },
      ],
      readyWhenListening: { host: '127.0.0.1', port: '{config:agentPort}' },
    },
  ],
  configSchema: Type.Object(
    {
      agentPort: Type.Integer({ title: 'SNMP port', description: 'Where this node answers graph servers; they expect 161.', minimum: 1, maximum: 65535, default: 161 }),
      agentCommunity: Type.String({ title: 'SNMP community', description: 'The read-only community graph servers use; letters, digits and . _ ~ -.', pattern: COMMUNITY_PATTERN, maxLength: 32, default: 'public' }),
      agentSubnets: Type.Array(CIDR, {
        title: 'Who may read this node by SNMP',
        description: 'IPv4 networks of the graph servers, separated by commas.',
        minItems: 1,
        maxItems: 64,
        uniqueItems: true,
        default: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'],
      }),
      pollMinutes: Type.Integer({ title: 'Minutes between polls', description: 'How often every device is asked for its traffic and pinged; Guifi polled every 5.', minimum: 1, maximum: 60, default: 5 }),
      graphDiscovered: Type.Boolean({ title: 'Graph every node discovery finds', description: 'Every community node that answers SNMP through this module is graphed.', default: true }),
      cnmlUrl: Type.String({
        title: 'CNML address',
        description: 'A guifi.net CNML export (http or https) to take devices from, read again every hour; empty: none.',
        pattern: '^$|^https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?(/[A-Za-z0-9._~%!$&()*+,;=:@/-]*)?(\\?[A-Za-z0-9._~%!$&()*+,;=:@/?-]*)?$',
        maxLength: 500,
        default: '',
      }),
      graphServerId: Type.String({
        title: 'Graph server ID',
        description: 'This server’s ID in the CNML: only devices whose graph server it is are graphed; empty: every device in service.',
        pattern: '^$|^[0-9]{1,10}$',
        maxLength: 10,
        default: '',
      }),
      chosenAgents: Type.Array(IPV4, { title: 'Also graphed', description: 'Addresses of discovered nodes chosen with "Graph this device".', maxItems: 500, uniqueItems: true, default: [] }),
      ignoredAgents: Type.Array(IPV4, { title: 'Not graphed', description: 'Addresses of discovered nodes taken out of the graphs.', maxItems: 500, uniqueItems: true, default: [] }),
    },
    { additionalProperties: false },
  ),
  collections: {
    devices: {
      noun: 'device',
      title: 'Devices',
      description: 'Devices graphed by address: routers, antennas, servers that answer SNMP.',
      itemSchema: Type.Object(
        {
          name: Type.String({ title: 'Name', description: 'Lower-case letters, digits and -; the device’s graphs take it.', pattern: DEVICE_NAME_PATTERN, maxLength: 32 }),
          address: Type.String({ title: 'Address', description: 'Its IPv4 address.', pattern: IPV4_PATTERN, maxLength: 15 }),
          port: Type.Integer({ title: 'SNMP port', minimum: 1, maximum: 65535, default: 161 }),
          community: Type.String({ title: 'Community', description: 'Its read community; letters, digits and . _ ~ -.', pattern: COMMUNITY_PATTERN, maxLength: 32, default: 'public' }),
          version: Type.Union([Type.Literal('2c', { title: 'v2c (64-bit counters)' }), Type.Literal('1', { title: 'v1 (old devices)' })], { title: 'SNMP version', default: '2c' }),
        },
        { additionalProperties: false },
      ),
      key: 'name',
      maxItems: 1000,
    },
  },
  secrets: [],
  publish: [
    // The 2015 type (the graph server), on the node's plain HTTP port where /snpservices/ is served; and the agent.
    { type: '_snpservice._tcp', port: '{node:httpPort}', description: 'Network graphs', txt: { path: '/snpservices/' } },
    { type: '_snmp._udp', port: '{config:agentPort}', description: 'SNMP agent', txt: { community: '{config:agentCommunity}' } },
  ],
  consume: [
    {
      id: 'graph-device',
      forType: '_snmp._udp',
      label: { en: 'Graph this device', ca: 'Fes-ne gràfics', es: 'Hacer sus gráficos' },
      doneLabel: { en: 'Graphed', ca: 'Amb gràfics', es: 'Con gráficos' },
      undoLabel: { en: 'Stop graphing', ca: 'Deixa de fer-ne gràfics', es: 'Dejar de hacer sus gráficos' },
    },
  ],
  backupPaths: [],
  diagnostics: [
    { checkId: 'snpservices-agent-answers', description: 'snmpd answers this node’s name by SNMP on 127.0.0.1' },
    { checkId: 'snpservices-polling', description: 'the graph server finished a polling round within two intervals' },
  ],
});
