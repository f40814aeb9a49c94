/**
 * At most `limit` sends in any sliding window of `windowMs` (a minute for the
 * receivers' `rateLimitPerMinute`), on an injected clock.
 */
export class SlidingWindowLimiter {
  private readonly sent: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Whether a send may go at `now`, without taking the slot. */
  canTake(now: number): boolean {
    this.forget(now);
    return this.sent.length < this.limit;
  }

  /** Takes a slot; false (and nothing taken) when the window is full. */
  tryTake(now: number): boolean {
    if (!this.canTake(now)) return false;
    this.sent.push(now);
    return true;
  }

  /** When the next slot frees up (`now` if one is free). */
  nextFreeAt(now: number): number {
    this.forget(now);
    if (this.sent.length < this.limit) return now;
    return (this.sent[this.sent.length - this.limit] ?? now) + this.windowMs;
  }

  private forget(now: number): void {
    while (this.sent.length > 0 && (this.sent[0] ?? now) <= now - this.windowMs) this.sent.shift();
  }
}
