import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBus } from '@vigie/bus';
import {
  freePort,
  PrivateKafka,
  scrapeMetric,
  testLogger,
  uniqueName,
  VigieProcess,
  waitFor,
} from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const EVENTS = 100_000;
const SERVICES = 20;
const CLIENTS = 4;
const BATCH = 1000;
/** Time the ingest is spread over; Kafka is away for 30 s in the middle of it. */
const INGEST_MS = 45_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HTTP ingest through a 30 s Kafka outage, collector process end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-http-outage-'));
  let kafka: PrivateKafka | undefined;
  let collector: VigieProcess | undefined;

  afterAll(async () => {
    await collector?.kill('SIGKILL');
    await kafka?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets all 100,000 events into Kafka, in order per service', async () => {
    kafka = await PrivateKafka.start();
    const topic = uniqueName('http-outage');
    const bus = new KafkaBus({ brokers: [kafka.broker], clientId: 'vigie-test', logger: testLogger() });
    await bus.ensureTopic(topic, 6);
    const port = await freePort();
    collector = new VigieProcess(['collector'], {
      VIGIE_KAFKA_BROKERS: kafka.broker,
      VIGIE_KAFKA_LOGS_TOPIC: topic,
      VIGIE_COLLECTOR_DATA_DIR: join(dir, 'data'),
      VIGIE_COLLECTOR_HTTP_PORT: String(port),
      VIGIE_OPS_PORT: '0',
    });
    const opsUrl = await collector.opsUrl();
    const url = `http://127.0.0.1:${port}/ingest`;
    await waitFor(
      'the HTTP source',
      async () => (await fetch(`http://127.0.0.1:${port}/health`)).status,
      (s) => s === 200,
    );

    // Each client owns SERVICES / CLIENTS services and posts their events in order,
    // sending a refused batch again after Retry-After, as shippers do.
    let refusals = 0;
    const started = Date.now();
    const batches = EVENTS / CLIENTS / BATCH;
    const client = async (c: number) => {
      const services = Array.from({ length: SERVICES / CLIENTS }, (_, k) => c + k * CLIENTS);
      for (let b = 0; b < batches; b++) {
        const body = Array.from({ length: BATCH }, (_, k) => {
          const i = b * BATCH + k;
          const service = `svc-${String(services[i % services.length]).padStart(2, '0')}`;
          return JSON.stringify({
            message: `event ${i}`,
            'service.name': service,
            'labels.seq': String(Math.floor(i / services.length)),
          });
        }).join('\n');
        for (;;) {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson' },
            body,
          });
          if (response.status === 200) break;
          expect(response.status).toBe(503);
          refusals++;
          await sleep(Math.min(1000, Number(response.headers.get('retry-after') ?? 1) * 1000));
        }
        await sleep(Math.max(0, started + ((b + 1) * INGEST_MS) / batches - Date.now()));
      }
    };
    const outage = (async () => {
      await sleep(5000);
      await kafka?.down();
      await sleep(30_000);
      await kafka?.up();
    })();
    await Promise.all([...Array.from({ length: CLIENTS }, (_, c) => client(c)), outage]);
    // The outage did reach the collector: part of the ingest went through the spool.
    const spooled = await scrapeMetric(opsUrl, 'vigie_collector_spooled_events_total');
    expect(spooled).toBeGreaterThan(0);

    const byService = new Map<string, number[]>();
    let received = 0;
    const subscription = await bus.subscribe({
      topic,
      groupId: uniqueName('reader'),
      handleBatch: async (batch) => {
        for (const record of batch.records) {
          const event = JSON.parse(record.value.toString()) as {
            service: { name: string };
            labels: { seq: string };
          };
          byService.set(event.service.name, [
            ...(byService.get(event.service.name) ?? []),
            Number(event.labels.seq),
          ]);
          received++;
        }
      },
    });
    await waitFor(
      'every event in Kafka',
      async () => received,
      (n) => n >= EVENTS,
      120_000,
      250,
    );
    await sleep(2000);
    await subscription.stop();
    await bus.close();

    const perService = EVENTS / SERVICES;
    let duplicates = 0;
    for (const [service, seqs] of byService) {
      // In order per service: the first time each event shows up, it comes after the
      // one before it. A batch sent again after a refusal may repeat; nothing is skipped.
      const firsts = [...new Set(seqs)];
      duplicates += seqs.length - firsts.length;
      expect(firsts, service).toEqual(Array.from({ length: perService }, (_, i) => i));
    }
    expect(byService.size).toBe(SERVICES);
    process.stdout.write(
      `HTTP outage: ${received} events read back, ${duplicates} twice, ${refusals} requests refused (503)\n`,
    );
  }, 300_000);
});
