import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBus } from '@vigie/bus';
import {
  type Anomaly,
  type Incident,
  type LogEvent,
  loadConfig,
  type OutboxEntry,
  type ReceiverConfig,
  type RouteConfig,
} from '@vigie/common';
import { ElasticsearchAlertStore } from '@vigie/storage';
import {
  deletePrefix,
  ENGINES,
  type PagerDutyPeer,
  testLogger,
  uniqueName,
  VigieProcess,
  waitFor,
} from '@vigie/testkit';

/** What a test configures of the alerter; the rest keeps test-friendly defaults. */
export interface AlerterSetup {
  receivers: ReceiverConfig[];
  routes: RouteConfig[];
  resolveAfterMs?: number;
  flapTransitions?: number;
}

/**
 * An anomalies topic, a consumer group and an index prefix of their own, the alert store
 * to look at them, and `vigie alerter` processes started on them with a config file.
 */
export class AlerterHarness {
  readonly bus = new KafkaBus({
    brokers: ENGINES.kafkaBrokers,
    clientId: 'vigie-test',
    logger: testLogger(),
  });
  readonly prefix = uniqueName('al');
  readonly topic = uniqueName('anomalies');
  readonly logsTopic = uniqueName('logs');
  readonly group = uniqueName('alerter');
  readonly store = new ElasticsearchAlertStore({
    url: ENGINES.elasticsearchUrl,
    indexPrefix: this.prefix,
    requestTimeoutMs: 10_000,
  });
  private readonly processes: VigieProcess[] = [];
  private topicCreated: Promise<void> | undefined;
  private readonly configFile: string;

  constructor(setup: AlerterSetup) {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-alerter-test-'));
    this.configFile = join(dir, 'vigie.json');
    const config = {
      alerter: {
        groupId: this.group,
        resolveAfterMs: setup.resolveAfterMs ?? 1000,
        ...(setup.flapTransitions !== undefined && { flapTransitions: setup.flapTransitions }),
        receivers: setup.receivers,
        routes: setup.routes,
        delivery: {
          allowHttp: true,
          allowedNetworks: ['127.0.0.1/32'],
          retryMinMs: 200,
          retryMaxMs: 1000,
          pollMs: 100,
          breakerCooldownMs: 500,
        },
      },
    };
    writeFileSync(this.configFile, JSON.stringify(config));
  }

  /** The environment every Vigie process of the harness shares. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      VIGIE_CONFIG: this.configFile,
      VIGIE_KAFKA_BROKERS: ENGINES.kafkaBrokers.join(','),
      VIGIE_ELASTICSEARCH_URL: ENGINES.elasticsearchUrl,
      VIGIE_KAFKA_ANOMALIES_TOPIC: this.topic,
      VIGIE_KAFKA_LOGS_TOPIC: this.logsTopic,
      VIGIE_ELASTICSEARCH_INDEX_PREFIX: this.prefix,
      VIGIE_OPS_PORT: '0',
      ...extra,
    };
  }

  /** Starts `vigie <role>` (the alerter by default) on the harness' topics and indices. */
  start(role = 'alerter', extra: Record<string, string> = {}): VigieProcess {
    const process = new VigieProcess([role], this.env(extra));
    this.processes.push(process);
    return process;
  }

  async publish(anomalies: Anomaly[]): Promise<void> {
    // The alerter creates its topic as it starts, maybe after this first publish: a slow
    // start must not outlast the producer's retries.
    this.topicCreated ??= this.bus.ensureTopic(this.topic, loadConfig({ env: {} }).config.kafka.partitions);
    await this.topicCreated;
    await this.bus.publish(
      this.topic,
      anomalies.map((anomaly) => ({ key: anomaly.service, value: Buffer.from(JSON.stringify(anomaly)) })),
    );
  }

  /** Publishes log events on the harness' logs topic, keyed by service like the collector. */
  async publishEvents(events: LogEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 2000) {
      await this.bus.publish(
        this.logsTopic,
        events
          .slice(i, i + 2000)
          .map((event) => ({ key: event.service.name, value: Buffer.from(JSON.stringify(event)) })),
      );
    }
  }

  async incidents(): Promise<Incident[]> {
    return this.store.listIncidents({ limit: 100 }).catch(() => []);
  }

  async outbox(): Promise<OutboxEntry[]> {
    return this.store.listOutbox({ limit: 100 }).catch(() => []);
  }

  async until<T>(
    what: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs = 60_000,
  ): Promise<T> {
    return waitFor(what, read, done, timeoutMs, 200);
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill('SIGTERM')));
    await Promise.allSettled([this.bus.close(), this.store.close()]);
    await deletePrefix(this.prefix);
  }
}

/** A PagerDuty receiver pointed at a local peer. */
export function pagerDutyReceiver(peer: PagerDutyPeer, routingKey: string): ReceiverConfig {
  return {
    name: 'pd',
    type: 'pagerduty',
    routingKey,
    url: peer.eventsUrl,
    rateLimitPerMinute: 600,
    timeoutMs: 5000,
  };
}

/** An open anomaly of `service` starting at `start`, as the processor publishes it. */
export function openAnomaly(
  id: string,
  service: string,
  start: number,
  overrides: Partial<Anomaly> = {},
): Anomaly {
  return {
    id,
    kind: 'error_spike',
    service,
    dimension: { field: 'url.path', value: '/api/checkout' },
    state: 'open',
    start: new Date(start).toISOString(),
    updated: new Date(start + 10_000).toISOString(),
    score: 0.9,
    severity: 'critical',
    observed: 0.2,
    expected: 0.005,
    lower: 0,
    upper: 0.02,
    unit: 'ratio',
    windowMs: 30_000,
    explanation: 'Errors on POST /api/checkout: 20 % against 0.5 % expected.',
    contributors: [{ field: 'url.path', value: '/api/checkout', observed: 40, expected: 1, share: 0.9 }],
    sampleEventIds: [],
    query: `service.name:"${service}"`,
    ...overrides,
  };
}

/** The closing version of an anomaly. */
export function closedAnomaly(anomaly: Anomaly, end: number): Anomaly {
  return {
    ...anomaly,
    state: 'closed',
    end: new Date(end).toISOString(),
    updated: new Date(end).toISOString(),
  };
}
