// Builds the Fastify application: access guard, error shape, routes, panel assets, and the OpenAPI document on demand.
import cookie from '@fastify/cookie';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';

import { ApiError } from './api-error.ts';
import type { AccountStore } from './auth/account-store.ts';
import { installAccessGuard } from './auth/access-guard.ts';
import type { LoginThrottle } from './auth/login-throttle.ts';
import type { EventBus } from './event-bus.ts';
import { HelperError } from './helper-client.ts';
import type { HelperClient } from './helper-client.ts';
import { lazySchemaCompilers } from './lazy-schema-compilers.ts';
import { recordRoutesForOpenApi } from './openapi-document.ts';
import type { ModuleService } from './module-service.ts';
import type { OperationStore } from './operations.ts';
import { type DiscoveryRouteDeps, registerDiscoveryRoutes } from './routes/discovery-routes.ts';
import { type MetricsRouteDeps, registerMetricsRoutes } from './routes/metrics-routes.ts';
import { registerModuleRoutes } from './routes/module-routes.ts';
import { registerPublicFileRoutes } from './public-files.ts';
import { registerNodeRoutes } from './routes/node-routes.ts';
import { registerOperationRoutes } from './routes/operation-routes.ts';
import { registerSessionRoutes, type SessionRouteDeps } from './routes/session-routes.ts';
import { registerLegacyVpnRoutes } from './routes/legacy-vpn-routes.ts';
import { registerUserRoutes } from './routes/user-routes.ts';
import { registerVpnRoutes, type VpnRouteDeps } from './routes/vpn-routes.ts';
import { registerWebUiProxy } from './routes/web-ui-proxy.ts';
import { answerClientError, installSecurityHeaders } from './security-headers.ts';
import type { ServedCertificate } from './served-certificate.ts';
import { registerWebAssets, type WebAssets } from './web-assets.ts';

export interface AppDeps {
  version: string;
  root: string;
  dataDir: string;
  cliToken: string;
  accounts: AccountStore;
  throttle: LoginThrottle;
  setupThrottle: LoginThrottle;
  helper: HelperClient;
  modules: ModuleService;
  discovery: DiscoveryRouteDeps;
  vpn: VpnRouteDeps;
  metrics: MetricsRouteDeps;
  operations: OperationStore;
  events: EventBus;
  setupCode: SessionRouteDeps['setupCode'];
  onSetupDone: SessionRouteDeps['onSetupDone'];
  /** Serve HTTPS with this certificate (and TLS profile); plain HTTP without, as in tests that inject requests. */
  certificate?: ServedCertificate;
  webAssets: WebAssets;
}

/** Turns ajv's messages into `fields` keyed by property, so the panel shows them next to the input. */
function validationFields(error: FastifyError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.validation ?? []) {
    const missing = (issue.params as { missingProperty?: string }).missingProperty;
    const extra = (issue.params as { additionalProperty?: string }).additionalProperty;
    // A problem inside a field (an extra key of `txt`) belongs to that field, so the form shows it there.
    const parent = issue.instancePath.split('/')[1];
    const key = parent ?? missing ?? extra ?? 'request';
    fields[key] ??= missing ? `${missing} is required${parent ? ` in ${parent}` : ''}.` : extra ? `${parent ? `${parent}: ` : ''}${extra} is not expected here.` : `${key} ${issue.message ?? 'is not valid'}.`;
  }
  return fields;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Strict validation: Fastify's defaults would silently drop unknown properties and coerce types.
  const ajv = { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: true } };
  const https = Boolean(deps.certificate);
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    trustProxy: false,
    ajv,
    schemaController: { compilersFactory: lazySchemaCompilers },
    clientErrorHandler: answerClientError(https),
    ...(deps.certificate ? { https: deps.certificate.serverOptions() } : {}),
  } as FastifyServerOptions);
  installSecurityHeaders(app.server, { https });
  await app.register(cookie);
  const openApiDocument = recordRoutesForOpenApi(app, {
    title: 'Cloudy node API',
    version: deps.version,
    description: 'Every route needs a session cookie (or the local CLI token) unless marked x-public; state changes need the X-CSRF-Token header.',
  });
  installAccessGuard(app, deps.accounts, deps.cliToken);

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.statusCode).send({ error: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) });
    }
    if (error.validation) {
      return reply.code(400).send({ error: 'invalid_request', message: 'Some fields are not valid; nothing was changed.', fields: validationFields(error) });
    }
    if (error instanceof HelperError) {
      const status = error.code === 'unavailable' ? 503 : error.code === 'failed' ? 500 : 400;
      return reply.code(status).send({ error: `helper_${error.code}`, message: error.message });
    }
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.code ?? 'bad_request', message: error.message });
    console.error('cloudyd: unexpected error', error);
    return reply.code(500).send({ error: 'internal', message: 'Something went wrong inside Cloudy; the node log has the details.' });
  });

  registerSessionRoutes(app, deps);
  registerNodeRoutes(app, deps);
  registerUserRoutes(app, deps.accounts);
  registerModuleRoutes(app, deps.modules);
  registerPublicFileRoutes(app, deps.modules);
  registerDiscoveryRoutes(app, deps.discovery);
  registerVpnRoutes(app, deps.vpn);
  registerMetricsRoutes(app, deps.metrics);
  registerLegacyVpnRoutes(app, deps.vpn.server);
  registerOperationRoutes(app, deps);
  registerWebUiProxy(app, deps.modules);
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, openApiDocument);
  registerWebAssets(app, deps.webAssets);
  return app;
}
