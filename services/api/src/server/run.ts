import type { AlertStore, Logger, LogSearch, LogStore, RoleOps, VigieConfig } from '@vigie/common';
import { ConfigError, createRegistry, DEFAULT_OPS_PORTS, startRoleOps } from '@vigie/common';
import { ElasticsearchAlertStore, ElasticsearchStore } from '@vigie/storage';
import type { FastifyInstance } from 'fastify';
import { isLoopbackHost } from '../auth/index.js';
import { createApiServer } from './app.js';
import { createApiMetrics } from './metrics.js';
import type { EngineKind } from './routes/info.js';

/** A running API server. */
export interface RunningApi {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  /** The ops endpoints (/health, /ready, /metrics), e.g. http://127.0.0.1:9467 */
  opsUrl: string;
  app: FastifyInstance;
  /** Closes the server (ending live tails), the ops endpoints and the store; idempotent. */
  stop(): Promise<void>;
}

/** Options of `runApi`. */
export interface RunApiOptions {
  /** Access control to register before the routes (see `createApiServer`). */
  auth?: (app: FastifyInstance) => Promise<void>;
  /** The store to read, owned (and closed) by the caller; Elasticsearch from the configuration otherwise. */
  search?: LogSearch & Pick<LogStore, 'healthcheck'>;
  /** The alert store, likewise; given with `search` when the caller gives one. */
  alerts?: AlertStore;
  /** The engines the roles run on, for GET /api/info: `kafka+elasticsearch` by default. */
  engines?: EngineKind;
}

/**
 * Starts `vigie api`: the search API and the built UI on `api.host:api.port`, reading
 * Elasticsearch, and its ops endpoints on `ops.host:ops.port` (9467 by default) like
 * every role, with the request and store metrics. Fails at start-up when Elasticsearch does not answer, or when asked to
 * listen beyond loopback with no access control.
 */
export async function runApi(
  config: VigieConfig,
  logger: Logger,
  options: RunApiOptions = {},
): Promise<RunningApi> {
  const { host, port } = config.api;
  if (!options.auth && !isLoopbackHost(host))
    throw new ConfigError(
      `api.host is ${host}, reachable from other machines, but no access control is set up`,
    );
  // Only what this function built is closed on stop; injected engines are their owner's.
  const owned: Array<{ close(): Promise<void> }> = [];
  const own = <T extends { close(): Promise<void> }>(engine: T): T => {
    owned.unshift(engine);
    return engine;
  };
  const store = options.search ?? own(new ElasticsearchStore({ ...config.elasticsearch, logger }));
  await store.healthcheck();
  // Incidents, silences, rules…: the same indices the alerter writes (installed here too,
  // so the UI answers before the first alerter runs).
  const alerts = options.alerts ?? own(new ElasticsearchAlertStore(config.elasticsearch));
  const closeStores = async () => {
    for (const engine of owned) await engine.close();
  };
  const registry = createRegistry({ role: 'api' });
  let app: FastifyInstance;
  let ops: RoleOps;
  try {
    await alerts.setupAlerting();
    app = await createApiServer({
      metrics: createApiMetrics(registry),
      store,
      search: store,
      config: config.api,
      logger,
      auth: options.auth,
      alerting: { store: alerts, config: config.alerter },
      // The demo traffic is the collector's: on when its configuration says so (in
      // `vigie all`, after --demo / --no-demo).
      info: { engines: options.engines ?? 'kafka+elasticsearch', demo: config.collector.demo },
    });
    await app.listen({ host, port });
    ops = await startRoleOps({
      ops: config.ops,
      defaultPort: DEFAULT_OPS_PORTS.api,
      registry,
      readiness: () => storeReadiness(store),
      logger,
    }).catch(async (err: unknown) => {
      await app.close();
      throw err;
    });
  } catch (err) {
    await closeStores();
    throw err;
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  logger.info({ url }, 'Search API listening.');
  let stopped = false;
  return {
    url,
    opsUrl: ops.opsUrl,
    app,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.allSettled([app.close(), ops.close()]);
      await closeStores();
    },
  };
}

/** Ready while the store answers, as the API's own GET /ready says. */
async function storeReadiness(store: Pick<LogStore, 'healthcheck'>) {
  try {
    await store.healthcheck();
    return { ready: true, checks: { storage: 'ok' } };
  } catch {
    // The reason is in the API's own /ready answer and logs; probes only need the verdict.
    return { ready: false, checks: { storage: 'unavailable' } };
  }
}
