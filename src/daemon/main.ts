// cloudyd: the unprivileged node daemon. Composition root: the only place that wires the parts together.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { cloudyModules } from '../modules/index.ts';
import { HOSTNAME_PATTERN } from '../shared/http-names.ts';
import { CLOUDY_ACCOUNT, nodeLayout } from '../shared/node-layout.ts';
import { parseStartArgs, StartOptionError } from '../shared/start-options.ts';
import { buildApp } from './app.ts';
import { ConsumeActions, discovered } from './discovery/consume-actions.ts';
import { DiscoveryService } from './discovery/discovery-service.ts';
import { DiscoveryStore } from './discovery/discovery-store.ts';
import { ReachabilityProbe } from './discovery/reachability-probe.ts';
import { AccountStore } from './auth/account-store.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { openDatabase } from './database.ts';
import { MetricStore } from './metrics/metric-store.ts';
import { MetricsTokens } from './metrics/metrics-tokens.ts';
import { NodeSampler } from './metrics/node-sampler.ts';
import { readNodeFigures } from './metrics/proc-readings.ts';
import { EventBus } from './event-bus.ts';
import { HelperClient } from './helper-client.ts';
import { ModuleCollections } from './module-collections.ts';
import { ModuleService } from './module-service.ts';
import { requestHost, servePublicFile } from './public-files.ts';
import { ModuleStore } from './module-store.ts';
import { OperationStore } from './operations.ts';
import { dropPrivileges, handOver, lookupAccount } from './privilege-drop.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { compileAll } from './lazy-schema-compilers.ts';
import { loadOpenApiCode } from './openapi-document.ts';
import { ServedCertificate } from './served-certificate.ts';
import { generateSetupCode } from './setup-code.ts';
import { nodeHostname } from './system-facts.ts';
import { loadWebAssets } from './web-assets.ts';
import { MembershipStore } from './vpn/membership-store.ts';
import { VpnMember } from './vpn/vpn-member.ts';
import { vpnPublishing } from './vpn/vpn-publications.ts';
import { VpnServer } from './vpn/vpn-server.ts';
import { VpnServerStore } from './vpn/vpn-server-store.ts';
import { mapStackTracesLazily } from '../shared/lazy-source-maps.ts';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
mapStackTracesLazily(import.meta.url);

const options = (() => {
  try {
    return parseStartArgs(process.argv.slice(2), {}).options;
  } catch (error) {
    if (!(error instanceof StartOptionError)) throw error;
    console.error(`cloudyd: ${error.message}`);
    process.exit(64);
  }
})();
const layout = nodeLayout(options.root);
const { httpsPort, httpPort } = options;
const version = (JSON.parse(readFileSync(path.join(repoDir, 'package.json'), 'utf8')) as { version: string }).version;

const SCHEMA_WARM_UP_DELAY_MS = 10_000;

async function waitForHelper(helper: HelperClient): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await helper.call('helper.ping');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      // Started alongside the helper, cloudyd usually waits here for its socket: ask often, it costs a failed connect.
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** A single DNS label for certificates, mDNS and Serf: the first label of the name, or "cloudy". */
function hostLabel(name: string): string {
  const label = name.split('.')[0] ?? '';
  return new RegExp(HOSTNAME_PATTERN).test(label) ? label : 'cloudy';
}

/**
 * Plain HTTP on the original Cloudy port points browsers to HTTPS, except for the files modules serve to anyone
 * (proxy.pac, wpad.dat): browsers fetch those over plain HTTP and do not follow a redirect to a self-signed certificate.
 */
function startRedirectServer(modules: ModuleService): http.Server {
  const server = http.createServer((request, response) => {
    void servePublicFile(modules, request, response).then((served) => {
      if (served) return;
      const host = requestHost(request.headers.host) ?? options.listen;
      response.writeHead(308, { location: `https://${host}:${httpsPort}${request.url ?? '/'}` });
      response.end();
    });
  });
  installSecurityHeaders(server, { https: false });
  server.listen(httpPort, options.listen);
  return server;
}

/**
 * Started as root, cloudyd does all its start-up first (the checkout may be readable by root only, and
 * libraries load code lazily), then becomes user cloudy before it accepts a single connection.
 */
async function main(): Promise<void> {
  const helper = new HelperClient(layout.helperSocket);
  await waitForHelper(helper);
  // The certificate names the node's hostname (the panel's, else the machine's) and is reissued when that changed.
  const certificate = new ServedCertificate(layout, helper);
  // The helper makes it (openssl, ≈ 45 ms on a first start) while cloudyd reads the panel and opens its databases
  // below; the request has to leave before that synchronous work, hence the yield to the event loop.
  const certified = certificate.ensure(hostLabel(await nodeHostname(layout.root)));
  certified.catch(() => undefined); // Handled where it is awaited, before the app is built.
  await new Promise((resolve) => setImmediate(resolve));
  const webAssets = loadWebAssets(path.join(repoDir, 'dist/web'));

  const db = openDatabase(layout.databaseFile);
  const account = process.getuid?.() === 0 ? lookupAccount(CLOUDY_ACCOUNT) : null;
  // Files SQLite made while we were root must stay usable by cloudy after the drop and on later starts.
  if (account) handOver(account, [layout.databaseFile, `${layout.databaseFile}-wal`, `${layout.databaseFile}-shm`]);
  const events = new EventBus();
  const operations = new OperationStore(db, events);
  const interrupted = operations.failInterrupted();
  if (interrupted > 0) console.log(`cloudyd: marked ${interrupted} interrupted operation(s) as failed`);
  // The time series live in their own file: a week of minute points per series is most of cloudyd's writes.
  const metricsFile = path.join(layout.dataDir, 'metrics.sqlite');
  const metricStore = new MetricStore(metricsFile);
  if (account) handOver(account, [metricsFile, `${metricsFile}-wal`, `${metricsFile}-shm`]);
  const accounts = new AccountStore(db);
  const modules = new ModuleService(cloudyModules, { root: layout.root, helper, store: new ModuleStore(db), collections: new ModuleCollections(db),
    operations,
    events,
    nodeName: async () => hostLabel(await nodeHostname(layout.root)),
    nodePorts: { http: httpPort, https: httpsPort },
    series: metricStore,
  });

  const readFigures = () => readNodeFigures(layout.dataDir, () => modules.runningDaemons());
  const sampler = new NodeSampler(metricStore, readFigures, (line) => console.log(`cloudyd: ${line}`));

  const memberships = new MembershipStore(db);
  // Built before discovery (which publishes its records), given discovery's community address once it exists.
  let communityAddress = (): string | null => null;
  const vpnServer = new VpnServer({
    store: new VpnServerStore(db),
    // Read at each token issue: a hostname change reissues the certificate (decision AF in docs/decisions.md).
    get certificatePin() {
      return certificate.vpnPin;
    },
    publicBase: () => `https://${communityAddress() ?? '127.0.0.1'}:${httpsPort}`,
  });

  const discoveryStore = new DiscoveryStore(db);
  const discovery = new DiscoveryService({
    root: layout.root,
    helper,
    store: discoveryStore,
    events,
    modules: {
      publishing: async () => [...(await modules.publishing()), ...(await vpnPublishing({ server: vpnServer, memberships, helper, httpsPort }))],
      manualPublications: () => discoveryStore.manualPublications(),
    },
    hostname: async () => hostLabel(await nodeHostname(layout.root)),
    api: {
      port: httpsPort,
      get pin() {
        return certificate.discoveryPin;
      },
    },
    start: { communityAddress: options.communityAddress ?? undefined, serfPort: options.serfPort ?? undefined, serfRpcPort: options.serfRpcPort },
    log: (line) => console.log(`cloudyd: ${line}`),
  });

  communityAddress = () => discovery.status().communityAddress || null;
  modules.setDiscoveredSource(() => ({
    microcloud: discovery.currentSettings().microcloud,
    communityAddress: communityAddress() ?? '127.0.0.1',
    services: discovery.search({ limit: 5000 }).records.map(discovered),
    nodes: discovery
      .status()
      .members.filter((member) => member.cloudy && member.status === 'alive')
      // A Cloudy node's Serf name is `<host name>-<first 6 characters of its node id>` (discovery-service.ts).
      .map((member) => ({ node: member.name.replace(/-[a-z0-9]{6}$/, ''), address: member.address })),
  }));
  const vpnMember = new VpnMember({
    helper,
    store: memberships,
    server: vpnServer,
    operations,
    events,
    nodeName: async () => hostLabel(await nodeHostname(layout.root)),
    communityAddress: () => communityAddress(),
    log: (line) => console.log(`cloudyd: ${line}`),
  });

  // Where the local CLI finds the API (under systemd nobody else records it). Written before the drop, like every file
  // here: the root dir may be one cloudy cannot traverse.
  writeFileSync(layout.endpointFile, JSON.stringify({ listen: options.listen, httpPort, httpsPort }));
  if (account) handOver(account, [layout.endpointFile]);

  const cliToken = randomBytes(32).toString('base64url');
  writeFileSync(`${layout.cliTokenFile}.tmp`, cliToken, { mode: 0o600 });
  if (account) handOver(account, [`${layout.cliTokenFile}.tmp`]);
  renameSync(`${layout.cliTokenFile}.tmp`, layout.cliTokenFile);

  const { fingerprint } = await certified;
  let setupCode: string | null = null;
  if (!accounts.hasAdmin()) {
    setupCode = generateSetupCode();
    await helper.call('node.writeSetupCode', { code: setupCode });
  }

  const app = await buildApp({
    version,
    root: layout.root,
    dataDir: layout.dataDir,
    webAssets,
    cliToken,
    accounts,
    throttle: new LoginThrottle(),
    setupThrottle: new LoginThrottle(),
    helper,
    modules,
    discovery: { discovery, probe: new ReachabilityProbe(discovery.cache), consume: new ConsumeActions(modules, discovery.cache) },
    vpn: { server: vpnServer, member: vpnMember },
    metrics: { store: metricStore, tokens: new MetricsTokens(db), read: readFigures, nodeName: async () => hostLabel(await nodeHostname(layout.root)), version },
    operations,
    events,
    certificate,
    setupCode: () => setupCode,
    onSetupDone: async () => {
      setupCode = null;
      await helper.call('node.clearSetupCode');
    },
  });
  await app.ready();
  // Started as root, the checkout may be one only root can read (the helper starts cloudyd as cloudy otherwise): code
  // loaded later must be loaded now. The build has all of it in its own files, so reading the OpenAPI plugin's chunk is
  // enough (its document is built on the first request). From the sources, ajv, fast-json-stringify and the plugin load
  // parts of themselves from node_modules as they work: compile every schema and build the document now.
  if (account && import.meta.url.endsWith('.js')) await loadOpenApiCode();
  else if (account) {
    compileAll();
    await app.inject({ method: 'GET', url: '/api/openapi.json' });
  }
  if (account) dropPrivileges(CLOUDY_ACCOUNT);
  await app.listen({ port: httpsPort, host: options.listen });
  const redirect = startRedirectServer(modules);

  console.log(`cloudyd: panel on https://${options.listen}:${httpsPort}/ (http://${options.listen}:${httpPort}/ redirects there)`);
  console.log(`cloudyd: certificate SHA-256 fingerprint ${fingerprint}`);
  if (setupCode) {
    console.log(`cloudyd: first visit: enter the setup code ${setupCode} to create the administrator (also in ${layout.setupCodeFile})`);
  }
  sampler.start();
  events.subscribe((event) => {
    if (event.type === 'module') sampler.soon();
  });
  await modules.restoreEnabled();
  await discovery.start();
  // Route schemas compile on first use (a faster start); the rest compile once the node is up, so a schema that does
  // not compile shows in the log at every start, not at the first request to a rare route.
  setTimeout(() => {
    try {
      compileAll();
    } catch (error) {
      console.error(`cloudyd: a route schema does not compile: ${(error as Error).message}`);
    }
  }, SCHEMA_WARM_UP_DELAY_MS).unref();
  await vpnMember.restore();
  helper.onReconnect = () => {
    console.log('cloudyd: the helper came back; starting the modules and networks that were running');
    void modules.restoreEnabled();
    void vpnMember.restore();
  };
  // A heartbeat notices a restarted helper within seconds, not at the next panel request.
  setInterval(() => void helper.call('helper.ping').catch(() => undefined), 5000).unref();

  const shutdown = async () => {
    redirect.close();
    vpnMember.close();
    sampler.stop();
    await discovery.close();
    await app.close();
    helper.close();
    db.close();
    metricStore.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

main().catch((error: Error) => {
  console.error(`cloudyd: ${error.message}`);
  process.exit(1);
});
