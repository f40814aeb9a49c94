import type { Registry } from '@vigie/common';
import { Counter, Gauge } from '@vigie/common';

/**
 * The counter `name` of `registry`, created on first use. Several components (and
 * several instances of one source) count into the same metrics, and prom-client refuses
 * to register a name twice. Shared with the stdin source.
 */
export function sharedCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** The gauge `name` of `registry`, created on first use (see `sharedCounter`). */
export function sharedGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Gauge<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing as Gauge<L>;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

/** `vigie_discarded_events_total{reason}`: input the collector had to let go, by reason. */
export function discardedCounter(registry: Registry): Counter<'reason'> {
  return sharedCounter(registry, 'vigie_discarded_events_total', 'Events discarded, by reason.', ['reason']);
}

/** Transport a syslog message came over. */
export type SyslogTransport = 'tcp' | 'udp';

/** What the syslog source counts. */
export interface SyslogMetrics {
  /** `vigie_collector_syslog_messages_total{transport}` */
  messages: Counter<'transport'>;
  /** `vigie_collector_syslog_bytes_total{transport}` */
  bytes: Counter<'transport'>;
  /** `vigie_collector_syslog_truncated_total{transport}` */
  truncated: Counter<'transport'>;
  /** `vigie_collector_syslog_connections` */
  connections: Gauge;
  /** `vigie_collector_syslog_refused_connections_total` */
  refusedConnections: Counter;
  /** `vigie_collector_syslog_backpressure_pauses_total` */
  pauses: Counter;
  /** `vigie_discarded_events_total{reason}`: udp_queue_full, sink_error, shutdown. */
  discarded: Counter<'reason'>;
}

/** Registers (or finds) the syslog source's metrics. */
export function syslogMetrics(registry: Registry): SyslogMetrics {
  const transport = ['transport'] as const;
  return {
    messages: sharedCounter(
      registry,
      'vigie_collector_syslog_messages_total',
      'Syslog messages received, by transport (including UDP messages dropped on a full queue).',
      transport,
    ),
    bytes: sharedCounter(
      registry,
      'vigie_collector_syslog_bytes_total',
      'Bytes read from syslog peers, by transport.',
      transport,
    ),
    truncated: sharedCounter(
      registry,
      'vigie_collector_syslog_truncated_total',
      'Syslog messages longer than maxLineBytes, cut and flagged, by transport.',
      transport,
    ),
    connections: sharedGauge(registry, 'vigie_collector_syslog_connections', 'Syslog TCP connections open.'),
    refusedConnections: sharedCounter(
      registry,
      'vigie_collector_syslog_refused_connections_total',
      'Syslog TCP connections refused because the connection limit was reached.',
    ),
    pauses: sharedCounter(
      registry,
      'vigie_collector_syslog_backpressure_pauses_total',
      'Times a syslog TCP connection stopped being read because the pipeline could not keep up.',
    ),
    discarded: discardedCounter(registry),
  };
}
