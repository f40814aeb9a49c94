import type { LogEvent } from '@vigie/common';
import { DETECTION_DEFAULTS } from '@vigie/detect';
import { describe, expect, it } from 'vitest';
import { PartitionDetector } from '../src/detection/partition-detector.js';

const START = Date.parse('2026-01-05T10:00:00Z');

function event(time: number): LogEvent {
  return { '@timestamp': new Date(time).toISOString(), message: 'GET /cart 200', service: { name: 'shop' } };
}

describe('PartitionDetector', () => {
  it('does not let an event from the far future close every bucket and expire the baselines', () => {
    const detector = new PartitionDetector(DETECTION_DEFAULTS, 0);
    const events = Array.from({ length: 3_600 }, (_, i) => ({
      id: `e${i}`,
      offset: BigInt(i),
      event: event(START + i * 1_000),
      recordTime: START + i * 1_000,
    }));
    detector.ingest(events, 0);
    const last = START + 3_600_000;
    const started = performance.now();
    detector.ingest(
      [{ id: 'bogus', offset: 3_600n, event: event(Date.parse('2099-01-01T00:00:00Z')), recordTime: last }],
      0,
    );
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(detector.stats().services).toBe(1);
    expect(detector.drain().anomalies).toEqual([]);
  });

  it('skips records it already holds', () => {
    const detector = new PartitionDetector(DETECTION_DEFAULTS, 0);
    const batch = [{ id: 'a', offset: 0n, event: event(START), recordTime: START }];
    detector.ingest(batch, 0);
    detector.ingest(batch, 0);
    expect(detector.lastOffset).toBe(0n);
    expect(detector.snapshot().services[0]?.series[0]?.open[0]).toMatchObject({ count: 1 });
  });
});
