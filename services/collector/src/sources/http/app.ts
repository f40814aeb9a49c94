import { randomBytes } from 'node:crypto';
import { isRetriable, summarizeError } from '@vigie/common';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { BackpressureError } from '../../errors.js';
import { createTokenCheck } from './auth.js';
import { BodyError, installBodyHandling, receivedBytes } from './body.js';
import type { RouteContext } from './context.js';
import { type BodyRejection, httpMetrics } from './metrics.js';
import type { HttpSourceOptions } from './options.js';
import { deployRoutes } from './routes/deploys.js';
import { elasticsearchRoutes } from './routes/elasticsearch.js';
import { healthRoutes } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
import { lokiRoutes } from './routes/loki.js';
import { otlpRoutes } from './routes/otlp.js';

/** Fastify error codes that are the client's fault, with the reason counted for each. */
const CLIENT_ERRORS: Record<string, BodyRejection> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_payload',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_payload',
};

// What a retriable failure of the sink other than push-back suggests to clients.
const RETRY_AFTER_SECONDS = 5;

// Paths load balancers and orchestrators probe without credentials.
const OPEN_PATHS = new Set(['/health']);

/**
 * The HTTP source's fastify app, routes registered but not listening: tests drive it
 * with `inject()`, `HttpSource` makes it listen. Each protocol is an encapsulated plugin
 * under `routes/`; the body handling (decompression, size limits), the token check, the
 * error answers and the metrics are shared by all of them.
 */
export function buildHttpApp(options: HttpSourceOptions): FastifyInstance {
  const logger = options.logger.child({ component: 'http-source' });
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    // One log line per request would be per-event logging; counters cover it.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.maxBodyBytes,
    genReqId: () => `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
  });
  const metrics = httpMetrics(options.registry);
  const context: RouteContext = {
    sink: options.sink,
    logger,
    metrics,
    defaultService: options.defaultService,
    maxBodyBytes: options.maxBodyBytes,
    hostName: options.hostName,
  };
  const routeOf = (url: string | undefined) => url ?? 'unmatched';

  installBodyHandling(app, options.maxBodyBytes);

  const checkToken = options.token === undefined ? undefined : createTokenCheck(options.token);
  app.addHook('onRequest', async (request, reply) => {
    if (checkToken === undefined || OPEN_PATHS.has(request.routeOptions.url ?? '')) return;
    if (checkToken(request.headers.authorization)) return;
    metrics.rejected.inc({ reason: 'unauthorized' });
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="vigie", Basic realm="vigie"')
      .send({ statusCode: 401, error: 'Unauthorized', message: 'A valid ingest token is required' });
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = routeOf(request.routeOptions.url);
    metrics.requests.inc({ route, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, reply.elapsedTime / 1000);
    const bytes = receivedBytes(request);
    if (bytes > 0) metrics.bytes.inc({ route }, bytes);
  });

  app.setErrorHandler(async (error: FastifyError | BackpressureError | BodyError, request, reply) => {
    if (error instanceof BackpressureError) {
      metrics.rejected.inc({ reason: 'backpressure' });
      return reply
        .code(503)
        .header('retry-after', String(error.retryAfterSeconds))
        .send({ statusCode: 503, error: 'Service Unavailable', message: error.message });
    }
    if (error instanceof BodyError) {
      metrics.rejected.inc({ reason: error.reason });
      return reply
        .code(error.statusCode)
        .send({ statusCode: error.statusCode, error: error.code, message: error.message });
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation !== undefined) {
      metrics.rejected.inc({ reason: 'invalid_payload' });
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: fastifyError.message });
    }
    const reason = CLIENT_ERRORS[fastifyError.code];
    const status = fastifyError.statusCode ?? 500;
    if (reason !== undefined || (status >= 400 && status < 500)) {
      if (reason !== undefined) metrics.rejected.inc({ reason });
      return reply
        .code(status)
        .send({ statusCode: status, error: fastifyError.code, message: fastifyError.message });
    }
    const route = routeOf(request.routeOptions.url);
    if (isRetriable(error)) {
      // Kafka or the spool failing for a moment: the client keeps the events and retries.
      logger.warn({ err: summarizeError(error), route }, 'HTTP request deferred: the sink failed.');
      metrics.rejected.inc({ reason: 'backpressure' });
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_SECONDS))
        .send({ statusCode: 503, error: 'Service Unavailable', message: 'Vigie cannot store events now' });
    }
    logger.error({ err: summarizeError(error), route }, 'HTTP request failed.');
    return reply.code(500).send({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Vigie failed to handle the request',
    });
  });

  app.register(healthRoutes);
  app.register(ingestRoutes, { context });
  app.register(otlpRoutes, { context });
  app.register(lokiRoutes, { context });
  app.register(elasticsearchRoutes, { context });
  app.register(deployRoutes, { context });
  return app;
}
