import type { LogEvent } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { DEMO_DEFAULTS, LiveDemoTraffic } from '../src/index.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const START = Date.UTC(2026, 10, 28, 21, 0);

const time = (event: LogEvent): number => Date.parse(event['@timestamp']);

/** Every event up to `until`, taken in small steps as a live source on a ticking clock would. */
function takeUntil(demo: LiveDemoTraffic, from: number, until: number, stepMs = 250): LogEvent[] {
  const out: LogEvent[] = [];
  for (let now = from; now <= until; now += stepMs) out.push(...demo.take(now));
  return out;
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(0.95 * (sorted.length - 1))] ?? Number.NaN;
}

describe('LiveDemoTraffic', () => {
  it('sends the history at once, then live events only once the clock reaches them, all labelled as demo data', () => {
    const demo = new LiveDemoTraffic({ startAt: START, historyMs: 5 * MINUTE });
    const history = demo.take(START);
    expect(history.length).toBeGreaterThan(5 * 60 * 40);
    expect(time(history[0] as LogEvent)).toBeGreaterThanOrEqual(START - 5 * MINUTE);
    expect(time(history.at(-1) as LogEvent)).toBeLessThan(START);
    expect(demo.take(START)).toEqual([]);
    const nextSecond = demo.take(START + SECOND);
    expect(nextSecond.length).toBeGreaterThan(20);
    expect(nextSecond.every((e) => time(e) >= START && time(e) < START + SECOND)).toBe(true);
    expect([...history, ...nextSecond].every((e) => e.labels?.demo === 'true')).toBe(true);
  });

  it('writes the shop: nginx access lines, JSON API logs, logins, and payment stack traces', () => {
    const demo = new LiveDemoTraffic({ startAt: START, historyMs: 10 * MINUTE });
    const events = demo.take(START);
    const services = new Set(events.map((e) => e.service.name));
    expect([...services].sort()).toEqual(['auth', 'frontend', 'order-worker', 'payment', 'shop-api']);
    expect(events.some((e) => e.event?.dataset === 'nginx.access' && /" \d{3} \d+ "/.test(e.message))).toBe(
      true,
    );
    expect(events.some((e) => e.service.name === 'auth' && e.event?.action === 'user-login')).toBe(true);
    const traces = events.filter((e) => e.service.name === 'payment' && e.error?.stack_trace);
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0]?.error?.stack_trace).toMatch(/\n\tat com\.shop\.payment\./);
  });

  it('keeps 50 to 200 events a second, minute by minute, over a whole compressed day with its incidents', () => {
    const demo = new LiveDemoTraffic({ startAt: START, historyMs: 0 });
    const day = DEMO_DEFAULTS.dayMs;
    const perMinute = new Array<number>(day / MINUTE).fill(0);
    for (const event of takeUntil(demo, START, START + day, 5 * SECOND)) {
      const minute = Math.floor((time(event) - START) / MINUTE);
      if (minute < perMinute.length) perMinute[minute] = (perMinute[minute] ?? 0) + 1;
    }
    const rates = perMinute.map((count) => count / 60);
    expect(Math.min(...rates)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...rates)).toBeLessThanOrEqual(200);
    // The daily rhythm shows within the compressed day: the busiest minute is well above the quietest.
    expect(Math.max(...rates) / Math.min(...rates)).toBeGreaterThan(1.5);
  });

  it('starts every scheduled incident within two minutes of the warm-up, on a fake clock', () => {
    const demo = new LiveDemoTraffic({ startAt: START, historyMs: 0 });
    const round = demo.firstRound;
    expect(round - START).toBe(DEMO_DEFAULTS.warmUpMs);
    const events = takeUntil(demo, START, round + 2 * MINUTE);
    const inRound = (e: LogEvent, from: number, to: number) =>
      time(e) >= round + from && time(e) < round + to;
    const before = events.filter((e) => time(e) < round);
    const during = (from: number, to: number) => events.filter((e) => inRound(e, from, to));

    // Brute force: failed logins of admin from one address.
    const guesses = during(0, 2 * MINUTE).filter(
      (e) => e.service.name === 'auth' && e.source?.ip === '203.0.113.66' && e.event?.outcome === 'failure',
    );
    expect(guesses.length).toBeGreaterThan(150);
    expect(before.some((e) => e.source?.ip === '203.0.113.66')).toBe(false);

    // Error spike: 5xx share of POST /api/orders from well under 1 % to about 25 %.
    const orders = (list: LogEvent[]) =>
      list.filter((e) => e.service.name === 'shop-api' && e.url?.path === '/api/orders');
    const fiveXx = (list: LogEvent[]) =>
      list.filter((e) => (e.http?.response?.status_code ?? 0) >= 500).length / list.length;
    expect(fiveXx(orders(during(15 * SECOND, 2 * MINUTE)))).toBeGreaterThan(0.15);
    expect(fiveXx(orders(before))).toBeLessThan(0.05);

    // Latency regression: p95 of GET /api/products/:id from about 300 ms to about 1500 ms.
    const productMs = (list: LogEvent[]) =>
      list
        .filter((e) => e.service.name === 'shop-api' && /^\/api\/products\/\d+$/.test(e.url?.path ?? ''))
        .map((e) => (e.event?.duration ?? 0) / 1e6);
    expect(p95(productMs(during(30 * SECOND, 2 * MINUTE)))).toBeGreaterThan(1000);
    expect(p95(productMs(before))).toBeLessThan(500);

    // A new exception on payment, with its stack trace.
    const risk = during(45 * SECOND, 2 * MINUTE).filter((e) =>
      e.error?.type?.endsWith('RiskScoreUnavailableException'),
    );
    expect(risk.length).toBeGreaterThan(10);
    expect(risk.every((e) => e.service.name === 'payment' && e.error?.stack_trace?.includes('\tat '))).toBe(
      true,
    );

    // Silence: order-worker writes nothing from one minute in, after writing every second before.
    expect(during(MINUTE, 2 * MINUTE).filter((e) => e.service.name === 'order-worker')).toEqual([]);
    expect(before.filter((e) => e.service.name === 'order-worker').length).toBeGreaterThan(100);
  });

  it('repeats the round every ten minutes with an exception never thrown before, across scenario boundaries', () => {
    const demo = new LiveDemoTraffic({ startAt: START, historyMs: 0, horizonMs: 7 * MINUTE });
    const events = takeUntil(demo, START, demo.firstRound + 13 * MINUTE, 5 * SECOND);
    const second = demo.firstRound + DEMO_DEFAULTS.incidentEveryMs;
    const exceptionsIn = (from: number) =>
      new Set(
        events
          .filter((e) => time(e) >= from && time(e) < from + 3 * MINUTE && e.log?.logger === 'uncaught')
          .map((e) => e.error?.type),
      );
    const [first] = exceptionsIn(demo.firstRound);
    const [next] = exceptionsIn(second);
    expect(first).toBeDefined();
    expect(next).toBeDefined();
    expect(next).not.toBe(first);
    expect(events.some((e) => time(e) >= second && e.source?.ip === '203.0.113.67')).toBe(true);
    // Time order holds where one generated scenario hands over to the next.
    for (let i = 1; i < events.length; i++) {
      expect(time(events[i] as LogEvent)).toBeGreaterThanOrEqual(time(events[i - 1] as LogEvent));
    }
  });

  it('resumes after a restart where the last run stopped, within the history window', () => {
    const resumed = new LiveDemoTraffic({ startAt: START, resumeFrom: START - 2 * MINUTE });
    expect(resumed.historyStart).toBe(START - 2 * MINUTE);
    const longAgo = new LiveDemoTraffic({ startAt: START, resumeFrom: START - 10 * 60 * MINUTE });
    expect(longAgo.historyStart).toBe(START - DEMO_DEFAULTS.historyMs);
  });
});
