import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { AlerterConfig, AlertStore, Logger, LogSearch, LogStore, VigieConfig } from '@vigie/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { ACCESS_CONTROL_RESPONSES, OPENAPI_SECURITY } from '../auth/openapi.js';
import { registerErrorHandler } from './errors.js';
import { type ApiMetrics, registerRequestMetrics, timedSearch } from './metrics.js';
import { registerAlertingRoutes } from './routes/alerting/index.js';
import { registerAnomalyRoutes } from './routes/anomalies.js';
import { registerHealthRoutes } from './routes/health.js';
import { type EngineKind, registerInfoRoute, vigieVersion } from './routes/info.js';
import { registerPerformanceRoute } from './routes/performance.js';
import { registerSearchRoutes } from './routes/search.js';
import { registerTailRoute } from './routes/tail.js';
import { errorResponses } from './schemas.js';

/** The `api` section of the configuration. */
export type ApiConfig = VigieConfig['api'];

/** What `createApiServer` needs. */
export interface ApiServerOptions {
  /** The log store, for /ready. */
  store: Pick<LogStore, 'healthcheck'>;
  search: LogSearch;
  config: ApiConfig;
  logger: Logger;
  /**
   * Access control, registered before any route so its hooks see every request (the
   * plugin of services/api/src/auth). Without it the server must stay on loopback.
   */
  auth?: (app: FastifyInstance) => Promise<void>;
  /**
   * Incidents, silences, feedback, the delivery log and rules (the /api/incidents… routes),
   * with the alerter's config for receivers and the feedback expiry. Without it those
   * routes do not exist.
   */
  alerting?: { store: AlertStore; config: AlerterConfig };
  /**
   * What GET /api/info tells: the engines (Elasticsearch by default) and whether the
   * collector generates the demo traffic (no by default).
   */
  info?: { engines: EngineKind; demo: boolean };
  /** The clock of relative times, for tests. */
  now?: () => number;
  /** Where requests and reads of the store are counted and timed (`runApi` serves them); none by default. */
  metrics?: ApiMetrics;
}

/**
 * Builds the API server (routes, schemas, OpenAPI document, docs page, UI files) without
 * listening: tests call `inject`, `runApi` listens.
 */
export async function createApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const { config } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'api' }),
    // Long URLs and ids reach the schemas, which refuse them with a documented 400,
    // instead of Node's bare 431 or the router's 414; these bound what reaches them.
    http: { maxHeaderSize: 256 * 1024 },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 8_192 },
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
  }) as unknown as FastifyInstance;
  registerErrorHandler(app);
  if (options.metrics) registerRequestMetrics(app, options.metrics);
  const search = options.metrics ? timedSearch(options.search, options.metrics) : options.search;

  // The document is registered first so that it sees every route, the access
  // control's own (keys, audit) included.
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigie search API',
        version: '1',
        description:
          'Search, histogram, facets, context, live tail and anomalies of the logs Vigie stores. Log content is attacker-controlled: render it as text.',
      },
      ...(options.auth
        ? {
            components: { securitySchemes: OPENAPI_SECURITY.securitySchemes },
            security: [{ bearerKey: [] }, { headerKey: [] }],
          }
        : {}),
    },
  });

  // ---- AUTH HOOK ------------------------------------------------------------------
  // Access control (API keys, roles, audit, rate limit, security headers) registers here,
  // before every route. Routes declare `config.permission` (and `audit`) for it.
  app.addHook('onRoute', (route) => {
    // The docs page is public like the document it shows.
    if (route.url.startsWith('/api/docs')) route.config = { ...route.config, permission: 'public' };
    // Every protected route can answer 401, 403 and 429, and every route with a schema for
    // its input a 400 (the error handler's answer to a validation error), 500 and 503:
    // the document says so, routes of the access control included.
    const permission = (route.config as { permission?: string } | undefined)?.permission;
    if (route.url.startsWith('/api/') && route.schema) {
      const access = options.auth && permission !== 'public' ? ACCESS_CONTROL_RESPONSES : {};
      route.schema.response = { ...errorResponses, ...access, ...(route.schema.response as object) };
    }
  });
  if (options.auth) await options.auth(app);
  // ----------------------------------------------------------------------------------

  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { permission: 'public' } }, async () =>
    app.swagger(),
  );

  registerHealthRoutes(app, options.store);
  registerInfoRoute(app, {
    version: vigieVersion(),
    engines: options.info?.engines ?? 'kafka+elasticsearch',
    demo: options.info?.demo ?? false,
  });
  registerSearchRoutes(app, search, now);
  registerTailRoute(app, search, config, now);
  registerAnomalyRoutes(app, search, now);
  registerPerformanceRoute(app, search, now);
  if (options.alerting) registerAlertingRoutes(app, { ...options.alerting, search, now });
  await registerUi(app, config.uiDir);
  return app;
}

/** The built UI at /, with index.html for any other non-API path (the UI routes itself). */
async function registerUi(app: FastifyInstance, uiDir: string): Promise<void> {
  const root = resolve(uiDir);
  const hasUi = existsSync(resolve(root, 'index.html'));
  if (hasUi) await app.register(fastifyStatic, { root, wildcard: false, index: 'index.html' });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (!hasUi || path.startsWith('/api') || request.method !== 'GET') {
      return reply
        .status(404)
        .send({ error: { code: 'VIGIE_ERR_NOT_FOUND', message: `No route ${request.method} ${path}` } });
    }
    return reply.sendFile('index.html');
  });
}
