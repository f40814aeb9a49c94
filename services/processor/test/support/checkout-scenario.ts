import { KafkaBus } from '@vigie/bus';
import type { Anomaly, LogEvent, SavedState } from '@vigie/common';
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

// The detection scenario of the processor's integration tests: one service, an error
// spike on one route at minute 16 after a quiet quarter of an hour.

export const START = Date.parse('2026-01-05T10:00:00Z');
export const MINUTE = 60_000;
export const INCIDENT_AT = START + 16 * MINUTE;
export const END = START + 19 * MINUTE;
/** One service, two routes, 20 requests a second: small enough to index in seconds. */
export const CHECKOUT: ServiceProfile = {
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

/** The scenario's events up to `until` (END by default; later means calm traffic after the spike). */
export function scenarioEvents(until = END): LogEvent[] {
  return [
    ...generateTraffic({
      seed: 11,
      start: START,
      durationMs: until - START,
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

export const isCheckoutSpike = (a: Anomaly) =>
  a.kind === 'error_spike' && a.service === 'checkout' && a.dimension.value === '/api/checkout';

/**
 * A topic, a group and an index prefix of their own, the store and the bus to look at
 * them, and `vigie processor` processes started on them.
 */
export class DetectionHarness {
  readonly bus = new KafkaBus({
    brokers: ENGINES.kafkaBrokers,
    clientId: 'vigie-test',
    logger: testLogger(),
  });
  readonly prefix = uniqueName('d');
  readonly topic = uniqueName('logs');
  readonly anomaliesTopic = uniqueName('anomalies');
  readonly group = uniqueName('processor');
  readonly store = new ElasticsearchStore({
    url: ENGINES.elasticsearchUrl,
    indexPrefix: this.prefix,
    requestTimeoutMs: 10_000,
    totalFieldsLimit: 1000,
    logger: testLogger(),
  });
  private readonly processes: VigieProcess[] = [];

  /** Starts `vigie processor` on the harness' topic, group and indices. */
  processor(env: Record<string, string> = {}): VigieProcess {
    const process = new VigieProcess(['processor'], {
      VIGIE_KAFKA_BROKERS: ENGINES.kafkaBrokers.join(','),
      VIGIE_ELASTICSEARCH_URL: ENGINES.elasticsearchUrl,
      VIGIE_KAFKA_LOGS_TOPIC: this.topic,
      VIGIE_KAFKA_ANOMALIES_TOPIC: this.anomaliesTopic,
      VIGIE_PROCESSOR_GROUP_ID: this.group,
      VIGIE_ELASTICSEARCH_INDEX_PREFIX: this.prefix,
      VIGIE_OPS_PORT: '0',
      ...env,
    });
    this.processes.push(process);
    return process;
  }

  async produce(events: LogEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 2000) {
      const records = events.slice(i, i + 2000).map((event) => ({
        key: event.service.name,
        value: Buffer.from(JSON.stringify(event)),
      }));
      await this.bus.publish(this.topic, records);
    }
  }

  async indexed(expected: number): Promise<void> {
    await waitFor(
      'events indexed',
      async () => {
        await this.store.refresh();
        return this.store.countLogs();
      },
      (n) => n >= expected,
      180_000,
      1000,
    );
  }

  /** Waits until the group has committed every record of the topic (indexing comes first). */
  async committedAll(): Promise<void> {
    await waitFor(
      'the group to commit every record',
      async () => [...(await this.bus.consumerLag(this.topic, this.group)).values()],
      (lags) => lags.length > 0 && lags.every((lag) => lag === 0),
      60_000,
      200,
    );
  }

  /** The checkout spikes in the anomalies index, once there is at least one. */
  async checkoutSpikes(): Promise<Anomaly[]> {
    return waitFor(
      'the error spike in vigie-anomalies',
      async () => {
        await this.store.refresh();
        return (await this.store.listAnomalies({ service: 'checkout', kind: 'error_spike' })).filter(
          isCheckoutSpike,
        );
      },
      (found) => found.length > 0,
      120_000,
      1000,
    );
  }

  /** The snapshot of the partition that holds `checkout` (whichever it is). */
  async savedState(): Promise<SavedState | undefined> {
    for (let partition = 0; partition < 3; partition++) {
      const state = await this.store.loadState(`${this.group}/${this.topic}/${partition}`);
      if (state) return state;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill('SIGKILL')));
    await this.store.close();
    await this.bus.close();
    await deletePrefix(this.prefix);
  }
}
