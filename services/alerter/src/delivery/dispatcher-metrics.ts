import type { AlertStore, Registry } from '@vigie/common';
import { Counter, Gauge } from '@vigie/common';

/** What happened to one outbox entry in one dispatch round. */
export type DeliveryOutcome = 'delivered' | 'retry' | 'dead';

/** Why an entry was put back without a try. */
export type DeferReason = 'rate_limited' | 'circuit_open' | 'retry_after' | 'ordering';

/** Counts of one `runOnce`. */
export interface DispatchSummary {
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
  deferred: number;
}

/** Pending entries counted at most this far when /metrics is scraped. */
const PENDING_COUNT_LIMIT = 10_000;

/** The dispatcher's Prometheus metrics; unregistered (still counted) without a registry. */
export class DispatcherMetrics {
  readonly notifications: Counter<'receiver' | 'outcome'>;
  readonly deferred: Counter<'receiver' | 'reason'>;
  readonly circuitOpen: Gauge<'receiver'>;

  constructor(registry: Registry | undefined, store: AlertStore) {
    const registers = registry === undefined ? [] : [registry];
    this.notifications = new Counter({
      name: 'vigie_notifications_total',
      help: 'Tries to deliver a notification, by receiver and outcome (delivered, retry, dead).',
      labelNames: ['receiver', 'outcome'],
      registers,
    });
    this.deferred = new Counter({
      name: 'vigie_notifications_deferred_total',
      help: 'Notifications put back in the outbox without a try (rate limit, open circuit, Retry-After, order).',
      labelNames: ['receiver', 'reason'],
      registers,
    });
    this.circuitOpen = new Gauge({
      name: 'vigie_receiver_circuit_open',
      help: '1 while the circuit breaker of a receiver is open in this process.',
      labelNames: ['receiver'],
      registers,
    });
    new Gauge({
      name: 'vigie_outbox_pending',
      help: `Notifications waiting in the outbox (counted up to ${PENDING_COUNT_LIMIT}).`,
      registers,
      async collect() {
        try {
          const pending = await store.listOutbox({ status: 'pending', limit: PENDING_COUNT_LIMIT });
          this.set(pending.length);
        } catch {
          // The store is unreachable: keep the last count rather than failing the whole scrape.
        }
      },
    });
  }
}
