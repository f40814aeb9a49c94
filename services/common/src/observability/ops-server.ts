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

/** The ops endpoints of one role, where they listen, and how to stop them. */
export interface RoleOps {
  /** e.g. `http://127.0.0.1:9464`; logged as `opsUrl` so tests and operators find it. */
  opsUrl: string;
  close(): Promise<void>;
}

/**
 * Starts a role's ops endpoints on `ops.host` and `ops.port` (or the role's default
 * port) and logs where they listen.
 */
export async function startRoleOps(options: {
  ops: { host: string; port?: number | undefined };
  defaultPort: number;
  registry: Registry;
  readiness: OpsServerOptions['readiness'];
  logger: Logger;
}): Promise<RoleOps> {
  const { ops, logger } = options;
  const app = await startOpsServer({
    host: ops.host,
    port: ops.port ?? options.defaultPort,
    registry: options.registry,
    readiness: options.readiness,
    logger,
  });
  const address = app.server.address();
  const opsUrl = typeof address === 'object' && address ? `http://${ops.host}:${address.port}` : '';
  logger.info({ opsUrl }, 'Ops endpoints listening.');
  return { opsUrl, close: () => app.close() };
}
