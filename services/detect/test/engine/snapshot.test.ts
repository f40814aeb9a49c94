import type { LogEvent } from '@vigie/common';
import { type Anomaly, DETECTION_DEFAULTS, DetectionEngine, type EngineSnapshot } from '@vigie/detect';
import { defaultShop, generateTraffic, SCENARIO_INCIDENTS } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';

const START = Date.parse('2026-01-05T06:00:00Z');
const HOUR = 3_600_000;
// The error spike on shop-api's orders route runs 10:00-10:45: cutting at 10:05 restores an
// engine with an open anomaly (updated, then closed after the cut), half-filled buckets
// and sketches in its window.
const CUT = START + 4 * HOUR + 5 * 60_000;

function feed(engine: DetectionEngine, events: readonly LogEvent[], from: number, to: number): Anomaly[] {
  const records: Anomaly[] = [];
  for (let i = from; i < to; i++) {
    engine.ingest({ id: `e${i}`, event: events[i] as LogEvent });
    if ((i & 1023) === 0) records.push(...engine.drain().anomalies);
  }
  records.push(...engine.drain().anomalies);
  return records;
}

describe('engine snapshot', { timeout: 600_000 }, () => {
  const services = defaultShop().map((s) =>
    s.name === 'shop-api' ? { ...s, peakEventsPerSecond: s.peakEventsPerSecond * 5 } : s,
  );
  const events = [
    ...generateTraffic({
      seed: 7,
      start: START,
      durationMs: 5 * HOUR,
      services,
      incidents: SCENARIO_INCIDENTS(START, 0),
      rateScale: 2,
    }),
  ];
  const cut = events.findIndex((e) => Date.parse(e['@timestamp']) >= CUT);
  const uninterrupted = feed(new DetectionEngine(), events, 0, events.length);

  it('restores through JSON and detects exactly what an uninterrupted engine does', () => {
    const first = new DetectionEngine();
    const before = feed(first, events, 0, cut);
    const json = JSON.stringify(first.snapshot());
    const restored = new DetectionEngine(DETECTION_DEFAULTS, JSON.parse(json) as EngineSnapshot);
    expect(restored.openAnomalies()).toEqual(first.openAnomalies());
    expect(restored.openAnomalies().length).toBeGreaterThan(0);
    const after = feed(restored, events, cut, events.length);
    expect(uninterrupted.length).toBeGreaterThan(before.length);
    expect([...before, ...after]).toEqual(uninterrupted);
  });

  it('writes the same snapshot again after a restore', () => {
    const first = new DetectionEngine();
    feed(first, events, 0, cut);
    const json = JSON.stringify(first.snapshot());
    const restored = new DetectionEngine(DETECTION_DEFAULTS, JSON.parse(json) as EngineSnapshot);
    expect(JSON.stringify(restored.snapshot())).toBe(json);
  });
});
