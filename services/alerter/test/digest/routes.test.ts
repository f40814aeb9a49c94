import type { Incident, RouteConfig } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { matchedRouteIndices, notifiedDetails } from '../../src/digest/index.js';
import { applyAnomaly } from '../../src/incidents/index.js';
import { routeIncident } from '../../src/routing/index.js';
import { anomaly, policy, T0 } from '../incidents/fixtures.js';

const baseIncident = (): Incident => applyAnomaly(undefined, anomaly(), T0, policy).incident;

function route(
  match: RouteConfig['match'],
  receivers: string[],
  extra: Partial<RouteConfig> = {},
): RouteConfig {
  return { match, receivers, continue: false, ...extra };
}

const ROUTES: RouteConfig[] = [
  route({ service: ['billing'] }, ['billing-team']),
  route({}, ['slack'], { continue: true, digestMs: 300_000 }),
  route({ severity: 'critical' }, ['pd'], { continue: true }),
  route({}, ['hook'], { digestMs: 600_000 }),
  route({}, ['never']),
];

describe('routes of a notification', () => {
  it('are indexed in configuration order with the rule of routeIncident', () => {
    for (const incident of [
      baseIncident(),
      { ...baseIncident(), service: 'billing' },
      { ...baseIncident(), severity: 'critical' as const },
    ]) {
      const indices = matchedRouteIndices(incident, ROUTES);
      expect(indices.map((i) => ROUTES[i]?.receivers)).toEqual(
        routeIncident(incident, ROUTES).map((t) => t.receivers),
      );
    }
    expect(matchedRouteIndices({ ...baseIncident(), severity: 'critical' }, ROUTES)).toEqual([1, 2, 3]);
  });

  it('name the digest routes of a trigger, and mark a second trigger of the cycle as an escalation', () => {
    const incident: Incident = { ...baseIncident(), severity: 'warning' };
    expect(notifiedDetails(incident, 'trigger', ROUTES)).toEqual({
      action: 'trigger',
      cycle: incident.cycle,
      escalation: false,
      digestRoutes: [1, 3],
    });
    const told = {
      ...incident,
      notified: { status: 'open' as const, severity: 'warning' as const, cycle: incident.cycle },
    };
    expect(notifiedDetails(told, 'trigger', ROUTES).escalation).toBe(true);
    const reopened = { ...told, cycle: incident.cycle + 1 };
    expect(notifiedDetails(reopened, 'trigger', ROUTES).escalation).toBe(false);
  });

  it('send a resolve to the digest routes of the cycle triggers, even when routing changed since', () => {
    const incident: Incident = {
      ...baseIncident(),
      cycle: 2,
      service: 'billing', // would now take route 0 only
      status: 'resolved',
      timeline: [
        notified('trigger', 1, [3]), // previous cycle
        notified('trigger', 2, [1]),
        notified('trigger', 2, [1, 3]),
      ],
    };
    expect(notifiedDetails(incident, 'resolve', ROUTES)).toMatchObject({
      action: 'resolve',
      digestRoutes: [1, 3],
    });
    expect(
      notifiedDetails({ ...incident, timeline: [notified('trigger', 1, [3])] }, 'resolve', ROUTES)
        .digestRoutes,
    ).toEqual([]);
  });
});

function notified(
  action: 'trigger' | 'resolve',
  cycle: number,
  digestRoutes: number[],
): Incident['timeline'][number] {
  return {
    at: '2026-03-02T10:00:00.000Z',
    type: 'notified',
    text: `Queued ${action}.`,
    notification: { action, cycle, escalation: false, digestRoutes },
  };
}
