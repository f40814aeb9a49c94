import { SeriesDetector, type SeriesVerdict } from '@vigie/detect';
import { describe, expect, it } from 'vitest';
import { MINUTE, START, seededNormal, seededRandom } from './synthetic.js';

const STEP = MINUTE;

/** A rising sawtooth (0, 10, ..., 90, then back to 0) with a little noise. */
function sawtooth(noise: () => number, reversed: boolean) {
  return (i: number) => 100 + 10 * (reversed ? 9 - (i % 10) : i % 10) + 0.3 * noise();
}

/** 2,000 points of rising sawtooth, then 30 of falling sawtooth: the same values in a new order. */
function run(detector: SeriesDetector): { before: SeriesVerdict[]; after: SeriesVerdict[] } {
  const noise = seededNormal(11);
  const rising = sawtooth(noise, false);
  const falling = sawtooth(noise, true);
  const before: SeriesVerdict[] = [];
  for (let i = 0; i < 2_000; i++) before.push(detector.update(START + i * STEP, rising(i)));
  const after: SeriesVerdict[] = [];
  for (let i = 2_000; i < 2_030; i++) after.push(detector.update(START + i * STEP, falling(i)));
  return { before, after };
}

describe('SeriesDetector contextual novelty', () => {
  it('flags a shape never seen even when every value is a usual one', () => {
    const { before, after } = run(new SeriesDetector());
    expect(before.slice(500).filter((v) => v.isAnomaly)).toHaveLength(0);
    expect(after.some((v) => v.isAnomaly)).toBe(true);
  });

  it('is what flags it: without novelty the same series raises nothing', () => {
    const { after } = run(new SeriesDetector({ contextWeight: 0 }));
    expect(after.filter((v) => v.isAnomaly)).toHaveLength(0);
  });

  it('stays quiet on a sparse count, where uncommon arrangements of a few events are common', () => {
    const alarms = (contextWeight: number) => {
      const random = seededRandom(13);
      const detector = new SeriesDetector({ cooldownPoints: 0, contextWeight });
      let count = 0;
      // Two days of 10 s buckets with one event per 50 s on average (Poisson by inversion).
      for (let i = 0; i < 17_280; i++) {
        let events = 0;
        for (let p = Math.exp(-0.2), sum = p, u = random(); u > sum; sum += p) p *= 0.2 / ++events;
        if (detector.update(START + i * 10_000, events).isAnomaly) count++;
      }
      return count;
    };
    expect(alarms(1.3)).toBeLessThan(1.5 * alarms(0) + 10);
  });

  it('restores snapshots without novelty state (older ones) and continues', () => {
    const detector = new SeriesDetector();
    const noise = seededNormal(12);
    for (let i = 0; i < 500; i++) detector.update(START + i * STEP, 100 + noise());
    const { context: _dropped, ...older } = detector.snapshot();
    const restored = SeriesDetector.restore(JSON.parse(JSON.stringify(older)));
    const verdict = restored.update(START + 500 * STEP, 100);
    expect(verdict.isAnomaly).toBe(false);
    expect(restored.snapshot().context?.values).toHaveLength(1);
  });
});
