import { Counter, Gauge, Histogram, type Registry } from '@vigie/common';

/** Where the consumer lag gauge reads from, at each scrape. */
export type LagSource = () => Promise<{ topic: string; lag: Map<number, number> }>;

/** Scrapes closer together than this reuse the last lag reading instead of asking Kafka again. */
const LAG_MIN_INTERVAL_MS = 1000;

/** The processor's own Prometheus metrics. */
export function createProcessorMetrics(registry: Registry, lagSource?: LagSource) {
  let lastLagRead = 0;
  return {
    received: new Counter({
      name: 'vigie_events_received_total',
      help: 'Records read from the bus.',
      registers: [registry],
    }),
    indexed: new Counter({
      name: 'vigie_events_indexed_total',
      help: 'Log events acknowledged by the storage.',
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'vigie_dead_lettered_total',
      help: 'Inputs written to the dead-letter index, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'vigie_storage_retries_total',
      help: 'Storage writes retried: the whole request (unavailable) or some documents (item).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    anomalies: new Counter({
      name: 'vigie_anomalies_total',
      help: 'Anomaly records written (opened, updated, closed), by kind and state.',
      labelNames: ['kind', 'state'],
      registers: [registry],
    }),
    detectionSeries: new Gauge({
      name: 'vigie_detection_series',
      help: 'Series followed by detection (services, routes, hosts) on this processor.',
      registers: [registry],
    }),
    openAnomalies: new Gauge({
      name: 'vigie_open_anomalies',
      help: 'Anomalies open on this processor.',
      registers: [registry],
    }),
    lateEvents: new Counter({
      name: 'vigie_detection_late_events_total',
      help: 'Events that arrived after their bucket closed: indexed, not counted in metrics.',
      registers: [registry],
    }),
    detectionReplays: new Counter({
      name: 'vigie_detection_replays_total',
      help: 'Times a partition was read again from its detection snapshot because the group had committed past it.',
      registers: [registry],
    }),
    stateRestores: new Counter({
      name: 'vigie_detection_state_restores_total',
      help: 'Partitions whose detection state was restored from a snapshot, by outcome.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    bulkDuration: new Histogram({
      name: 'vigie_bulk_duration_seconds',
      help: 'Duration of one bulk write to the storage.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'vigie_consumer_lag',
      help: 'Records of a partition not yet committed by the processors, read from Kafka at each scrape.',
      labelNames: ['topic', 'partition'],
      registers: [registry],
      async collect() {
        if (!lagSource || Date.now() - lastLagRead < LAG_MIN_INTERVAL_MS) return;
        lastLagRead = Date.now();
        try {
          const { topic, lag } = await lagSource();
          this.reset();
          for (const [partition, value] of lag) this.set({ topic, partition: String(partition) }, value);
        } catch {
          // Kafka unreachable: the scrape keeps the last known values rather than failing.
        }
      },
    }),
  };
}

/** The processor's metrics, as created by `createProcessorMetrics`. */
export type ProcessorMetrics = ReturnType<typeof createProcessorMetrics>;
