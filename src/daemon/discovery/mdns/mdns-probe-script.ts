// Lab-test driver: runs one MdnsBackend inside a lab namespace; commands over a unix socket, events as JSON lines on stdout.
//
// argv: <control socket path> <JSON: { interfaceAddress, hostName, advertise, limits? }>
// Every stdout line is `{"event": ..., "t": <Date.now()>, ...}`: ready, up, down, error. A command is one JSON line
// on a fresh connection to the control socket, answered by one JSON line: setAdverts, advertised, refresh,
// stats, stop, and rawAnnounce (a hand-made response with a short TTL, to test expiry without goodbye).
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';

import Bonjour from 'bonjour-service';

import { MdnsBackend, type MdnsAdvert, type MdnsBackendOptions } from './mdns-backend.ts';

type Command =
  | { cmd: 'setAdverts'; adverts: MdnsAdvert[] }
  | { cmd: 'advertised' | 'refresh' | 'stats' | 'stop' }
  | { cmd: 'rawAnnounce'; name: string; type: string; port: number; ttl: number };

const [socketPath, optionsJson] = process.argv.slice(2);
if (!socketPath || !optionsJson) throw new Error('usage: mdns-probe-script.ts <socket> <options JSON>');
const config = JSON.parse(optionsJson) as Pick<MdnsBackendOptions, 'interfaceAddress' | 'hostName' | 'advertise' | 'limits'>;

const emit = (event: string, data: object = {}) => process.stdout.write(`${JSON.stringify({ event, t: Date.now(), ...data })}\n`);
const backend = new MdnsBackend({
  ...config,
  onUp: (sighting) => emit('up', { sighting }),
  onDown: (gone) => emit('down', { gone }),
  onError: (error) => emit('error', { name: error.name, message: error.message }),
});

/** Sends PTR/SRV/TXT/A with the given TTL from a second socket and never a goodbye (the caller then kills us). */
function rawAnnounce({ name, type, port, ttl }: { name: string; type: string; port: number; ttl: number }): Promise<void> {
  const raw = new Bonjour({ interface: config.interfaceAddress, bind: '0.0.0.0' } as object);
  const mdns = (raw as unknown as { server: { mdns: { respond(packet: object, callback: () => void): void } } }).server.mdns;
  const serviceType = `_${type}._tcp.local`;
  const fqdn = `${name}.${serviceType}`;
  const host = `${config.hostName}.local`;
  return new Promise((resolve) => mdns.respond({
    answers: [
      { name: '_services._dns-sd._udp.local', type: 'PTR', ttl, data: serviceType },
      { name: serviceType, type: 'PTR', ttl, data: fqdn },
      { name: fqdn, type: 'SRV', ttl, data: { port, target: host, priority: 0, weight: 0 } },
      { name: fqdn, type: 'TXT', ttl, data: [Buffer.from('raw=yes')] },
      { name: host, type: 'A', ttl, data: config.interfaceAddress },
    ],
  }, () => resolve()));
}

async function run(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'setAdverts': await backend.setAdverts(command.adverts); return backend.advertised();
    case 'advertised': return backend.advertised();
    case 'refresh': backend.refresh(); return null;
    case 'stats': return backend.stats();
    case 'stop': await backend.stop(); setTimeout(() => process.exit(0), 50); return null;
    case 'rawAnnounce': await rawAnnounce(command); return null;
  }
}

await backend.start();
rmSync(socketPath, { force: true });
createServer((connection) => {
  let buffer = '';
  connection.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    if (!buffer.includes('\n')) return;
    run(JSON.parse(buffer.slice(0, buffer.indexOf('\n'))) as Command).then(
      (result) => connection.end(`${JSON.stringify({ ok: true, result })}\n`),
      (error: Error) => connection.end(`${JSON.stringify({ ok: false, error: error.message })}\n`),
    );
  });
}).listen(socketPath, () => emit('ready', { pid: process.pid }));
