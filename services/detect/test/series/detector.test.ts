import { SeriesDetector, type SeriesVerdict } from '@vigie/detect';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE, START, seededNormal } from './synthetic.js';

const STEP = 5 * MINUTE;

/** Feeds `count` points from `value(i)`, 5 minutes apart from `from`, and returns the verdicts. */
function feed(detector: SeriesDetector, count: number, value: (i: number) => number, from = START) {
  const verdicts: SeriesVerdict[] = [];
  for (let i = 0; i < count; i++) verdicts.push(detector.update(from + i * STEP, value(i)));
  return verdicts;
}

describe('SeriesDetector', () => {
  it('raises nothing while warming up, and says so', () => {
    const detector = new SeriesDetector({ warmUpPoints: 50 });
    const noise = seededNormal(1);
    // Wild values during the warm-up: they would be anomalies later, not now.
    const verdicts = feed(detector, 50, (i) => (i % 7 === 0 ? 1_000 : 100 + noise()));
    expect(verdicts.every((v) => v.warmingUp && !v.isAnomaly)).toBe(true);
    expect(verdicts.some((v) => v.score > 0.5)).toBe(true);
    const after = detector.update(START + 50 * STEP, 100);
    expect(after.warmingUp).toBe(false);
  });

  it('detects a level shift within a few points and says which way', () => {
    const detector = new SeriesDetector();
    const noise = seededNormal(2);
    const before = feed(detector, 1_000, () => 100 + 2 * noise());
    const shifted = feed(detector, 10, () => 130 + 2 * noise(), START + 1_000 * STEP);
    const first = shifted.findIndex((v) => v.isAnomaly);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(3);
    expect(shifted[first]?.direction).toBe('up');
    expect(before.slice(200).filter((v) => v.isAnomaly).length).toBeLessThan(3);
  });

  it('scores a single spike high, and the band excludes it', () => {
    const detector = new SeriesDetector();
    const noise = seededNormal(3);
    feed(detector, 2_000, () => 50 + noise());
    const spike = detector.update(START + 2_000 * STEP, 70);
    expect(spike.score).toBeGreaterThan(0.8);
    expect(spike.isAnomaly).toBe(true);
    expect(spike.upper).toBeLessThan(70);
    expect(spike.expected).toBeGreaterThan(48);
    expect(spike.expected).toBeLessThan(52);
    const dip = detector.peek(START + 2_001 * STEP, 30);
    expect(dip.direction).toBe('down');
  });

  it('rarely alarms on noise alone', () => {
    const detector = new SeriesDetector();
    const noise = seededNormal(4);
    const verdicts = feed(detector, 20_000, () => 200 + 10 * noise());
    const alarms = verdicts.filter((v) => v.isAnomaly).length;
    // Fewer than one alarm per 2,000 points (a week of 5-minute buckets).
    expect(alarms).toBeLessThan(10);
    expect(verdicts.slice(100).every((v) => v.score >= 0 && v.score <= 1)).toBe(true);
  });

  it('learns a daily peak: the peak is not flagged after a few days, the same value at night is', () => {
    const detector = new SeriesDetector();
    const noise = seededNormal(5);
    // Busy from 09:00 to 18:00 UTC (~300), quiet otherwise (~50).
    const daily = (t: number) => {
      const hour = (((t % DAY) + DAY) % DAY) / HOUR;
      return hour >= 9 && hour < 18 ? 300 : 50;
    };
    const points = (6 * DAY) / STEP;
    const verdicts = feed(detector, points, (i) => daily(START + i * STEP) + 5 * noise());
    const lastDay = verdicts.slice(-DAY / STEP);
    expect(lastDay.filter((v) => v.isAnomaly).length).toBe(0);
    // Day 7: at 03:00 a daytime value is anomalous; at noon it is what is expected.
    const series = (i: number) => daily(START + i * STEP) + 5 * noise();
    feed(detector, (3 * HOUR) / STEP, (i) => series(points + i), START + 6 * DAY);
    const night = detector.peek(START + 6 * DAY + 3 * HOUR, 300);
    expect(night.isAnomaly).toBe(true);
    expect(night.direction).toBe('up');
    const morning = feed(
      detector,
      (9 * HOUR) / STEP,
      (i) => series(points + 36 + i),
      START + 6 * DAY + 3 * HOUR,
    );
    expect(morning.filter((v) => v.isAnomaly).length).toBe(0);
    const peak = detector.peek(START + 6 * DAY + 12 * HOUR, 300);
    expect(peak.isAnomaly).toBe(false);
    expect(peak.expected).toBeGreaterThan(250);
  });

  it('continues identically after a snapshot is restored from JSON', () => {
    const noise = seededNormal(6);
    const values = Array.from(
      { length: 3_000 },
      (_, i) => 100 + 20 * Math.sin(i / 40) + noise() + (i === 2_500 ? 40 : 0),
    );
    const original = new SeriesDetector();
    for (let i = 0; i < 1_500; i++) original.update(START + i * STEP, values[i] as number);
    const snapshot = JSON.parse(JSON.stringify(original.snapshot()));
    expect(snapshot.version).toBe(1);
    const restored = SeriesDetector.restore(snapshot);
    for (let i = 1_500; i < values.length; i++) {
      const time = START + i * STEP;
      expect(restored.update(time, values[i] as number)).toEqual(original.update(time, values[i] as number));
    }
    expect(JSON.stringify(restored.snapshot())).toBe(JSON.stringify(original.snapshot()));
  });

  it('peeks without learning', () => {
    const a = new SeriesDetector();
    const b = new SeriesDetector();
    feed(a, 300, (i) => 10 + (i % 4));
    feed(b, 300, (i) => 10 + (i % 4));
    const peeked = a.peek(START + 300 * STEP, 1_000);
    expect(peeked.isAnomaly).toBe(true);
    expect(a.snapshot()).toEqual(b.snapshot());
  });

  it('restores a snapshot taken during the warm-up', () => {
    const original = new SeriesDetector();
    feed(original, 30, (i) => 10 + (i % 3));
    const restored = SeriesDetector.restore(JSON.parse(JSON.stringify(original.snapshot())));
    const a = feed(original, 200, (i) => 10 + (i % 3), START + 30 * STEP);
    const b = feed(restored, 200, (i) => 10 + (i % 3), START + 30 * STEP);
    expect(b).toEqual(a);
  });

  it('rejects unknown options, bad values and foreign snapshots', () => {
    expect(() => new SeriesDetector({ treshold: 0.5 } as never)).toThrow(/unknown option treshold/);
    expect(() => new SeriesDetector({ threshold: 2, warmUpPoints: 1 })).toThrow(/threshold.*warmUpPoints/);
    const snapshot = { ...new SeriesDetector().snapshot(), version: 99 };
    expect(() => SeriesDetector.restore(snapshot as never)).toThrow(/version 99/);
  });

  it('keeps the state of a seasonal series small', () => {
    const detector = new SeriesDetector();
    feed(detector, (15 * DAY) / STEP, (i) => 100 + 50 * Math.sin((2 * Math.PI * i * STEP) / DAY));
    // Profiles (2 × (48 + 168) numbers) and the novelty history (300 points): under 1,000 numbers.
    const numbers = JSON.stringify(detector.snapshot()).match(/-?\d[\d.e+-]*/g) ?? [];
    expect(numbers.length).toBeLessThan(1_000);
    expect(Buffer.byteLength(JSON.stringify(detector.snapshot()))).toBeLessThan(16_000);
  });
});
