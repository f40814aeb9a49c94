import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiServer, KeyStore, PinoFileAuditSink, registerAccessControl } from '@vigie/api';
import { type AlerterConfig, type AlertStore, loadConfig } from '@vigie/common';
import type { ElasticsearchStore } from '@vigie/storage';
import { testLogger } from '@vigie/testkit';

const UI_DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/** A running `vigie api` for the browser tests. */
export interface TestApi {
  url: string;
  /** The viewer key the server asks for, when started with `requireKey`. */
  key?: string;
  close(): Promise<void>;
}

/**
 * The real API server (routes, access control with its security headers and CSP, audit)
 * on 127.0.0.1 and a free port, over `store`, serving the built UI. Without `requireKey`
 * no key is configured, so on loopback requests go through as the local user, as with
 * `vigie api` out of the box; with it, one `sre` key exists and every API call needs it.
 */
export async function startApi(
  store: ElasticsearchStore,
  requireKey = false,
  alerting?: { store: AlertStore; config: AlerterConfig },
): Promise<TestApi> {
  const dir = await mkdtemp(join(tmpdir(), 'vigie-ui-api-'));
  const key = requireKey
    ? (await new KeyStore(join(dir, 'keys.json')).create({ name: 'ui-test', role: 'sre' })).secret
    : undefined;
  const audit = new PinoFileAuditSink(join(dir, 'audit.log'));
  const app = await createApiServer({
    store,
    search: store,
    // The defaults of `vigie api`, on a free port, serving this build.
    config: { ...loadConfig({ env: {} }).config.api, port: 0, uiDir: UI_DIST, tailIntervalMs: 200 },
    logger: testLogger(),
    ...(alerting && { alerting }),
    auth: (instance) =>
      registerAccessControl(instance, {
        keysFile: join(dir, 'keys.json'),
        host: '127.0.0.1',
        audit,
        // Each test page makes a dozen calls; the default limit is for people, not suites.
        rateLimit: { max: 100_000, timeWindowMs: 60_000 },
      }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the API has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    ...(key && { key }),
    async close() {
      await app.close();
      await audit.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
