/** Where a receiver's circuit stands. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/**
 * The circuit breaker of one receiver, on an injected clock. It opens after
 * `failuresToOpen` consecutive failures; after `cooldownMs` it lets ONE trial request
 * through (half-open): success closes it, failure opens it for another cooldown.
 * Callers report every outcome of a request they were allowed to make.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(
    private readonly failuresToOpen: number,
    private readonly cooldownMs: number,
  ) {}

  state(now: number): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return now < this.openedAt + this.cooldownMs ? 'open' : 'half_open';
  }

  /** Whether a request may go now; in half-open, true once until its outcome is reported. */
  tryAcquire(now: number): boolean {
    const state = this.state(now);
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** When the next trial may go (now when closed). */
  nextTrialAt(now: number): number {
    return this.openedAt === undefined ? now : Math.max(now, this.openedAt + this.cooldownMs);
  }

  /** Gives back a half-open trial that was acquired but not made. */
  releaseTrial(): void {
    this.trialInFlight = false;
  }

  /** The receiver answered; returns true when this closed an open circuit. */
  recordSuccess(): boolean {
    const wasOpen = this.openedAt !== undefined;
    this.consecutiveFailures = 0;
    this.openedAt = undefined;
    this.trialInFlight = false;
    return wasOpen;
  }

  /** The receiver failed (5xx, 429, timeout, connection); returns true when this opened the circuit. */
  recordFailure(now: number): boolean {
    if (this.trialInFlight) {
      this.trialInFlight = false;
      this.openedAt = now;
      return false;
    }
    this.consecutiveFailures += 1;
    if (this.openedAt === undefined && this.consecutiveFailures >= this.failuresToOpen) {
      this.openedAt = now;
      return true;
    }
    return false;
  }
}
