import type { Anomaly } from '@vigie/common';
import { DETECTION_DEFAULTS, DetectionEngine } from '@vigie/detect';
import { describe, expect, it } from 'vitest';
import { LiveDemoTraffic } from '../src/index.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const START = Date.UTC(2026, 10, 28, 21, 0);

/** Feeds the demo's events up to `until` to an engine with the processor's default options. */
function detect(demo: LiveDemoTraffic, until: number): Anomaly[] {
  const engine = new DetectionEngine(DETECTION_DEFAULTS);
  const raised: Anomaly[] = [];
  let id = 0;
  for (let batch = demo.take(until, 5000); batch.length > 0; batch = demo.take(until, 5000)) {
    for (const event of batch) engine.ingest({ id: `ev-${id++}`, event });
    raised.push(...engine.drain().anomalies);
  }
  engine.advanceTo(until);
  raised.push(...engine.drain().anomalies);
  return raised;
}

describe('the demo traffic through the processor’s detection engine', () => {
  it('raises one anomaly per scheduled incident within three minutes of the first round, and none before', () => {
    const demo = new LiveDemoTraffic({ startAt: START });
    const anomalies = detect(demo, demo.firstRound + 3 * MINUTE);

    const firstStart = new Map<string, number>();
    for (const anomaly of anomalies) {
      const key = `${anomaly.kind} ${anomaly.service}`;
      const at = Date.parse(anomaly.start);
      firstStart.set(key, Math.min(at, firstStart.get(key) ?? at));
    }
    // Starts are window starts: a burst seen in its first seconds dates from up to a minute before.
    const sinceRound = (key: string): number | undefined => {
      const at = firstStart.get(key);
      return at === undefined ? undefined : at - demo.firstRound;
    };
    for (const key of [
      'brute_force auth',
      'error_spike shop-api',
      'latency shop-api',
      'new_pattern payment',
      'volume_low order-worker',
    ]) {
      expect(sinceRound(key), key).toBeGreaterThanOrEqual(-MINUTE);
      expect(sinceRound(key), key).toBeLessThan(3 * MINUTE);
    }
    // An hour of history and the warm-up raise nothing: every anomaly is one of the round's.
    const early = anomalies.filter((a) => Date.parse(a.start) < demo.firstRound - MINUTE);
    expect(early.map((a) => `${a.kind} ${a.service} ${a.start}`)).toEqual([]);
  }, 120_000);
});
