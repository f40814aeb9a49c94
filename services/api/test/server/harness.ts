import type { StoredLog, VigieConfig } from '@vigie/common';
import { loadConfig } from '@vigie/common';
import { ElasticsearchStore } from '@vigie/storage';
import { deletePrefix, ENGINES, seedShopLogs, testLogger, uniqueName } from '@vigie/testkit';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../../src/index.js';

/** Settings of the API under test: no UI unless a test asks, fast tail polling. */
export function apiConfig(overrides: Partial<VigieConfig['api']> = {}): VigieConfig['api'] {
  return {
    // The defaults of every other setting of the section, as `vigie api` would read them.
    ...loadConfig({ env: {} }).config.api,
    host: '127.0.0.1',
    port: 0,
    uiDir: '/nonexistent/vigie-ui',
    tailIntervalMs: 200,
    maxTailClients: 3,
    ...overrides,
  };
}

/** A store on its own index prefix, and the API server on it. */
export interface SeededApi {
  app: FastifyInstance;
  store: ElasticsearchStore;
  logs: StoredLog[];
  /** Start of the seeded traffic, epoch ms (ten minutes of it). */
  start: number;
  close(): Promise<void>;
}

/**
 * Ten minutes of the shop's traffic (about 4,000 events from 5 services on 11 hosts,
 * each host writing its service's file with offsets), ending five minutes ago, indexed
 * into real Elasticsearch under a unique prefix.
 */
export async function seededApi(): Promise<SeededApi> {
  const prefix = uniqueName('vigie-it-api');
  const store = new ElasticsearchStore({
    url: ENGINES.elasticsearchUrl,
    indexPrefix: prefix,
    requestTimeoutMs: 30_000,
    totalFieldsLimit: 1000,
    logger: testLogger(),
  });
  await store.setup();
  await store.setupDetection();
  const { start, logs } = await seedShopLogs(store, { seed: 7 });
  const app = await createApiServer({ store, search: store, config: apiConfig(), logger: testLogger() });
  return {
    app,
    store,
    logs,
    start,
    async close() {
      await app.close();
      await store.close();
      await deletePrefix(prefix);
    },
  };
}

/** GET through fastify's inject; the JSON body typed by the caller. */
export async function getJson<T>(app: FastifyInstance, url: string): Promise<{ status: number; body: T }> {
  const response = await app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: response.json() as T };
}
