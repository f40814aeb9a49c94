import { defaultShop, SCENARIO_INCIDENTS } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { runScenario, summarize } from './run-scenario.js';

const DAY_START = Date.parse('2026-01-05T00:00:00Z');
// From 06:00: three hours of history before the first incident, the last one ends 16:10.
const START = DAY_START + 6 * 3_600_000;
const HOUR = 3_600_000;

describe('detection scenario: the six incidents of a day in the shop', { timeout: 600_000 }, () => {
  const incidents = SCENARIO_INCIDENTS(START, 0);
  // A busy shop: 5xx on one route in 30 s is only visible with a few requests a second there.
  const services = defaultShop().map((s) =>
    s.name === 'shop-api' ? { ...s, peakEventsPerSecond: s.peakEventsPerSecond * 5 } : s,
  );
  const run = runScenario({
    seed: 42,
    start: START,
    durationMs: 10.25 * HOUR,
    services,
    incidents,
    rateScale: 10,
  });
  console.log(`${run.events} events, ${run.opened.length} anomalies\n${summarize(run.opened)}`);

  const openedWithin = (kind: string, service: string, from: number, field?: string, value?: string) =>
    run.opened.find(
      (a) =>
        a.kind === kind &&
        a.service === service &&
        (field === undefined || (a.dimension.field === field && a.dimension.value === value)) &&
        Date.parse(a.updated) >= from &&
        Date.parse(a.updated) <= from + 30_000,
    );

  it('catches the brute force from its ip within 30 s', () => {
    const incident = incidents.find((i) => i.kind === 'brute-force');
    if (incident?.kind !== 'brute-force') throw new Error('scenario changed');
    const found = openedWithin('brute_force', 'auth', incident.from, 'source.ip', incident.sourceIp);
    expect(found, summarize(run.opened)).toBeDefined();
    expect(found?.contributors[0]?.value).toBe(incident.sourceIp);
  });

  it('catches the 5xx ratio on POST /api/orders within 30 s, naming the route', () => {
    const incident = incidents.find((i) => i.kind === 'error-ratio');
    if (incident?.kind !== 'error-ratio') throw new Error('scenario changed');
    const found = openedWithin('error_spike', 'shop-api', incident.from, 'url.path', '/api/orders');
    expect(found, summarize(run.opened)).toBeDefined();
    expect(found?.contributors[0]).toMatchObject({ field: 'url.path', value: '/api/orders' });
  });

  it('catches the p95 shift on GET /api/products/:id within 30 s, naming the route', () => {
    const incident = incidents.find((i) => i.kind === 'latency');
    if (incident?.kind !== 'latency') throw new Error('scenario changed');
    const found = openedWithin('latency', 'shop-api', incident.from, 'url.path', '/api/products/:id');
    expect(found, summarize(run.opened)).toBeDefined();
    expect(found?.contributors[0]).toMatchObject({ field: 'url.path', value: '/api/products/:id' });
  });

  it('catches order-worker going silent within 30 s', () => {
    const incident = incidents.find((i) => i.kind === 'silence');
    if (incident?.kind !== 'silence') throw new Error('scenario changed');
    expect(openedWithin('volume_low', 'order-worker', incident.from), summarize(run.opened)).toBeDefined();
  });

  it('catches the new exception on payment within 30 s, naming its template', () => {
    const incident = incidents.find((i) => i.kind === 'new-exception');
    if (incident?.kind !== 'new-exception') throw new Error('scenario changed');
    const found = run.opened.find(
      (a) =>
        a.kind === 'new_pattern' &&
        a.service === 'payment' &&
        Date.parse(a.updated) <= incident.from + 30_000 &&
        Date.parse(a.updated) >= incident.from,
    );
    expect(found, summarize(run.opened)).toBeDefined();
    expect(found?.contributors[0]?.value).toContain('RiskScoreUnavailableException');
  });

  it('catches the scanner within 30 s', () => {
    const incident = incidents.find((i) => i.kind === 'scan');
    if (incident?.kind !== 'scan') throw new Error('scenario changed');
    const found = openedWithin('scan', 'frontend', incident.from, 'source.ip', incident.sourceIp);
    expect(found, summarize(run.opened)).toBeDefined();
  });
});
