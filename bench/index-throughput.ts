/**
 * Kafka → Elasticsearch indexing throughput of the processor, against Elasticsearch's
 * own bulk rate for the same documents sent directly with the client, in the same run.
 *
 *   npm run bench:index -- [--events 200000] [--runs 3] [--warmup 1]
 *
 * Needs the local stack (npm run stack:up). Prints events/s of each side per run, the
 * medians and their ratio, plus the processor's CPU use. Warm-up rounds (not counted)
 * let a freshly started Elasticsearch reach its steady speed first.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { KafkaBus } from '@vigie/bus';
import { createLogger } from '@vigie/common';
import { ElasticsearchStore, logIndexName } from '@vigie/storage';
import { deletePrefix } from '../services/testkit/src/elasticsearch-http.js';
import { sampleEvent, sampleRecords } from '../services/testkit/src/events.js';
import { scrapeMetrics, VigieProcess } from '../services/testkit/src/processes.js';
import { bar, cpuSeconds, median, progress } from './lib.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    brokers: { type: 'string', default: process.env.VIGIE_KAFKA_BROKERS ?? '127.0.0.1:9092' },
    elasticsearch: {
      type: 'string',
      default: process.env.VIGIE_ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200',
    },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
// Same batch size and parallelism as the processor's defaults (4 MiB fetches, 3 partitions at once).
const BULK_DOCS = Math.floor((4 * 1024 * 1024) / 312);
const CONCURRENCY = 3;

const logger = createLogger({ level: 'warn', role: 'bench' });
const bus = new KafkaBus({ brokers: values.brokers.split(','), clientId: 'vigie-bench', logger });
const client = new Client({ node: values.elasticsearch, requestTimeout: 120_000 });

function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}`;
}

async function installTemplates(prefix: string): Promise<ElasticsearchStore> {
  const store = new ElasticsearchStore({
    url: values.elasticsearch,
    indexPrefix: prefix,
    requestTimeoutMs: 60_000,
    totalFieldsLimit: 1000,
    logger,
  });
  await store.setup();
  return store;
}

/** Elasticsearch alone: the same documents, ids and indices, bulk-sent with the client. */
async function directBulk(): Promise<number> {
  const prefix = uniqueName('bench-direct');
  const store = await installTemplates(prefix);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < EVENTS) {
      const from = next;
      next += BULK_DOCS;
      const operations: unknown[] = [];
      for (let i = from; i < Math.min(from + BULK_DOCS, EVENTS); i++) {
        const event = sampleEvent(i);
        const index = logIndexName(prefix, Date.parse(event['@timestamp']));
        operations.push({ index: { _index: index, _id: `bench-0-${i}` } }, event);
      }
      const response = await client.bulk({ operations, filter_path: 'errors' });
      if (response.errors) throw new Error('direct bulk had item errors');
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await store.refresh();
  const count = await store.countLogs();
  if (count !== EVENTS) throw new Error(`direct bulk stored ${count} of ${EVENTS}`);
  await store.close();
  await deletePrefix(prefix);
  return EVENTS / seconds;
}

/** The processor: events produced to Kafka beforehand, then consumed and indexed. */
async function throughVigie(): Promise<{ rate: number; cpu: number }> {
  const prefix = uniqueName('bench-vigie');
  const topic = uniqueName('bench-logs');
  await bus.ensureTopic(topic, 6);
  for (let i = 0; i < EVENTS; i += 10_000)
    await bus.publish(topic, sampleRecords(i, Math.min(10_000, EVENTS - i)));
  // VIGIE_PROCESSOR_* settings of the bench's environment reach the processor, to try tunings.
  const tuning = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => k.startsWith('VIGIE_PROCESSOR_') && v !== undefined),
  ) as Record<string, string>;
  const vigie = new VigieProcess(['processor'], {
    ...tuning,
    VIGIE_KAFKA_BROKERS: values.brokers,
    VIGIE_ELASTICSEARCH_URL: values.elasticsearch,
    VIGIE_KAFKA_LOGS_TOPIC: topic,
    VIGIE_PROCESSOR_GROUP_ID: uniqueName('bench'),
    VIGIE_ELASTICSEARCH_INDEX_PREFIX: prefix,
    VIGIE_OPS_PORT: '0',
  });
  const opsUrl = await vigie.opsUrl();
  const pid = vigie.child.pid as number;
  let startedAt = 0;
  let cpuAtStart = 0;
  for (;;) {
    const metrics = await scrapeMetrics(opsUrl);
    if ((metrics.get('vigie_events_received_total') ?? 0) > 0 && startedAt === 0) {
      startedAt = performance.now();
      cpuAtStart = cpuSeconds(pid);
    }
    if ((metrics.get('vigie_events_indexed_total') ?? 0) >= EVENTS) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = cpuSeconds(pid) - cpuAtStart;
  await vigie.kill('SIGTERM');
  const store = await installTemplates(prefix);
  await store.refresh();
  const count = await store.countLogs();
  if (count !== EVENTS) throw new Error(`processor stored ${count} of ${EVENTS}`);
  await store.close();
  await deletePrefix(prefix);
  return { rate: EVENTS / seconds, cpu: cpu / seconds };
}

async function main(): Promise<void> {
  await bus.healthcheck();
  progress(
    `bench:index — ${EVENTS} events of ~312 bytes, ${RUNS} runs, bulks of ${BULK_DOCS} docs × ${CONCURRENCY}`,
  );
  const direct: number[] = [];
  const vigie: number[] = [];
  const cpu: number[] = [];
  for (let round = 1; round <= WARMUP; round++) {
    progress(`warm-up ${round}/${WARMUP} (not counted)...`);
    await directBulk();
    await throughVigie();
  }
  for (let run = 1; run <= RUNS; run++) {
    // Alternate the order so that neither side always gets the warmer (or fuller) node.
    const order = run % 2 ? ['direct', 'vigie'] : ['vigie', 'direct'];
    for (const side of order) {
      progress(
        `run ${run}/${RUNS}: ${side === 'direct' ? 'Elasticsearch bulk, direct' : 'Vigie processor'}...`,
      );
      if (side === 'direct') direct.push(await directBulk());
      else {
        const result = await throughVigie();
        vigie.push(result.rate);
        cpu.push(result.cpu);
      }
      progress(`  ${Math.round((side === 'direct' ? direct : vigie).at(-1) as number)} events/s`);
    }
  }
  const medianDirect = median(direct);
  const medianVigie = median(vigie);
  const ratio = medianVigie / medianDirect;
  const max = Math.max(medianDirect, medianVigie);
  const lines = [
    '',
    `Kafka → Elasticsearch indexing, ${EVENTS} events of ~312 bytes, median of ${RUNS} runs (after ${WARMUP} warm-up)`,
    `  Elasticsearch bulk, direct  ${bar(medianDirect, max)} ${Math.round(medianDirect)} events/s  (runs: ${direct.map(Math.round).join(', ')})`,
    `  Vigie processor             ${bar(medianVigie, max)} ${Math.round(medianVigie)} events/s  (runs: ${vigie.map(Math.round).join(', ')})`,
    `  ratio Vigie / direct: ${ratio.toFixed(2)}   processor CPU: ${median(cpu).toFixed(2)} cores`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/index-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ events: EVENTS, runs: RUNS, direct, vigie, cpu, ratio }, null, 2));
  progress(`results written to ${file}`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:index failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await bus.close();
    await client.close();
  });
