import { KafkaBus } from '@vigie/bus';
import type { Anomaly, LogEvent } from '@vigie/common';
import { DetectionEngine } from '@vigie/detect';
import { ElasticsearchStore } from '@vigie/storage';
import {
  deletePrefix,
  ENGINES,
  generateTraffic,
  type ServiceProfile,
  testLogger,
  uniqueName,
  VigieProcess,
  waitFor,
} from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const START = Date.parse('2026-01-05T10:00:00Z');
const MINUTE = 60_000;
const RESTART_AT = START + 14 * MINUTE;
const INCIDENT_AT = START + 16 * MINUTE;
const END = START + 19 * MINUTE;

/** One service, two routes, 20 requests a second: small enough to index in seconds. */
const CHECKOUT: ServiceProfile = {
  name: 'checkout',
  version: '4.1.0',
  kind: 'http-api',
  hosts: ['co-1', 'co-2'],
  peakEventsPerSecond: 20,
  routes: [
    {
      method: 'POST',
      path: '/api/checkout',
      weight: 50,
      latencyMedianMs: 120,
      latencyP95Ms: 400,
      errorRatio: 0.005,
    },
    {
      method: 'GET',
      path: '/api/cart/:id',
      weight: 50,
      latencyMedianMs: 30,
      latencyP95Ms: 90,
      errorRatio: 0.003,
    },
  ],
};

function scenarioEvents(): LogEvent[] {
  return [
    ...generateTraffic({
      seed: 11,
      start: START,
      durationMs: END - START,
      services: [CHECKOUT],
      incidents: [
        {
          kind: 'error-ratio',
          service: 'checkout',
          route: 'POST /api/checkout',
          from: INCIDENT_AT,
          to: END,
          errorRatio: 0.2,
        },
      ],
      dailyAmplitude: 0,
    }),
  ];
}

const isCheckoutSpike = (a: Anomaly) =>
  a.kind === 'error_spike' && a.service === 'checkout' && a.dimension.value === '/api/checkout';

describe('detection in the processor, on real Kafka and Elasticsearch', () => {
  const bus = new KafkaBus({ brokers: ENGINES.kafkaBrokers, clientId: 'vigie-test', logger: testLogger() });
  const prefix = uniqueName('d');
  const topic = uniqueName('logs');
  const anomaliesTopic = uniqueName('anomalies');
  const group = uniqueName('processor');
  const store = new ElasticsearchStore({
    url: ENGINES.elasticsearchUrl,
    indexPrefix: prefix,
    requestTimeoutMs: 10_000,
    totalFieldsLimit: 1000,
    logger: testLogger(),
  });
  const env = {
    VIGIE_KAFKA_BROKERS: ENGINES.kafkaBrokers.join(','),
    VIGIE_ELASTICSEARCH_URL: ENGINES.elasticsearchUrl,
    VIGIE_KAFKA_LOGS_TOPIC: topic,
    VIGIE_KAFKA_ANOMALIES_TOPIC: anomaliesTopic,
    VIGIE_PROCESSOR_GROUP_ID: group,
    VIGIE_ELASTICSEARCH_INDEX_PREFIX: prefix,
    VIGIE_OPS_PORT: '0',
  };
  const processes: VigieProcess[] = [];

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await store.close();
    await bus.close();
    await deletePrefix(prefix);
  });

  async function produce(events: LogEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 2000) {
      const records = events.slice(i, i + 2000).map((event) => ({
        key: event.service.name,
        value: Buffer.from(JSON.stringify(event)),
      }));
      await bus.publish(topic, records);
    }
  }

  async function indexed(expected: number): Promise<void> {
    await waitFor(
      'events indexed',
      async () => {
        await store.refresh();
        return store.countLogs();
      },
      (n) => n >= expected,
      180_000,
      1000,
    );
  }

  it('raises the error spike after a restart right before it: the baselines come back from the snapshot', async () => {
    const events = scenarioEvents();
    const before = events.filter((e) => Date.parse(e['@timestamp']) < RESTART_AT);
    const after = events.slice(before.length);

    // The control: an engine that starts cold at the restart point has no baseline yet
    // and stays quiet, so only restored state can catch the spike below.
    const cold = new DetectionEngine();
    for (const [i, event] of after.entries()) cold.ingest({ id: `c${i}`, event });
    expect(cold.drain().anomalies.filter(isCheckoutSpike)).toEqual([]);

    await bus.ensureTopic(topic, 3);
    await produce(before);
    const first = new VigieProcess(['processor'], env);
    processes.push(first);
    await indexed(before.length);
    expect(await first.kill('SIGTERM')).toBe(0);
    expect(await savedState(), 'a detection snapshot was saved on stop').toBeDefined();

    await produce(after);
    const second = new VigieProcess(['processor'], env);
    processes.push(second);
    const opsUrl = await second.opsUrl();
    await indexed(events.length);
    const spikes = await waitFor(
      'the error spike in vigie-anomalies',
      async () => {
        await store.refresh();
        return (await store.listAnomalies({ service: 'checkout', kind: 'error_spike' })).filter(
          isCheckoutSpike,
        );
      },
      (found) => found.length > 0,
      120_000,
      1000,
    );
    const spike = spikes[0] as Anomaly;
    // `updated` moves on with the anomaly; its start is the window that opened it.
    expect(Math.abs(Date.parse(spike.start) - INCIDENT_AT)).toBeLessThanOrEqual(30_000);
    expect(spike.contributors[0]).toMatchObject({ field: 'url.path', value: '/api/checkout' });
    expect(spike.explanation).toContain('/api/checkout');
    expect(spike.sampleEventIds.length).toBeGreaterThan(0);
    const page = await (await fetch(`${opsUrl}/metrics`)).text();
    expect(page).toMatch(/vigie_detection_state_restores_total\{[^}]*outcome="restored"[^}]*\} [1-9]/);

    // The same record went to the anomalies topic for the alerter.
    const published = await readAnomalies();
    expect(published.some((a) => a.id === spike.id)).toBe(true);
    expect(await second.kill('SIGTERM')).toBe(0);
  });

  /** The snapshot of the partition that holds `checkout` (whichever it is). */
  async function savedState(): Promise<unknown> {
    for (let partition = 0; partition < 3; partition++) {
      const state = await store.loadState(`${group}/${topic}/${partition}`);
      if (state) return state;
    }
    return undefined;
  }

  async function readAnomalies(): Promise<Anomaly[]> {
    const found: Anomaly[] = [];
    const subscription = await bus.subscribe({
      topic: anomaliesTopic,
      groupId: uniqueName('reader'),
      fromBeginning: true,
      handleBatch: async (batch) => {
        for (const record of batch.records) found.push(JSON.parse(record.value.toString()) as Anomaly);
      },
    });
    await waitFor(
      'anomaly records on the topic',
      async () => found.length,
      (n) => n > 0,
      60_000,
      500,
    );
    await subscription.stop();
    return found;
  }
});
