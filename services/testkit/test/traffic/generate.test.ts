import { type LogEvent, normalizeEvent } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { defaultShop, generateTraffic, SCENARIO_INCIDENTS, type TrafficScenario } from '../../src/index.js';
import { DAY, HOUR, MONDAY } from './helpers.js';

// The incident day of the scenario, so that every incident's events are among those checked.
const INCIDENT_DAY = MONDAY + 5 * DAY;

function shop(seed: number, start: number, durationMs: number): TrafficScenario {
  return { seed, start, durationMs, services: defaultShop(), incidents: SCENARIO_INCIDENTS(MONDAY) };
}

const take = (scenario: TrafficScenario): LogEvent[] => [...generateTraffic(scenario)];

// Generous timeouts: a simulated day takes a second or two alone, far more on a busy machine.
describe('generateTraffic', { timeout: 60_000 }, () => {
  it('replays the same events from the same seed and different ones from another seed', () => {
    const a = take(shop(7, INCIDENT_DAY + 9 * HOUR, HOUR / 4));
    const b = take(shop(7, INCIDENT_DAY + 9 * HOUR, HOUR / 4));
    const c = take(shop(8, INCIDENT_DAY + 9 * HOUR, HOUR / 4));
    expect(a.length).toBeGreaterThan(5_000);
    expect(b).toEqual(a);
    expect(c.length).toBeGreaterThan(5_000);
    expect(c.slice(0, 100)).not.toEqual(a.slice(0, 100));
  });

  it('yields valid events, in time order, inside the scenario only', () => {
    // Starts mid-second and ends mid-second on purpose.
    const start = INCIDENT_DAY + 8.5 * HOUR + 123;
    const end = INCIDENT_DAY + 16.5 * HOUR - 77;
    let previous = start;
    let count = 0;
    const datasets = new Set<string>();
    for (const event of generateTraffic(shop(1, start, end - start))) {
      const result = normalizeEvent(event);
      if (!result.ok) expect.fail(`${result.reason}: ${result.detail} in ${JSON.stringify(event)}`);
      // normalizeEvent hands back its input only when it is valid as it is.
      if (result.event !== event) expect.fail(`rewritten by normalizeEvent: ${JSON.stringify(event)}`);
      const time = Date.parse(event['@timestamp']);
      if (time < previous || time >= end) expect.fail(`${event['@timestamp']} out of order or range`);
      previous = time;
      if (!event.service.version) expect.fail(`no version: ${JSON.stringify(event)}`);
      datasets.add(event.event?.dataset ?? 'none');
      count++;
    }
    expect(count).toBeGreaterThan(150_000);
    expect([...datasets].sort()).toEqual(['app.http', 'app.worker', 'auth.audit', 'nginx.access']);
  });

  it('numbers the lines of each host file in order, with growing offsets', () => {
    const last = new Map<string, { sequence: number; offset: number }>();
    for (const event of generateTraffic(shop(3, INCIDENT_DAY, 2 * HOUR))) {
      const key = `${event.service.name}|${event.host?.name}|${event.log?.file?.path}`;
      const sequence = event.event?.sequence ?? -1;
      const offset = event.log?.offset ?? -1;
      const before = last.get(key) ?? { sequence: -1, offset: -1 };
      if (sequence !== before.sequence + 1 || offset <= before.offset) {
        expect.fail(
          `${key}: line ${sequence} at ${offset} after line ${before.sequence} at ${before.offset}`,
        );
      }
      last.set(key, { sequence, offset });
    }
    // 2-3 hosts for each of the five services.
    expect(last.size).toBe(12);
  });

  it('writes messages that fall into a few recurring templates once variable parts are masked', () => {
    const templates = new Map<string, number>();
    let count = 0;
    for (const event of generateTraffic(shop(5, INCIDENT_DAY + 12 * HOUR, HOUR))) {
      if (event.event?.dataset === 'nginx.access') continue; // the line holds a user agent: not a template
      const masked = event.message
        .replace(/user \S+/g, 'user <user>')
        .replace(/\/[\w/.-]*\d[\w/.-]*/g, '<path>')
        .replace(/\d+(\.\d+)*/g, '<n>');
      templates.set(masked, (templates.get(masked) ?? 0) + 1);
      count++;
    }
    expect(count).toBeGreaterThan(10_000);
    expect(templates.size).toBeGreaterThan(15);
    expect(templates.size).toBeLessThan(60);
  });

  it('refuses a profile that makes no sense, naming every problem', () => {
    const scenario = shop(1, MONDAY, HOUR);
    const [front] = scenario.services;
    if (!front) throw new Error('the shop has services');
    front.routes = [
      { method: 'GET', path: '/', weight: 1, latencyMedianMs: 300, latencyP95Ms: 100, errorRatio: 5 },
    ];
    expect(() => generateTraffic(scenario).next()).toThrow(
      'service frontend: GET /: errorRatio must be within 0..1; GET /: latencies need 0 < latencyMedianMs <= latencyP95Ms',
    );
  });

  it('refuses incidents on services that do not exist', () => {
    const scenario = shop(1, MONDAY, HOUR);
    scenario.incidents = [{ kind: 'silence', service: 'nope', from: MONDAY, to: MONDAY + HOUR }];
    expect(() => generateTraffic(scenario).next()).toThrow(/unknown service nope/);
  });
});
