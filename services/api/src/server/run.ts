import type { AlertStore, Logger, LogSearch, LogStore, VigieConfig } from '@vigie/common';
import { ConfigError } from '@vigie/common';
import { ElasticsearchAlertStore, ElasticsearchStore } from '@vigie/storage';
import type { FastifyInstance } from 'fastify';
import { isLoopbackHost } from '../auth/index.js';
import { createApiServer } from './app.js';
import type { EngineKind } from './routes/info.js';

/** A running API server. */
export interface RunningApi {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  app: FastifyInstance;
  /** Closes the server (ending live tails) and the store; idempotent. */
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
 * Elasticsearch. Fails at start-up when Elasticsearch does not answer, or when asked to
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
  let app: FastifyInstance;
  try {
    await alerts.setupAlerting();
    app = await createApiServer({
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
    app,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await closeStores();
    },
  };
}
