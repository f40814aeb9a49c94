/** One digest window: epoch-aligned, `digestMs` long, [start, end). Epoch ms. */
export interface DigestWindow {
  start: number;
  end: number;
}

/** The window holding `at`: windows start at multiples of `digestMs` since the epoch. */
export function windowOf(at: number, digestMs: number): DigestWindow {
  const start = Math.floor(at / digestMs) * digestMs;
  return { start, end: start + digestMs };
}

/**
 * Windows whose digest is due at `now`, oldest first: those that ended at least `settleMs`
 * ago (so incidents saved just after the end by a slower alerter are in), and no longer
 * ago than `lookbackMs` (how far a restarted alerter catches up).
 */
export function dueWindows(
  now: number,
  digestMs: number,
  { settleMs, lookbackMs }: { settleMs: number; lookbackMs: number },
): DigestWindow[] {
  const windows: DigestWindow[] = [];
  for (let { start, end } = windowOf(now - settleMs - digestMs, digestMs); end > now - lookbackMs; ) {
    windows.unshift({ start, end });
    end = start;
    start -= digestMs;
  }
  return windows;
}
