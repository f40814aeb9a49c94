import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@vigie/common';
import { ElasticsearchAlertStore, ElasticsearchStore } from '@vigie/storage';
import {
  deletePrefix,
  ENGINES,
  sampleAnomaly,
  sampleAttempt,
  sampleIncident,
  sampleRule,
  sampleSilence,
  seedShopLogs,
  testLogger,
  uniqueName,
} from '@vigie/testkit';
import { createApiServer, FileAuditSink, KeyStore, registerAccessControl } from '../../src/index.js';
import { apiConfig } from '../server/harness.js';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js';

/** The real API server, listening, over seeded data in real Elasticsearch. */
export interface FuzzTarget {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** A key of role admin, so every route is reachable. */
  adminKey: string;
  /** Everything the store sent to Elasticsearch and got back, seeding included. */
  elasticsearch: RecordingProxy;
  close(): Promise<void>;
}

/**
 * Ten minutes of the shop's traffic and a few anomalies under a unique index prefix,
 * the API server with access control (a keys file holding one admin key, a file audit
 * sink, a rate limit no fuzzer reaches) on 127.0.0.1 and a free port. The store talks
 * to Elasticsearch through a recording proxy, so the test sees the bodies on the wire.
 */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  const prefix = uniqueName('vigie-it-fuzz');
  const dir = await mkdtemp(join(tmpdir(), 'vigie-fuzz-'));
  const elasticsearch = await startRecordingProxy(ENGINES.elasticsearchUrl);
  const store = new ElasticsearchStore({
    url: elasticsearch.url,
    indexPrefix: prefix,
    requestTimeoutMs: 30_000,
    totalFieldsLimit: 1000,
    logger: testLogger(),
  });
  await store.setup();
  await store.setupDetection();
  await seedShopLogs(store, { seed: 11 });
  const anomalies = await store.writeAnomalies([0, 1, 2, 3].map((i) => sampleAnomaly(i)));
  if (!anomalies.every((outcome) => outcome.status === 'ok')) throw new Error('seeding the anomalies failed');
  await store.refresh();
  // Incidents, attempts, silences and rules, so the alerting routes have something to answer.
  const alerts = new ElasticsearchAlertStore({
    url: elasticsearch.url,
    indexPrefix: prefix,
    requestTimeoutMs: 30_000,
  });
  await alerts.setupAlerting();
  for (const i of [0, 1, 2]) {
    await alerts.saveIncident(sampleIncident(i));
    await alerts.recordAttempt(sampleAttempt(i));
    await alerts.saveSilence(sampleSilence(i));
    await alerts.saveRule(sampleRule(i));
  }

  const keysFile = join(dir, 'keys.json');
  const { secret: adminKey } = await new KeyStore(keysFile).create({ name: 'fuzzer', role: 'admin' });
  const audit = new FileAuditSink(join(dir, 'audit.log'));
  const app = await createApiServer({
    store,
    search: store,
    config: apiConfig(),
    logger: testLogger(),
    alerting: { store: alerts, config: loadConfig({ env: {} }).config.alerter },
    auth: (instance) =>
      registerAccessControl(instance, {
        keysFile,
        host: '127.0.0.1',
        audit,
        rateLimit: { max: 1_000_000, timeWindowMs: 60_000 },
      }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the API has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    adminKey,
    elasticsearch,
    async close() {
      await app.close();
      await audit.close();
      await alerts.close();
      await store.close();
      await elasticsearch.close();
      await deletePrefix(prefix);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
