import type { LogEvent } from '@vigie/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultShop, generateTraffic, type Incident, SCENARIO_INCIDENTS } from '../../src/index.js';
import { DAY, HOUR, MINUTE, MONDAY, quantile } from './helpers.js';

const INCIDENTS = SCENARIO_INCIDENTS(MONDAY);
const START = MONDAY + 5 * DAY + 8 * HOUR;
const END = MONDAY + 5 * DAY + 17 * HOUR;

function incident<K extends Incident['kind']>(kind: K): Extract<Incident, { kind: K }> {
  const found = INCIDENTS.find((i): i is Extract<Incident, { kind: K }> => i.kind === kind);
  if (!found) throw new Error(`SCENARIO_INCIDENTS has no ${kind}`);
  return found;
}

const inside = (i: { from: number; to: number }, t: number) => t >= i.from && t < i.to;

interface Seen {
  orders: Array<{ t: number; status: number }>;
  products: Array<{ t: number; ms: number }>;
  worker: number[];
  exceptions: Array<{ t: number; event: LogEvent }>;
  bruteForce: Array<{ t: number; event: LogEvent }>;
  scanner: Array<{ t: number; event: LogEvent }>;
}

// One pass over the incident day's business hours, keeping only what the tests look at.
let seen: Seen;
beforeAll(() => {
  seen = { orders: [], products: [], worker: [], exceptions: [], bruteForce: [], scanner: [] };
  const scenario = {
    seed: 42,
    start: START,
    durationMs: END - START,
    services: defaultShop(),
    incidents: INCIDENTS,
  };
  for (const event of generateTraffic(scenario)) {
    const t = Date.parse(event['@timestamp']);
    const route = `${event.http?.request?.method} ${event.url?.path}`;
    if (event.service.name === 'shop-api' && route === 'POST /api/orders') {
      seen.orders.push({ t, status: event.http?.response?.status_code ?? 0 });
    } else if (event.service.name === 'shop-api' && /^GET \/api\/products\/\d+$/.test(route)) {
      seen.products.push({ t, ms: (event.event?.duration ?? 0) / 1e6 });
    } else if (event.service.name === 'order-worker') {
      seen.worker.push(t);
    }
    if (event.error?.type === incident('new-exception').exceptionType) seen.exceptions.push({ t, event });
    if (event.source?.ip === incident('brute-force').sourceIp) seen.bruteForce.push({ t, event });
    if (event.source?.ip === incident('scan').sourceIp) seen.scanner.push({ t, event });
  }
}, 120_000);

describe('SCENARIO_INCIDENTS in the generated traffic', () => {
  it('raises the 5xx ratio of one route from 0.5 % to about 8 % inside its window only', () => {
    const spike = incident('error-ratio');
    const ratio = (rows: Array<{ status: number }>) =>
      rows.filter((r) => r.status >= 500).length / rows.length;
    const during = seen.orders.filter((r) => inside(spike, r.t));
    const outside = seen.orders.filter((r) => !inside(spike, r.t));
    expect(during.length).toBeGreaterThan(400);
    expect(ratio(during)).toBeGreaterThan(0.055);
    expect(ratio(during)).toBeLessThan(0.105);
    expect(ratio(outside)).toBeLessThan(0.015);
  });

  it('moves the p95 of one route from 300 ms to about 900 ms inside its window only', () => {
    const slow = incident('latency');
    const p95 = (rows: Array<{ ms: number }>) =>
      quantile(
        rows.map((r) => r.ms),
        0.95,
      );
    const during = seen.products.filter((r) => inside(slow, r.t));
    const outside = seen.products.filter((r) => !inside(slow, r.t));
    expect(during.length).toBeGreaterThan(1000);
    expect(p95(during)).toBeGreaterThan(800);
    expect(p95(during)).toBeLessThan(1000);
    expect(p95(outside)).toBeGreaterThan(270);
    expect(p95(outside)).toBeLessThan(330);
  });

  it('silences a service for its window and only then', () => {
    const silence = incident('silence');
    expect(seen.worker.filter((t) => inside(silence, t))).toEqual([]);
    const justBefore = seen.worker.filter((t) => t >= silence.from - 10 * MINUTE && t < silence.from);
    const justAfter = seen.worker.filter((t) => t >= silence.to && t < silence.to + 10 * MINUTE);
    expect(justBefore.length).toBeGreaterThan(100);
    expect(justAfter.length).toBeGreaterThan(100);
  });

  it('throws a new exception at its rate, with a Java stack trace, inside its window only', () => {
    const burst = incident('new-exception');
    expect(seen.exceptions.every(({ t }) => inside(burst, t))).toBe(true);
    const expected = (burst.perMinute * (burst.to - burst.from)) / MINUTE;
    expect(seen.exceptions.length).toBeGreaterThan(expected * 0.8);
    expect(seen.exceptions.length).toBeLessThan(expected * 1.2);
    const { event } = seen.exceptions[0] as { event: LogEvent };
    expect(event.service.name).toBe(burst.service);
    expect(event.log?.level).toBe('error');
    expect(event.error?.message).toMatch(/^risk engine returned no score for payment \d+$/);
    const stack = event.error?.stack_trace?.split('\n') ?? [];
    expect(stack[0]).toBe(`${burst.exceptionType}: ${event.error?.message}`);
    expect(stack.length).toBeGreaterThan(4);
    for (const frame of stack.slice(1)) expect(frame).toMatch(/^\tat [\w.$/]+\([\w$]+\.java:\d+\)$/);
  });

  it('sends 50 ± 10 failed logins a minute from the brute-force address, inside its window only', () => {
    const attack = incident('brute-force');
    expect(seen.bruteForce.every(({ t }) => inside(attack, t))).toBe(true);
    for (const { event } of seen.bruteForce) {
      expect(event.event?.category).toEqual(['authentication']);
      expect(event.event?.outcome).toBe('failure');
      expect(event.service.name).toBe(attack.service);
    }
    const perMinute = new Map<number, number>();
    for (const { t } of seen.bruteForce) {
      const minute = Math.floor((t - attack.from) / MINUTE);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    }
    expect(perMinute.size).toBe((attack.to - attack.from) / MINUTE);
    for (const count of perMinute.values()) {
      expect(count).toBeGreaterThanOrEqual(40);
      expect(count).toBeLessThanOrEqual(60);
    }
    expect(new Set(seen.bruteForce.map(({ event }) => event.user?.name)).size).toBeGreaterThan(5);
  });

  it('has one address request 200 distinct paths and get 401, 403 or 404, inside its window only', () => {
    const scan = incident('scan');
    expect(seen.scanner.every(({ t }) => inside(scan, t))).toBe(true);
    const paths = new Set(seen.scanner.map(({ event }) => event.url?.path));
    expect(paths.size).toBe(scan.distinctPaths);
    expect(seen.scanner.length).toBe(scan.distinctPaths);
    const statuses = new Set(seen.scanner.map(({ event }) => event.http?.response?.status_code));
    expect([...statuses].sort()).toEqual([401, 403, 404]);
  });
});

describe('other incidents', { timeout: 60_000 }, () => {
  const shopApi = defaultShop().filter((s) => s.name === 'shop-api' || s.name === 'auth');
  const start = MONDAY + 10 * HOUR;

  it('deploy: a new service.version from its instant on, announced by each host', () => {
    const at = start + 30 * MINUTE + 250;
    const events = [
      ...generateTraffic({
        seed: 5,
        start,
        durationMs: HOUR,
        services: shopApi,
        incidents: [{ kind: 'deploy', service: 'shop-api', at, version: '2.4.0' }],
      }),
    ].filter((e) => e.service.name === 'shop-api');
    for (const e of events) {
      expect(e.service.version).toBe(Date.parse(e['@timestamp']) < at ? '2.3.1' : '2.4.0');
    }
    const banners = events.filter((e) => e.message.startsWith('Starting shop-api 2.4.0 on '));
    expect(banners.map((e) => e.host?.name).sort()).toEqual(['api-1', 'api-2', 'api-3']);
    expect(events.filter((e) => e.service.version === '2.4.0').length).toBeGreaterThan(1000);
  });

  it('leaves the traffic of services it does not target as it was', () => {
    const scenario = { seed: 8, start, durationMs: HOUR, services: defaultShop() };
    const scan: Incident = {
      kind: 'scan',
      service: 'frontend',
      from: start,
      to: start + HOUR,
      sourceIp: '198.51.100.23',
      distinctPaths: 200,
    };
    const apiOnly = (incidents: Incident[]) =>
      [...generateTraffic({ ...scenario, incidents })].filter((e) => e.service.name === 'shop-api');
    const quiet = apiOnly([]);
    expect(quiet.length).toBeGreaterThan(1000);
    expect(apiOnly([scan])).toEqual(quiet);
  });

  it('silence wins over the incidents that write as the silenced service', () => {
    const from = start + 10 * MINUTE;
    const attack: Incident = {
      kind: 'brute-force',
      service: 'auth',
      from,
      to: from + 20 * MINUTE,
      sourceIp: '192.0.2.7',
      perMinute: 50,
    };
    const silence: Incident = {
      kind: 'silence',
      service: 'auth',
      from: from + 5 * MINUTE,
      to: from + 15 * MINUTE,
    };
    const times = [
      ...generateTraffic({
        seed: 2,
        start,
        durationMs: HOUR,
        services: shopApi,
        incidents: [attack, silence],
      }),
    ]
      .filter((e) => e.source?.ip === '192.0.2.7')
      .map((e) => Date.parse(e['@timestamp']));
    expect(times.filter((t) => inside(silence, t))).toEqual([]);
    expect(times.length).toBeGreaterThan(450);
    expect(times.length).toBeLessThan(550);
  });

  it('password spraying: failed logins against many real users from a few addresses', () => {
    const sourceIps = ['192.0.2.10', '192.0.2.11', '192.0.2.12'];
    const from = start + 10 * MINUTE;
    const to = from + 20 * MINUTE;
    const sprayed = [
      ...generateTraffic({
        seed: 6,
        start,
        durationMs: HOUR,
        services: shopApi,
        incidents: [{ kind: 'password-spraying', service: 'auth', from, to, sourceIps, perMinute: 30 }],
      }),
    ].filter((e) => sourceIps.includes(e.source?.ip ?? ''));
    expect(sprayed.length).toBeGreaterThan(20 * 30 - 10);
    expect(sprayed.length).toBeLessThan(20 * 30 + 10);
    expect(
      sprayed.every(
        (e) => e.event?.outcome === 'failure' && inside({ from, to }, Date.parse(e['@timestamp'])),
      ),
    ).toBe(true);
    expect(new Set(sprayed.map((e) => e.user?.name)).size).toBeGreaterThan(200);
    expect(new Set(sprayed.map((e) => e.source?.ip)).size).toBe(3);
  });
});
