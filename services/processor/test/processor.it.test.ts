import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KafkaBus } from '@vigie/bus';
import { ElasticsearchStore, logIndexName } from '@vigie/storage';
import {
  deletePrefix,
  ENGINES,
  esRequest,
  sampleEvent,
  sampleRecords,
  scrapeMetric,
  testLogger,
  uniqueName,
  VigieProcess,
  waitFor,
} from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOTAL = 100_000;
const STACK = fileURLToPath(new URL('../../../deploy/local/stack.sh', import.meta.url));

interface Run {
  topic: string;
  group: string;
  prefix: string;
  env: Record<string, string>;
  store: ElasticsearchStore;
}

describe('processor on real Kafka and Elasticsearch', () => {
  const bus = new KafkaBus({ brokers: ENGINES.kafkaBrokers, clientId: 'vigie-test', logger: testLogger() });
  const runs: Run[] = [];
  const processes: VigieProcess[] = [];

  beforeAll(async () => {
    await bus.healthcheck();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    for (const run of runs) {
      await run.store.close();
      await deletePrefix(run.prefix);
    }
    await bus.close();
  });

  async function newRun(): Promise<Run> {
    const topic = uniqueName('logs');
    const prefix = uniqueName('p');
    const group = uniqueName('processor');
    await bus.ensureTopic(topic, 6);
    const env = {
      VIGIE_KAFKA_BROKERS: ENGINES.kafkaBrokers.join(','),
      VIGIE_ELASTICSEARCH_URL: ENGINES.elasticsearchUrl,
      VIGIE_KAFKA_LOGS_TOPIC: topic,
      VIGIE_PROCESSOR_GROUP_ID: group,
      VIGIE_ELASTICSEARCH_INDEX_PREFIX: prefix,
      VIGIE_OPS_PORT: '0',
      VIGIE_PROCESSOR_RETRY_MAX_MS: '2000',
    };
    const store = new ElasticsearchStore({
      url: ENGINES.elasticsearchUrl,
      indexPrefix: prefix,
      requestTimeoutMs: 10_000,
      totalFieldsLimit: 1000,
      logger: testLogger(),
    });
    const run = { topic, group, prefix, env, store };
    runs.push(run);
    return run;
  }

  function startProcessor(run: Run): VigieProcess {
    const vigie = new VigieProcess(['processor'], run.env);
    processes.push(vigie);
    return vigie;
  }

  async function produce(topic: string, from: number, count: number): Promise<void> {
    for (let i = from; i < from + count; i += 5000) {
      await bus.publish(topic, sampleRecords(i, Math.min(5000, from + count - i)));
    }
  }

  async function count(run: Run): Promise<number> {
    await run.store.refresh();
    return run.store.countLogs();
  }

  /** Waits for `expected` documents, then checks nothing more arrives. */
  async function expectExactly(run: Run, expected: number): Promise<void> {
    await waitFor(
      'all events indexed',
      () => count(run),
      (n) => n >= expected,
      240_000,
      1000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await count(run)).toBe(expected);
    expect(await run.store.listDeadLetters(10)).toEqual([]);
  }

  it('indexes 100,000 events produced to Kafka: exactly 100,000 in Elasticsearch', async () => {
    const run = await newRun();
    const vigie = startProcessor(run);
    const opsUrl = await vigie.opsUrl();
    await produce(run.topic, 0, TOTAL);
    await expectExactly(run, TOTAL);

    expect(await scrapeMetric(opsUrl, 'vigie_events_indexed_total')).toBe(TOTAL);
    expect(await scrapeMetric(opsUrl, 'vigie_events_received_total')).toBe(TOTAL);
    expect(await scrapeMetric(opsUrl, 'vigie_consumer_lag')).toBe(0);
    expect((await fetch(`${opsUrl}/ready`)).status).toBe(200);
    expect((await fetch(`${opsUrl}/health`)).status).toBe(200);
    // Spot-check content: the document of a record is the event that was produced.
    const some = (
      await esRequest('POST', `/${run.prefix}-logs/_search`, {
        query: { match_phrase: { message: 'id=4242' } },
        size: 1,
      })
    ).json as {
      hits: { hits: { _source: unknown; _index: string }[] };
    };
    expect(some.hits.hits[0]?._source).toEqual(sampleEvent(4242));
    expect(some.hits.hits[0]?._index).toBe(
      logIndexName(run.prefix, Date.parse(sampleEvent(4242)['@timestamp'])),
    );
    expect(await vigie.kill('SIGTERM')).toBe(0);
  });

  it('loses and duplicates nothing when the processor is killed with SIGKILL mid-run', async () => {
    const run = await newRun();
    await produce(run.topic, 0, TOTAL);
    // Small batches, one at a time: the first processor must still be busy when it dies.
    const first = startProcessor({
      ...run,
      env: { ...run.env, VIGIE_PROCESSOR_FETCH_MAX_BYTES: '65536', VIGIE_PROCESSOR_CONCURRENCY: '1' },
    });
    const atKill = await waitFor(
      'a part of the events indexed',
      () => count(run),
      (n) => n >= 20_000,
      120_000,
      100,
    );
    await first.kill('SIGKILL');
    const afterKill = await count(run);
    expect(afterKill).toBeLessThan(TOTAL);

    const second = startProcessor(run);
    await expectExactly(run, TOTAL);
    // The restarted processor did take over work, and replays overwrote instead of duplicating.
    expect(await scrapeMetric(await second.opsUrl(), 'vigie_events_indexed_total')).toBeGreaterThan(0);
    expect(atKill).toBeGreaterThanOrEqual(20_000);
    await second.kill('SIGTERM');
  });

  it('waits through a 30 s Elasticsearch outage reading nothing more, then indexes exactly 100,000', async () => {
    const run = await newRun();
    // Small fetches make the bound on what an outage may hold in memory tight.
    const fetchMaxBytes = 256 * 1024;
    const concurrency = 3;
    run.env.VIGIE_PROCESSOR_FETCH_MAX_BYTES = String(fetchMaxBytes);
    run.env.VIGIE_PROCESSOR_CONCURRENCY = String(concurrency);
    const vigie = startProcessor(run);
    const opsUrl = await vigie.opsUrl();
    await produce(run.topic, 0, TOTAL / 2);
    await waitFor(
      'a part of the events indexed',
      () => count(run),
      (n) => n >= 15_000,
      120_000,
      100,
    );
    const rssBefore = vigie.rssBytes();

    stack('down', 'elasticsearch');
    const receivedAtStart = await scrapeMetric(opsUrl, 'vigie_events_received_total');
    const outageEnd = Date.now() + 30_000;
    // Traffic goes on during the outage: it must wait in Kafka.
    await produce(run.topic, TOTAL / 2, TOTAL / 2);
    const rss: number[] = [];
    while (Date.now() < outageEnd) {
      rss.push(vigie.rssBytes());
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const receivedAtEnd = await scrapeMetric(opsUrl, 'vigie_events_received_total');
    const lagDuringOutage = await scrapeMetric(opsUrl, 'vigie_consumer_lag');
    expect((await fetch(`${opsUrl}/ready`)).status).toBe(503);
    stack('up', 'elasticsearch');

    await expectExactly(run, TOTAL);
    expect(await scrapeMetric(opsUrl, 'vigie_storage_retries_total')).toBeGreaterThan(0);
    const maxRss = Math.max(...rss);
    process.stdout.write(
      `outage: RSS before ${mib(rssBefore)} MiB, max during ${mib(maxRss)} MiB; read during outage ${receivedAtEnd - receivedAtStart}; lag ${lagDuringOutage}\n`,
    );
    // The processor paused: what it reads while the storage is down is at most the
    // batches already fetched, and the backlog stays in Kafka, not in memory.
    const batchBound = (concurrency * fetchMaxBytes) / 250;
    expect(receivedAtEnd - receivedAtStart).toBeLessThan(batchBound);
    expect(lagDuringOutage).toBeGreaterThanOrEqual(TOTAL - receivedAtEnd);
    expect(lagDuringOutage).toBeGreaterThanOrEqual(TOTAL / 2);
    expect(maxRss).toBeLessThan(rssBefore + 64 * 2 ** 20);
    expect(await vigie.kill('SIGTERM')).toBe(0);
  }, 420_000);

  it('dead-letters what Elasticsearch or the schema refuses, with the reason, and indexes the rest of the batch', async () => {
    const run = await newRun();
    const vigie = startProcessor(run);
    await vigie.opsUrl();
    await waitFor(
      'templates installed',
      async () => (await esRequest('GET', `/_index_template/${run.prefix}-logs`)).status,
      (s) => s === 200,
    );
    const time = Date.parse(sampleEvent(0)['@timestamp']);
    // An index created with labels.team as an object: a string there is a field type conflict.
    await esRequest('PUT', `/${logIndexName(run.prefix, time)}`, {
      mappings: {
        properties: { labels: { properties: { team: { properties: { id: { type: 'keyword' } } } } } },
      },
    });
    const conflicting = { ...sampleEvent(500), labels: { team: 'payments' } };
    const records = sampleRecords(0, 1000);
    // Same key as their neighbours: they travel in the same partition and batch.
    const key = 'checkout';
    records.splice(500, 0, { key, value: Buffer.from(JSON.stringify(conflicting)) });
    records.splice(600, 0, { key, value: Buffer.from('{"message": "truncated json') });
    records.splice(700, 0, {
      key,
      value: Buffer.from('{"message":"x","http":{"response":{"status_code":"teapot"}}}'),
    });
    await bus.publish(run.topic, records);

    await waitFor(
      'dead letters',
      async () => {
        await run.store.refresh();
        return run.store.listDeadLetters(10);
      },
      (l) => l.length === 3,
    );
    await waitFor(
      'all good events',
      () => count(run),
      (n) => n === 1000,
    );
    const letters = await run.store.listDeadLetters(10);
    const byReason = Object.fromEntries(letters.map((l) => [l.reason, l]));
    expect(Object.keys(byReason).sort()).toEqual(['invalid_json', 'mapping_rejected', 'schema_violation']);
    expect(byReason.mapping_rejected?.detail).toMatch(/labels\.team/);
    expect(JSON.parse(byReason.mapping_rejected?.original ?? '')).toEqual(conflicting);
    expect(byReason.invalid_json?.original).toBe('{"message": "truncated json');
    expect(byReason.schema_violation?.detail).toContain('http.response.status_code');
    await vigie.kill('SIGTERM');
  });

  it('stops at start-up on a bad config value with one line naming the key', async () => {
    const vigie = new VigieProcess(['processor'], {
      VIGIE_KAFKA_PARTITIONS: 'lots',
      VIGIE_ELASTICSEARCH_URL: 'ftp://x',
    });
    expect(await vigie.exited).toBe(2);
    const lines = vigie.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('VIGIE_KAFKA_PARTITIONS (kafka.partitions): expected integer, got "lots"');
    expect(lines[0]).toContain('VIGIE_ELASTICSEARCH_URL (elasticsearch.url)');
    expect(vigie.stdout).toBe('');
  });
});

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function stack(action: 'up' | 'down', component: string): void {
  const result = spawnSync('bash', [STACK, action, component], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`stack.sh ${action} ${component} failed`);
}
