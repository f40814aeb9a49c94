import type { Registry } from '@vigie/common';
import { Counter, Gauge } from '@vigie/common';

/** Why `write` refused events (label of `vigie_collector_backpressure_total`). */
export type BackpressureReason = 'spool_full' | 'disk_full' | 'spool_error' | 'queue_full' | 'stopped';

/** The Kafka sink's metrics. */
export class KafkaSinkMetrics {
  /** Events acknowledged by Kafka straight from `write`. */
  readonly sent: Counter;
  /** Events written to the spool while Kafka was away or the spool was draining. */
  readonly spooled: Counter;
  /** Events sent from the spool and acknowledged by Kafka. */
  readonly replayed: Counter;
  /** Bytes of the spool's segment files. */
  readonly spoolBytes: Gauge;
  /** Segment files of the spool. */
  readonly spoolSegments: Gauge;
  /** Writes refused, by reason. */
  readonly backpressure: Counter;
  /** Events refused because Kafka cannot take one that large. */
  readonly tooLarge: Counter;
  /** Publishes that failed or timed out (direct and replay). */
  readonly publishErrors: Counter;
  /** 1 while Kafka refuses the collector's credentials or certificate. */
  readonly kafkaRefused: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sent = new Counter({
      name: 'vigie_collector_kafka_sent_events_total',
      help: 'Events acknowledged by Kafka on their first send.',
      registers,
    });
    this.spooled = new Counter({
      name: 'vigie_collector_spooled_events_total',
      help: 'Events written to the on-disk spool because Kafka was away or the spool was draining.',
      registers,
    });
    this.replayed = new Counter({
      name: 'vigie_collector_replayed_events_total',
      help: 'Events sent from the spool and acknowledged by Kafka.',
      registers,
    });
    this.spoolBytes = new Gauge({
      name: 'vigie_collector_spool_bytes',
      help: 'Bytes of the spool segment files on disk.',
      registers,
    });
    this.spoolSegments = new Gauge({
      name: 'vigie_collector_spool_segments',
      help: 'Segment files of the spool on disk.',
      registers,
    });
    this.backpressure = new Counter({
      name: 'vigie_collector_backpressure_total',
      help: 'Writes refused with a backpressure error (sources pushed back), by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.tooLarge = new Counter({
      name: 'vigie_collector_kafka_too_large_events_total',
      help: 'Events refused because they are larger than Kafka takes (the write is rejected with 413).',
      registers,
    });
    this.publishErrors = new Counter({
      name: 'vigie_collector_kafka_publish_errors_total',
      help: 'Publishes to Kafka that failed or timed out, by path (direct or replay).',
      labelNames: ['path'],
      registers,
    });
    this.kafkaRefused = new Gauge({
      name: 'vigie_collector_kafka_refused',
      help: "1 while Kafka refuses the collector's credentials or certificate (events stay in the spool).",
      registers,
    });
  }
}
