import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/delivery/backoff.js';
import { CircuitBreaker } from '../../src/delivery/circuit-breaker.js';
import { SlidingWindowLimiter } from '../../src/delivery/rate-limiter.js';

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, lets one trial through after the cooldown, closes on success', () => {
    const breaker = new CircuitBreaker(3, 1000);
    expect(breaker.recordFailure(0)).toBe(false);
    breaker.recordSuccess();
    expect(breaker.recordFailure(1)).toBe(false);
    expect(breaker.recordFailure(2)).toBe(false);
    expect(breaker.state(2)).toBe('closed');
    expect(breaker.recordFailure(3)).toBe(true);
    expect(breaker.state(3)).toBe('open');
    expect(breaker.tryAcquire(500)).toBe(false);
    expect(breaker.nextTrialAt(500)).toBe(1003);
    expect(breaker.state(1003)).toBe('half_open');
    expect(breaker.tryAcquire(1003)).toBe(true);
    expect(breaker.tryAcquire(1004)).toBe(false);
    expect(breaker.recordSuccess()).toBe(true);
    expect(breaker.state(1005)).toBe('closed');
    expect(breaker.tryAcquire(1005)).toBe(true);
  });

  it('reopens for a whole cooldown when the trial fails, and a released trial can be taken again', () => {
    const breaker = new CircuitBreaker(1, 1000);
    breaker.recordFailure(0);
    expect(breaker.tryAcquire(1000)).toBe(true);
    breaker.releaseTrial();
    expect(breaker.tryAcquire(1001)).toBe(true);
    expect(breaker.recordFailure(1500)).toBe(false);
    expect(breaker.state(2499)).toBe('open');
    expect(breaker.tryAcquire(2499)).toBe(false);
    expect(breaker.tryAcquire(2500)).toBe(true);
  });
});

describe('SlidingWindowLimiter', () => {
  it('allows N per window and says when the next slot frees up', () => {
    const limiter = new SlidingWindowLimiter(2, 60_000);
    expect(limiter.tryTake(0)).toBe(true);
    expect(limiter.canTake(10)).toBe(true);
    expect(limiter.tryTake(10_000)).toBe(true);
    expect(limiter.tryTake(20_000)).toBe(false);
    expect(limiter.nextFreeAt(20_000)).toBe(60_000);
    expect(limiter.tryTake(60_000)).toBe(true);
    expect(limiter.nextFreeAt(60_001)).toBe(70_000);
    expect(limiter.tryTake(70_000)).toBe(true);
  });
});

describe('retryDelayMs', () => {
  const bounds = { retryMinMs: 1000, retryMaxMs: 60_000 };

  it('grows exponentially up to retryMaxMs, with full jitter above retryMinMs', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 20].map((attempt) =>
      retryDelayMs(attempt, bounds, () => 0.999999),
    );
    expect(ceilings).toEqual([1000, 1999, 3999, 7999, 15999, 31999, 59999, 59999]);
    for (let attempt = 1; attempt < 30; attempt++) {
      expect(retryDelayMs(attempt, bounds, () => 0)).toBe(1000);
    }
    const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(6, bounds, Math.random)));
    expect(spread.size).toBeGreaterThan(40);
  });

  it('honours a longer Retry-After, and never shortens the backoff for a short one', () => {
    expect(retryDelayMs(1, bounds, () => 0, 120_000)).toBe(120_000);
    expect(retryDelayMs(7, bounds, () => 0.5, 100)).toBe(30_500);
  });
});
