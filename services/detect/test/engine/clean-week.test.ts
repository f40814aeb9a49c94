import { defaultShop } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { runScenario, summarize } from './run-scenario.js';

const START = Date.parse('2026-01-05T00:00:00Z');
const DAY = 86_400_000;

describe('detection on a clean simulated week', () => {
  // A week of events through the engine: minutes on a loaded 2-core machine.
  it('raises at most one anomaly per service per simulated day', { timeout: 600_000 }, () => {
    const services = defaultShop();
    const run = runScenario({
      seed: 7,
      start: START,
      durationMs: 7 * DAY,
      services,
      incidents: [],
      rateScale: 1,
    });
    console.log(`${run.events} events, ${run.opened.length} anomalies\n${summarize(run.opened)}`);
    for (const service of services) {
      const perDay = new Map<number, number>();
      for (const anomaly of run.opened.filter((a) => a.service === service.name)) {
        const day = Math.floor(Date.parse(anomaly.start) / DAY);
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
      }
      for (const [day, count] of perDay) {
        expect(count, `${service.name} on day ${day}: ${summarize(run.opened)}`).toBeLessThanOrEqual(1);
      }
    }
  });
});
