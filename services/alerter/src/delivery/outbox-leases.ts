import type { AlertStore, Logger, OutboxEntry } from '@vigie/common';
import { ConflictError } from '@vigie/common';

/** Lease beyond a send's own timeout, for the store writes around it. */
export const LEASE_MARGIN_MS = 30_000;
const ACTION_ORDER: Record<string, number> = { trigger: 0, digest: 0, acknowledge: 1, resolve: 2 };

/**
 * The dispatcher's writes to the outbox, all conditional on the entry's version: a
 * conflict means another dispatcher took the entry (its lease had ended), and the
 * entry is left to it.
 */
export class OutboxLeases {
  constructor(
    private readonly store: AlertStore,
    private readonly owner: string,
    private readonly logger: Logger,
  ) {}

  /** Writes the entry; undefined when it changed under this dispatcher. */
  async write(entry: OutboxEntry): Promise<OutboxEntry | undefined> {
    try {
      return await this.store.updateOutbox(entry);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      this.logger.warn({ outboxId: entry.id }, 'Outbox entry changed under this dispatcher; leaving it.');
      return undefined;
    }
  }

  /** Puts the entry back, untried, due at `until`. */
  async release(entry: OutboxEntry, until: number): Promise<void> {
    await this.write({ ...entry, nextAttemptAt: until, leaseOwner: undefined, leaseUntil: undefined });
  }

  /**
   * Makes sure the lease outlasts a send of up to `timeoutMs` starting at `now`,
   * renewing it when too little is left (entries queued behind slow sends); undefined
   * when another dispatcher took the entry meanwhile.
   */
  async hold(entry: OutboxEntry, now: number, timeoutMs: number): Promise<OutboxEntry | undefined> {
    const enough = now + timeoutMs + LEASE_MARGIN_MS / 2;
    if (entry.leaseOwner === this.owner && (entry.leaseUntil ?? 0) >= enough) return entry;
    return this.write({ ...entry, leaseOwner: this.owner, leaseUntil: now + timeoutMs + LEASE_MARGIN_MS });
  }

  /** When the earliest still-pending entry queued before this one (same incident and receiver) is due, if any. */
  async earlierPendingDueAt(entry: OutboxEntry): Promise<number | undefined> {
    const pending = await this.store.listOutbox({
      incidentId: entry.incidentId,
      status: 'pending',
      limit: 1000,
    });
    const earlier = pending.filter(
      (other) =>
        other.receiver === entry.receiver && other.id !== entry.id && deliveryOrder(other, entry) < 0,
    );
    if (earlier.length === 0) return undefined;
    return Math.min(...earlier.map((other) => other.nextAttemptAt));
  }
}

/** Queue order of one incident's entries: by creation, then trigger before acknowledge before resolve. */
export function deliveryOrder(a: OutboxEntry, b: OutboxEntry): number {
  return (
    a.createdAt - b.createdAt ||
    (ACTION_ORDER[a.notification.action] ?? 0) - (ACTION_ORDER[b.notification.action] ?? 0) ||
    a.id.localeCompare(b.id)
  );
}
