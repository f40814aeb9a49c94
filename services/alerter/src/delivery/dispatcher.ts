import type { AlerterConfig, AlertStore, Logger, OutboxEntry, Registry } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import type { DeliveryVerdict, Receiver } from '../receivers/types.js';
import { retryDelayMs } from './backoff.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { DeliveryError } from './delivery-error.js';
import { type DeferReason, DispatcherMetrics, type DispatchSummary } from './dispatcher-metrics.js';
import { deliveryOrder, LEASE_MARGIN_MS, OutboxLeases } from './outbox-leases.js';
import { SlidingWindowLimiter } from './rate-limiter.js';
import type { SafeHttpClient } from './safe-http-client.js';

export interface DispatcherOptions {
  store: AlertStore;
  /** By receiver name, as outbox entries name them. */
  receivers: ReadonlyMap<string, Receiver>;
  http: Pick<SafeHttpClient, 'send'>;
  config: AlerterConfig['delivery'];
  /** Notifications a minute per receiver (`rateLimitPerMinute`); 60 when absent. */
  rateLimits?: ReadonlyMap<string, number>;
  /** Timeout of one delivery per receiver (`timeoutMs`); 10 s when absent. */
  timeouts?: ReadonlyMap<string, number>;
  /** Lease owner id, unique per process: two dispatchers never hold one entry. */
  owner: string;
  logger: Logger;
  registry?: Registry;
  /** Wall clock, epoch ms; tests pass their own. */
  clock?: () => number;
  /** Uniform in [0, 1), for the retry jitter. */
  random?: () => number;
  /** Entries claimed per round; default 100. */
  batchSize?: number;
}

const DEFAULT_RATE_LIMIT = 60;
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_ERROR_CHARS = 300;

/** What one try says about a receiver: answered, failed (5xx, 429, timeout, network), or nothing. */
type ReceiverHealth = 'up' | 'down' | 'unknown';

/** Per-receiver state of this process: breakers and rate limits are not shared between dispatchers. */
interface ReceiverGate {
  breaker: CircuitBreaker;
  limiter: SlidingWindowLimiter;
  /** Retry-After of the last answer: nothing goes to the receiver before it. */
  pausedUntil: number;
}

/**
 * Delivers the outbox. Each round claims due entries (leased to this dispatcher), then
 * per receiver, one at a time and in order: an entry goes only when its receiver's
 * circuit is closed (or this is the half-open trial), its rate limit has room, no
 * Retry-After pause holds, and no earlier entry of the same incident for that receiver
 * is still pending (an acknowledge never overtakes its trigger). Otherwise it is put
 * back, untried, for when that changes. A try ends delivered, retried later
 * (exponential backoff with full jitter, Retry-After honoured when longer), or dead
 * (rejected by the receiver, or older than `maxAgeMs`); every try is written to the
 * delivery log. Delivery is at least once: a crash between a send and its outbox write
 * sends again after the lease, which receivers absorb through the dedup key and the
 * Idempotency-Key; leases are renewed (conditionally) before a send that could outlive
 * them, so two live dispatchers never send one entry.
 */
export class Dispatcher {
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly gates = new Map<string, ReceiverGate>();
  private readonly metrics: DispatcherMetrics;
  private readonly logger: Logger;
  private readonly leases: OutboxLeases;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(private readonly options: DispatcherOptions) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    this.metrics = new DispatcherMetrics(options.registry, options.store);
    this.logger = options.logger.child({ component: 'dispatcher' });
    this.leases = new OutboxLeases(options.store, options.owner, this.logger);
  }

  /** Polls the outbox every `pollMs` (at once again after a full batch) until `stop()`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the round in progress; idempotent, safe without `start()`. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round: claims what is due at `now` and delivers it. */
  async runOnce(now = this.clock()): Promise<DispatchSummary> {
    const summary: DispatchSummary = { claimed: 0, delivered: 0, retried: 0, dead: 0, deferred: 0 };
    const { store, owner, batchSize = 100 } = this.options;
    const claimed = await store.claimDue(now, owner, this.leaseMs(), batchSize);
    summary.claimed = claimed.length;
    const byReceiver = new Map<string, OutboxEntry[]>();
    for (const entry of claimed) {
      const list = byReceiver.get(entry.receiver) ?? [];
      list.push(entry);
      byReceiver.set(entry.receiver, list);
    }
    // Settled, not all: a store failure on one receiver must not return while others still send.
    const results = await Promise.allSettled(
      [...byReceiver].map(([name, entries]) =>
        this.deliverToReceiver(name, entries.sort(deliveryOrder), summary),
      ),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    return summary;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const round = this.runOnce().then(
        (summary) => summary.claimed >= (this.options.batchSize ?? 100),
        (err: unknown) => {
          this.logger.warn({ err: summarizeError(err) }, 'Outbox round failed; retrying.');
          return false;
        },
      );
      this.running = round;
      void round.then((full) => this.schedule(full ? 0 : this.options.config.pollMs));
    }, delayMs);
  }

  private async deliverToReceiver(
    name: string,
    entries: OutboxEntry[],
    summary: DispatchSummary,
  ): Promise<void> {
    const receiver = this.options.receivers.get(name);
    const gate = this.gate(name);
    // Incidents whose earlier entry did not go out in this round: the later ones wait for it.
    const heldBack = new Map<string, number>();
    for (const entry of entries) {
      const now = this.clock();
      if (receiver === undefined || now - entry.createdAt > this.options.config.maxAgeMs) {
        const reason =
          receiver === undefined ? `receiver ${name} is not configured` : 'expired: older than maxAgeMs';
        await this.finish(entry, { kind: 'rejected', reason }, now, now, summary);
        continue;
      }
      const waitFor = heldBack.get(entry.incidentId) ?? (await this.leases.earlierPendingDueAt(entry));
      let deferral: [DeferReason, number] | undefined;
      if (waitFor !== undefined) deferral = ['ordering', Math.max(waitFor, now + this.options.config.pollMs)];
      else if (gate.pausedUntil > now) deferral = ['retry_after', gate.pausedUntil];
      else if (!gate.limiter.canTake(now)) deferral = ['rate_limited', gate.limiter.nextFreeAt(now)];
      else if (!gate.breaker.tryAcquire(now)) deferral = ['circuit_open', gate.breaker.nextTrialAt(now)];
      if (deferral !== undefined) {
        const [reason, until] = deferral;
        await this.defer(entry, until, reason, summary);
        heldBack.set(entry.incidentId, until);
        continue;
      }
      gate.limiter.tryTake(now);
      const next = await this.attempt(entry, receiver, gate, summary);
      if (next !== undefined) heldBack.set(entry.incidentId, next);
    }
  }

  /** One try; returns when the entry is due again, unless it is settled (delivered or dead). */
  private async attempt(
    claimed: OutboxEntry,
    receiver: Receiver,
    gate: ReceiverGate,
    summary: DispatchSummary,
  ): Promise<number | undefined> {
    const timeoutMs = this.options.timeouts?.get(receiver.name) ?? DEFAULT_TIMEOUT_MS;
    const entry = await this.leases.hold(claimed, this.clock(), timeoutMs);
    if (entry === undefined) {
      gate.breaker.releaseTrial();
      return this.clock() + this.options.config.pollMs;
    }
    const started = this.clock();
    const { verdict, status, health } = await this.send(entry, receiver, started, timeoutMs);
    const finished = this.clock();
    if (health === 'unknown') gate.breaker.releaseTrial();
    else if (health === 'down') {
      if (gate.breaker.recordFailure(finished)) {
        this.metrics.circuitOpen.set({ receiver: receiver.name }, 1);
        this.logger.warn({ receiver: receiver.name }, 'Receiver circuit opened after consecutive failures.');
      }
    } else if (gate.breaker.recordSuccess()) {
      this.metrics.circuitOpen.set({ receiver: receiver.name }, 0);
      this.logger.info({ receiver: receiver.name }, 'Receiver circuit closed: it answers again.');
    }
    if (verdict.kind === 'retry' && verdict.afterMs !== undefined) {
      gate.pausedUntil = Math.max(gate.pausedUntil, finished + verdict.afterMs);
    }
    return this.finish(entry, verdict, started, finished, summary, status);
  }

  private async send(
    entry: OutboxEntry,
    receiver: Receiver,
    now: number,
    timeoutMs: number,
  ): Promise<{ verdict: DeliveryVerdict; status?: number; health: ReceiverHealth }> {
    let request: ReturnType<Receiver['build']>;
    try {
      request = receiver.build(entry.notification, now, { outboxId: entry.id });
    } catch (err) {
      const reason = `cannot build the request: ${summarizeError(err).message}`;
      return { verdict: { kind: 'rejected', reason }, health: 'unknown' };
    }
    try {
      const response = await this.options.http.send(request, timeoutMs);
      const verdict = receiver.interpret(response.status, response.headers, response.body, this.clock());
      return { verdict, status: response.status, health: verdict.kind === 'retry' ? 'down' : 'up' };
    } catch (err) {
      const reason = err instanceof DeliveryError ? err.message : summarizeError(err).message;
      // A refusal of our own (SSRF policy, scheme, redirect) says nothing about the receiver's health.
      const retriable = !(err instanceof DeliveryError) || err.retriable;
      return retriable
        ? { verdict: { kind: 'retry', reason }, health: 'down' }
        : { verdict: { kind: 'rejected', reason }, health: 'unknown' };
    }
  }

  /** Writes the outcome of a try (or of an expiry) to the delivery log and the outbox. */
  private async finish(
    entry: OutboxEntry,
    verdict: DeliveryVerdict,
    started: number,
    finished: number,
    summary: DispatchSummary,
    status?: number,
  ): Promise<number | undefined> {
    const { store, config } = this.options;
    const attempts = entry.attempts + 1;
    const error = verdict.kind === 'delivered' ? undefined : truncate(verdict.reason);
    await store.recordAttempt({
      id: `${entry.id}#${attempts}`,
      outboxId: entry.id,
      receiver: entry.receiver,
      incidentId: entry.incidentId,
      action: entry.notification.action,
      at: started,
      ok: verdict.kind === 'delivered',
      ...(status === undefined ? {} : { status }),
      ...(error === undefined ? {} : { error }),
      durationMs: finished - started,
    });
    const base = { ...entry, attempts, leaseOwner: undefined, leaseUntil: undefined, lastStatus: status };
    let updated: OutboxEntry;
    let dueAgain: number | undefined;
    if (verdict.kind === 'delivered') {
      updated = { ...base, status: 'delivered', deliveredAt: finished, lastError: undefined };
      summary.delivered += 1;
    } else if (verdict.kind === 'retry') {
      dueAgain = finished + retryDelayMs(attempts, config, this.random, verdict.afterMs);
      updated = { ...base, nextAttemptAt: dueAgain, lastError: error };
      summary.retried += 1;
    } else {
      updated = { ...base, status: 'dead', lastError: error };
      summary.dead += 1;
      this.logger.warn(
        { receiver: entry.receiver, outboxId: entry.id, attempts, reason: error },
        'Notification given up (dead): see the delivery log.',
      );
    }
    this.metrics.notifications.inc({
      receiver: entry.receiver,
      outcome: verdict.kind === 'rejected' ? 'dead' : verdict.kind,
    });
    await this.leases.write(updated);
    return dueAgain;
  }

  private async defer(entry: OutboxEntry, until: number, reason: DeferReason, summary: DispatchSummary) {
    summary.deferred += 1;
    this.metrics.deferred.inc({ receiver: entry.receiver, reason });
    await this.leases.release(entry, until);
  }

  private gate(name: string): ReceiverGate {
    let gate = this.gates.get(name);
    if (gate === undefined) {
      const { breakerFailures, breakerCooldownMs } = this.options.config;
      gate = {
        breaker: new CircuitBreaker(breakerFailures, breakerCooldownMs),
        limiter: new SlidingWindowLimiter(this.options.rateLimits?.get(name) ?? DEFAULT_RATE_LIMIT),
        pausedUntil: 0,
      };
      this.gates.set(name, gate);
    }
    return gate;
  }

  private leaseMs(): number {
    const longest = Math.max(DEFAULT_TIMEOUT_MS, ...(this.options.timeouts?.values() ?? []));
    return longest + LEASE_MARGIN_MS;
  }
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}
