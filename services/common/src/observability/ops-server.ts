import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** The answer of a readiness probe. */
export interface Readiness {
  ready: boolean;
  /** Per-dependency state, e.g. `{ elasticsearch: 'ok', kafka: 'joined' }`. */
  checks: Record<string, string>;
}

/** What the ops server exposes. */
export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  readiness: () => Readiness | Promise<Readiness>;
  logger: Logger;
}

/**
 * The operations endpoints every Vigie process serves: `/metrics` (Prometheus text),
 * `/health` (the process is alive) and `/ready` (its dependencies answer; 503 otherwise).
 */
export async function startOpsServer(options: OpsServerOptions): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = options.logger.child({ component: 'ops' });
  // Probes and scrapes arrive every few seconds: one log line each would be noise.
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }) });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const readiness = await options.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.header('content-type', options.registry.contentType).send(await options.registry.metrics());
  });
  await app.listen({ host: options.host, port: options.port });
  return app;
}
