import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBus } from '@vigie/bus';
import type { LogEvent } from '@vigie/common';
import { createRegistry } from '@vigie/common';
import { metricValue, PrivateKafka, sampleEvent, testLogger, uniqueName, waitFor } from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackpressureError } from '../../src/errors.js';
import { KafkaEventSink } from '../../src/sink/index.js';

const EVENTS = 100_000;
const SERVICES = 20;
const CLIENTS = 4;
const BATCH = 500;
/** Time the ingest is spread over; Kafka is away for OUTAGE_MS in the middle of it. */
const INGEST_MS = 50_000;
const OUTAGE_MS = 30_000;

const eventOf = (service: number, seq: number): LogEvent => ({
  ...sampleEvent(service * 10_000 + seq),
  service: { name: `svc-${String(service).padStart(2, '0')}` },
  labels: { seq: String(seq) },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const metric = metricValue;

describe('Kafka sink through a 30 s Kafka outage', () => {
  let spoolDir: string;
  let kafka: PrivateKafka;
  let bus: KafkaBus;
  let sink: KafkaEventSink | undefined;
  beforeAll(async () => {
    spoolDir = await mkdtemp(join(tmpdir(), 'vigie-spool-'));
    kafka = await PrivateKafka.start();
    bus = new KafkaBus({
      brokers: [`127.0.0.1:${kafka.port}`],
      clientId: 'vigie-collector-test',
      logger: testLogger(),
      producer: { compression: 'gzip', idempotent: true, retries: 5, maxRetryTimeMs: 2000 },
    });
  });
  afterAll(async () => {
    await sink?.stop();
    await bus?.close();
    await kafka?.destroy();
    await rm(spoolDir, { recursive: true, force: true });
  });

  it('delivers all 100,000 events, in order per service, none twice', async () => {
    const topic = uniqueName('collector-outage');
    await bus.ensureTopic(topic, 6);
    const registry = createRegistry();
    sink = new KafkaEventSink({
      bus,
      topic,
      spoolDir,
      spoolMaxBytes: 256 * 1024 * 1024,
      logger: testLogger(),
      registry,
      publishTimeoutMs: 10_000,
      minBackoffMs: 250,
      maxBackoffMs: 2000,
    });
    await sink.start();

    // Each client owns SERVICES / CLIENTS services and sends their events in order,
    // retrying a refused batch as an HTTP client does on 503.
    const perClient = EVENTS / CLIENTS;
    const batches = perClient / BATCH;
    let refusals = 0;
    let slowest = 0;
    const started = Date.now();
    const client = async (c: number) => {
      const services = Array.from({ length: SERVICES / CLIENTS }, (_, k) => c + k * CLIENTS);
      for (let b = 0; b < batches; b++) {
        const events = Array.from({ length: BATCH }, (_, k) => {
          const i = b * BATCH + k;
          return eventOf(services[i % services.length] as number, Math.floor(i / services.length));
        });
        for (;;) {
          const at = Date.now();
          try {
            await sink?.write(events);
            slowest = Math.max(slowest, Date.now() - at);
            break;
          } catch (err) {
            if (!(err instanceof BackpressureError)) throw err;
            refusals++;
            await sleep(200);
          }
        }
        await sleep(Math.max(0, started + ((b + 1) * INGEST_MS) / batches - Date.now()));
      }
    };
    const outage = (async () => {
      await sleep(5000);
      await kafka.down();
      const downAt = Date.now();
      await sleep(OUTAGE_MS);
      await kafka.up();
      return { downAt, upAt: Date.now() };
    })();
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    const { downAt, upAt } = await outage;
    const ingestDone = Date.now();

    const spooled = await metric(registry, 'vigie_collector_spooled_events_total');
    await waitFor(
      'the spool sent to Kafka',
      async () => metric(registry, 'vigie_collector_replayed_events_total'),
      (n) => n >= spooled,
      60_000,
      100,
    );
    const drained = Date.now();
    await waitFor(
      'the spool files deleted',
      async () => metric(registry, 'vigie_collector_spool_segments'),
      (n) => n === 0,
      10_000,
      100,
    );

    const reader = new KafkaBus({
      brokers: [`127.0.0.1:${kafka.port}`],
      clientId: 'vigie-test-reader',
      logger: testLogger(),
    });
    const byService = new Map<string, number[]>();
    let received = 0;
    const subscription = await reader.subscribe({
      topic,
      groupId: uniqueName('reader'),
      handleBatch: async (batch) => {
        for (const record of batch.records) {
          const event = JSON.parse(record.value.toString()) as LogEvent & { labels: { seq: string } };
          expect(record.key).toBe(event.service.name);
          const list = byService.get(event.service.name) ?? [];
          list.push(Number(event.labels.seq));
          byService.set(event.service.name, list);
          received++;
        }
      },
    });
    try {
      await waitFor(
        'every event read back',
        async () => received,
        (n) => n >= EVENTS,
        60_000,
        200,
      );
      await sleep(1000); // time for any extra copy to show up
    } finally {
      await subscription.stop();
      await reader.close();
    }

    const sent = await metric(registry, 'vigie_collector_kafka_sent_events_total');
    const replayed = await metric(registry, 'vigie_collector_replayed_events_total');
    console.info(
      JSON.stringify({
        received,
        sentDirect: sent,
        spooled,
        replayed,
        duplicates: received - EVENTS,
        refusals,
        slowestWriteMs: slowest,
        kafkaDownAfterMs: downAt - started,
        kafkaBackAfterMs: upAt - started,
        ingestMs: ingestDone - started,
        replayAfterKafkaBackMs: drained - upAt,
        publishErrors: await metric(registry, 'vigie_collector_kafka_publish_errors_total'),
      }),
    );
    expect(spooled).toBeGreaterThan(10_000);
    expect(sent + spooled).toBe(EVENTS);
    expect(byService.size).toBe(SERVICES);
    for (const seqs of byService.values()) {
      expect(seqs).toEqual(Array.from({ length: EVENTS / SERVICES }, (_, i) => i));
    }
    expect(received).toBe(EVENTS);
  }, 240_000);
});
