/** Bounds of the retry delays (`alerter.delivery`). */
export interface RetryBounds {
  retryMinMs: number;
  retryMaxMs: number;
}

/**
 * Delay before try number `attempt + 1`, after `attempt` failed tries: exponential
 * (retryMinMs, doubling, capped at retryMaxMs) with full jitter, i.e. uniform between
 * retryMinMs and the exponential ceiling, so receivers coming back are not hit by every
 * dispatcher at the same instant. A longer `retryAfterMs` (the receiver's Retry-After)
 * wins.
 */
export function retryDelayMs(
  attempt: number,
  bounds: RetryBounds,
  random: () => number,
  retryAfterMs?: number,
): number {
  const min = Math.min(bounds.retryMinMs, bounds.retryMaxMs);
  const ceiling = Math.min(bounds.retryMaxMs, min * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  const jittered = min + Math.floor(random() * (ceiling - min));
  return Math.max(jittered, retryAfterMs ?? 0);
}
