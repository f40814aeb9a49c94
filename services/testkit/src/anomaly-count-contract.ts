import type { Anomaly, DetectionStore, LogSearch } from '@vigie/common';
import { expect, it } from 'vitest';
import { sampleAnomaly } from './detection-store-contract.js';

/** A week after the contract's other anomalies, so no other case's anomalies fall in the range. */
const FROM = Date.UTC(2026, 11, 5, 12);
const RANGE = { from: FROM, to: FROM + 3_600_000 };

const startingAt = (i: number, at: number, overrides: Partial<Anomaly>): Anomaly =>
  sampleAnomaly(i, {
    id: `count-${i}`,
    start: new Date(at).toISOString(),
    updated: new Date(at + 60_000).toISOString(),
    ...overrides,
  });

/**
 * The `countAnomalies` cases of the `LogSearch` contract, on anomalies written through the
 * store's `writeAnomalies`: only starts inside the range count (both ends inclusive), an
 * anomaly that is still open when the range begins does not, and a newer version of an
 * anomaly replaces the older one instead of adding to it.
 */
export function anomalyCountCases(
  store: () => LogSearch & DetectionStore & { refresh(): Promise<void> },
): void {
  it('counts the anomalies that started in a range by kind and service, each id once', async () => {
    const inside = RANGE.from + 600_000;
    await store().writeAnomalies([
      // Started before the range and still open in it: not raised in the range.
      startingAt(1, RANGE.from - 1, { kind: 'error_spike', service: 'cart' }),
      startingAt(2, RANGE.from, { kind: 'error_spike', service: 'cart' }),
      startingAt(3, inside, { kind: 'error_spike', service: 'cart' }),
      startingAt(4, inside, { kind: 'error_spike', service: 'billing' }),
      startingAt(5, inside, { kind: 'latency', service: 'cart' }),
      startingAt(6, RANGE.to, { kind: 'scan', service: 'edge' }),
      startingAt(7, RANGE.to + 1, { kind: 'scan', service: 'edge' }),
      startingAt(8, inside, { kind: 'new_pattern', service: 'billing' }),
    ]);
    await store().refresh();
    // The same anomaly again, closed: replaces the first version.
    await store().writeAnomalies([
      startingAt(8, inside, {
        kind: 'new_pattern',
        service: 'billing',
        state: 'closed',
        end: new Date(inside + 120_000).toISOString(),
        updated: new Date(inside + 120_000).toISOString(),
      }),
    ]);
    await store().refresh();
    expect(await store().countAnomalies(RANGE)).toEqual([
      { kind: 'error_spike', service: 'billing', count: 1 },
      { kind: 'error_spike', service: 'cart', count: 2 },
      { kind: 'latency', service: 'cart', count: 1 },
      { kind: 'new_pattern', service: 'billing', count: 1 },
      { kind: 'scan', service: 'edge', count: 1 },
    ]);
    expect(await store().countAnomalies({ from: RANGE.to + 1, to: RANGE.to + 1 })).toEqual([
      { kind: 'scan', service: 'edge', count: 1 },
    ]);
    expect(await store().countAnomalies({ from: RANGE.to + 2, to: RANGE.to + 3_600_000 })).toEqual([]);
  });
}
