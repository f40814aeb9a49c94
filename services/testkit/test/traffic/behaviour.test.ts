import type { LogEvent } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import {
  defaultShop,
  generateTraffic,
  type Rhythm,
  ratePerSecond,
  type ServiceKind,
  seasonality,
} from '../../src/index.js';
import { DAY, HOUR, MINUTE, MONDAY, oneRouteService, quantile } from './helpers.js';

/** Expected events of `ratePerSecond` over [from, to), summed second by second. */
function expectedCount(rate: (time: number) => number, from: number, to: number): number {
  let sum = 0;
  for (let t = from; t < to; t += 1000) sum += rate(t + 500);
  return sum;
}

function countIn(events: Iterable<LogEvent>, from: number, to: number): number {
  let n = 0;
  for (const e of events) {
    const t = Date.parse(e['@timestamp']);
    if (t >= from && t < to) n++;
  }
  return n;
}

// Generous timeouts: a simulated day takes a second or two alone, far more on a busy machine.
const SLOW = { timeout: 60_000 };

describe('daily rhythm', SLOW, () => {
  it('makes nights about a quarter of the afternoon peak, as ratePerSecond predicts', () => {
    const service = oneRouteService('http-api', {}, 2);
    const events = [
      ...generateTraffic({ seed: 1, start: MONDAY, durationMs: DAY, services: [service], incidents: [] }),
    ];
    const night = countIn(events, MONDAY + 2 * HOUR, MONDAY + 4 * HOUR);
    const afternoon = countIn(events, MONDAY + 14 * HOUR, MONDAY + 16 * HOUR);
    expect(afternoon / night).toBeGreaterThan(3.2);
    expect(afternoon / night).toBeLessThan(4.6);
    const rate = (t: number) => ratePerSecond(service, t);
    expect(events.length / expectedCount(rate, MONDAY, MONDAY + DAY)).toBeCloseTo(1, 1);
    expect(afternoon / expectedCount(rate, MONDAY + 14 * HOUR, MONDAY + 16 * HOUR)).toBeCloseTo(1, 1);
  });

  it('is a smooth curve: no hour differs from the next by more than a third', () => {
    const rates = Array.from({ length: 24 }, (_, h) => seasonality(MONDAY + h * HOUR));
    expect(Math.min(...rates)).toBeCloseTo(0.25, 2);
    expect(Math.max(...rates)).toBeCloseTo(1, 2);
    for (let h = 1; h < 24; h++) {
      const ratio = (rates[h] as number) / (rates[h - 1] as number);
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.34);
    }
  });

  it('dips at weekends when asked, without a step at midnight', () => {
    const rhythm: Rhythm = { weekendFactor: 0.6 };
    const saturday = MONDAY + 5 * DAY;
    expect(seasonality(saturday + 15 * HOUR, rhythm)).toBeCloseTo(0.6 * seasonality(saturday + 15 * HOUR), 5);
    expect(seasonality(MONDAY + 2 * DAY + 15 * HOUR, rhythm)).toBe(seasonality(MONDAY + 2 * DAY + 15 * HOUR));
    // The weekend's share of the rate moves by less than 1 % across midnight.
    const dip = (t: number) => seasonality(t, rhythm) / seasonality(t);
    expect(Math.abs(dip(saturday + MINUTE) - dip(saturday - MINUTE))).toBeLessThan(0.01);
    expect(dip(saturday - 4 * HOUR)).toBe(1);
    expect(dip(saturday + 4 * HOUR)).toBeCloseTo(0.6, 5);
  });

  it('runs a whole day in an hour with timeScale 24, and scales volume with rateScale', () => {
    const rhythm: Rhythm = { timeScale: 24 };
    // The seasonal clock starts with the scenario: 37.5 minutes in is 15:00 on the simulated clock.
    const at1530 = MONDAY + 15.5 * HOUR;
    expect(seasonality(at1530 + 37.5 * MINUTE, { ...rhythm, start: at1530 })).toBeCloseTo(
      seasonality(MONDAY + 30.5 * HOUR),
      5,
    );
    const service = oneRouteService('worker', {}, 10);
    const full = [
      ...generateTraffic({ seed: 2, start: MONDAY, durationMs: HOUR, services: [service], incidents: [] }),
    ];
    const scaled = [
      ...generateTraffic({
        seed: 2,
        start: MONDAY,
        durationMs: HOUR,
        services: [service],
        incidents: [],
        rateScale: 0.1,
      }),
    ];
    expect(scaled.length / full.length).toBeCloseTo(0.1, 1);
    const fast = [
      ...generateTraffic({
        seed: 2,
        start: MONDAY,
        durationMs: HOUR,
        services: [service],
        incidents: [],
        ...rhythm,
      }),
    ];
    // Midnight to 01:00 is at about 30 % of the peak; the same hour at 24× averages the day (62.5 %).
    expect(fast.length / full.length).toBeGreaterThan(1.6);
  });
});

describe('arrivals', SLOW, () => {
  it('are Poisson: per-second counts have a variance equal to their mean', () => {
    const service = oneRouteService('http-api', {}, 5);
    const perSecond = new Map<number, number>();
    const scenario = { seed: 3, start: MONDAY, durationMs: 3 * HOUR, services: [service], incidents: [] };
    for (const e of generateTraffic({ ...scenario, dailyAmplitude: 0 })) {
      const second = Math.floor(Date.parse(e['@timestamp']) / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    const counts = Array.from({ length: (3 * HOUR) / 1000 }, (_, i) => perSecond.get(MONDAY / 1000 + i) ?? 0);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / counts.length;
    expect(mean).toBeCloseTo(5, 1);
    expect(variance / mean).toBeGreaterThan(0.93);
    expect(variance / mean).toBeLessThan(1.07);
  });
});

const KINDS: ServiceKind[] = ['http-api', 'nginx', 'auth', 'worker'];

describe.each(KINDS)('a %s service', SLOW, (kind) => {
  // Two flat hours at 20 events per second: about 144,000 requests.
  const service = oneRouteService(kind, { errorRatio: 0.02, latencyMedianMs: 80, latencyP95Ms: 300 });
  const events = () =>
    generateTraffic({
      seed: 9,
      start: MONDAY,
      durationMs: 2 * HOUR,
      services: [service],
      incidents: [],
      dailyAmplitude: 0,
    });

  it('fails at its configured base error ratio, with error level and recurring messages', () => {
    let total = 0;
    let errors = 0;
    const messages = new Set<string>();
    for (const e of events()) {
      total++;
      const status = e.http?.response?.status_code;
      const serverError = kind === 'worker' ? e.error !== undefined : status !== undefined && status >= 500;
      if (!serverError) continue;
      errors++;
      expect(e.log?.level).toBe('error');
      messages.add(e.message.replace(/\d+(\.\d+)*/g, '<n>').replace(/user \S+/, 'user <user>'));
    }
    expect(total).toBeGreaterThan(130_000);
    expect(errors / total).toBeGreaterThan(0.018);
    expect(errors / total).toBeLessThan(0.022);
    if (kind !== 'nginx') expect(messages.size).toBeLessThanOrEqual(24);
  });

  it('has log-normal latencies with the configured median and p95', () => {
    const latencies: number[] = [];
    for (const e of events()) latencies.push((e.event?.duration ?? Number.NaN) / 1e6);
    expect(quantile(latencies, 0.5)).toBeGreaterThan(80 * 0.96);
    expect(quantile(latencies, 0.5)).toBeLessThan(80 * 1.04);
    expect(quantile(latencies, 0.95)).toBeGreaterThan(300 * 0.95);
    expect(quantile(latencies, 0.95)).toBeLessThan(300 * 1.05);
  });
});

describe('background failed logins', SLOW, () => {
  it('happen at the configured ratio, spread over many addresses and users', () => {
    const auth = defaultShop().find((s) => s.kind === 'auth');
    if (!auth) throw new Error('the shop has an auth service');
    const failures = new Map<string, number>(); // per address and minute
    const users = new Set<string>();
    let logins = 0;
    let failed = 0;
    for (const e of generateTraffic({
      seed: 4,
      start: MONDAY,
      durationMs: DAY,
      services: [auth],
      incidents: [],
    })) {
      if (e.event?.action !== 'user-login') continue;
      logins++;
      if (e.event.outcome !== 'failure' || e.http?.response?.status_code !== 401) continue;
      failed++;
      users.add(e.user?.name ?? '');
      expect(e.event.category).toEqual(['authentication']);
      const key = `${e.source?.ip} ${Math.floor(Date.parse(e['@timestamp']) / MINUTE)}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
    }
    expect(failed / logins).toBeGreaterThan(0.035);
    expect(failed / logins).toBeLessThan(0.045);
    expect(new Set([...failures.keys()].map((k) => k.split(' ')[0])).size).toBeGreaterThan(failed * 0.8);
    expect(users.size).toBeGreaterThan(200);
    expect(Math.max(...failures.values())).toBeLessThanOrEqual(3);
  });
});
