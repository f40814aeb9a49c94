import { rmSync } from 'node:fs';
import { ElasticsearchStore } from '@vigie/storage';
import {
  deletePrefix,
  ENGINES,
  esRequest,
  freePort,
  testLogger,
  uniqueName,
  VigieProcess,
  waitFor,
} from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';

// What the quick start does: `vigie all`, a line posted to the collector, found in Elasticsearch.
describe('vigie all', () => {
  const prefix = uniqueName('all');
  let vigie: VigieProcess | undefined;
  const store = new ElasticsearchStore({
    url: ENGINES.elasticsearchUrl,
    indexPrefix: prefix,
    requestTimeoutMs: 10_000,
    totalFieldsLimit: 1000,
    logger: testLogger(),
  });

  afterAll(async () => {
    await vigie?.kill('SIGKILL');
    await store.close();
    await deletePrefix(prefix);
    rmSync(`/tmp/${prefix}`, { recursive: true, force: true });
  });

  it('takes a line over HTTP, indexes it redacted, and finds it through its search API, all roles in one process', async () => {
    const httpPort = await freePort();
    vigie = new VigieProcess(['all'], {
      VIGIE_KAFKA_BROKERS: ENGINES.kafkaBrokers.join(','),
      VIGIE_ELASTICSEARCH_URL: ENGINES.elasticsearchUrl,
      VIGIE_KAFKA_LOGS_TOPIC: uniqueName('all-logs'),
      VIGIE_PROCESSOR_GROUP_ID: uniqueName('all'),
      VIGIE_ELASTICSEARCH_INDEX_PREFIX: prefix,
      VIGIE_COLLECTOR_HTTP_PORT: String(httpPort),
      VIGIE_COLLECTOR_DATA_DIR: `/tmp/${prefix}`,
      VIGIE_OPS_PORT: '0',
      VIGIE_API_PORT: '0',
      VIGIE_API_KEYS_FILE: `/tmp/${prefix}/keys.json`,
      VIGIE_API_AUDIT_FILE: `/tmp/${prefix}/audit.log`,
    });
    await vigie.opsUrl();
    expect(vigie.stdout).toContain('Engines: Kafka and Elasticsearch.');
    const post = () =>
      fetch(`http://127.0.0.1:${httpPort}/ingest?service=checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: '{"level":"error","msg":"payment refused card=4111 1111 1111 1111"}',
      }).then((r) => r.status);
    expect(await waitFor('the collector accepting', post, (status) => status === 200, 30_000, 500)).toBe(200);
    const count = async () => {
      await store.refresh();
      return store.countLogs({ serviceName: 'checkout' });
    };
    await waitFor('the line indexed', count, (n) => n >= 1, 60_000, 500);
    const found = (
      await esRequest('POST', `/${prefix}-logs/_search`, { query: { term: { 'service.name': 'checkout' } } })
    ).json as {
      hits: { hits: { _source: { message: string; log?: { level?: string } } }[] };
    };
    expect(found.hits.hits[0]?._source).toMatchObject({
      message: 'payment refused card=[REDACTED]',
      log: { level: 'error' },
    });
    // And through the search API the same process serves (with the UI when built).
    // The API may start after the line is indexed: roles start side by side.
    const url = await vigie.apiUrl();
    const search = await fetch(
      `${url}/api/search?q=${encodeURIComponent('service.name:checkout')}&from=now-1h`,
    );
    expect(
      ((await search.json()) as { events: { event: { message: string } }[] }).events[0]?.event.message,
    ).toBe('payment refused card=[REDACTED]');
    expect(await vigie.kill('SIGTERM')).toBe(0);
  }, 120_000);
});
