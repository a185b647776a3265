// The API's OpenAPI document, built by @fastify/swagger when it is first asked for. Registered on the node's own app,
// the plugin and its YAML and $ref libraries would load at every start for a page few ever open; instead the routes
// are recorded as they are added, and on the first request a Fastify instance of its own, which never listens or
// validates, gets the same routes and schemas and hands them to the plugin.
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';

type RecordedRoute = Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>;

/** Call before the routes are added; the returned function gives the document (built once). */
export function recordRoutesForOpenApi(app: FastifyInstance, info: { title: string; version: string; description: string }): () => Promise<unknown> {
  const routes: RecordedRoute[] = [];
  app.addHook('onRoute', (route) => {
    // The HEAD routes Fastify adds for every GET are not documented (as @fastify/swagger's default has it).
    if (route.method === 'HEAD') return;
    routes.push({ method: route.method, url: route.url, schema: route.schema, config: route.config });
  });
  let document: Promise<unknown> | undefined;
  return () => (document ??= build(routes, info));
}

/**
 * Reads the plugin's code without building anything: for a cloudyd that starts as root and then drops to a user that
 * may not be able to read the build (its document is built on the first request, after the drop).
 */
export async function loadOpenApiCode(): Promise<void> {
  await import('@fastify/swagger');
}

async function build(routes: RecordedRoute[], info: { title: string; version: string; description: string }): Promise<unknown> {
  const { default: swagger } = await import('@fastify/swagger');
  // This instance serves no request: its validators and serializers are never compiled.
  const unused = () => () => () => true;
  const documenting = Fastify({ exposeHeadRoutes: false, schemaController: { compilersFactory: { buildValidator: unused, buildSerializer: unused } } } as unknown as FastifyServerOptions);
  await documenting.register(swagger, {
    openapi: { info },
    transform: ({ schema, url, route }) => {
      const access = (route.config as { access?: string } | undefined)?.access ?? 'user';
      return { schema: { ...(schema ?? {}), 'x-access': access } as typeof schema, url };
    },
  });
  for (const route of routes) documenting.route({ ...route, handler: async () => null } as RouteOptions);
  await documenting.ready();
  const document = documenting.swagger();
  await documenting.close();
  return document;
}
