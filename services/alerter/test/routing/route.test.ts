import type { Incident, RouteConfig } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { applyAnomaly } from '../../src/incidents/index.js';
import { routeIncident } from '../../src/routing/index.js';
import { anomaly, policy, T0 } from '../incidents/fixtures.js';

function incident(overrides: Partial<Incident> = {}): Incident {
  let base = applyAnomaly(undefined, anomaly(), T0, policy).incident;
  base = applyAnomaly(base, anomaly({ id: 'a-latency', kind: 'latency' }), T0, policy).incident;
  return { ...base, ...overrides };
}

const route = (
  match: RouteConfig['match'],
  receivers: string[],
  extra: Partial<RouteConfig> = {},
): RouteConfig => ({
  match,
  receivers,
  continue: false,
  ...extra,
});

describe('routeIncident', () => {
  it('first matching route wins', () => {
    const routes = [
      route({ service: ['cart'] }, ['cart-team']),
      route({ service: ['checkout'] }, ['pd']),
      route({}, ['slack']),
    ];
    expect(routeIncident(incident(), routes)).toEqual([{ receivers: ['pd'] }]);
  });

  it('continue keeps evaluating later routes; digestMs is passed on', () => {
    const routes = [
      route({ service: ['checkout'] }, ['pd'], { continue: true }),
      route({ service: ['nope'] }, ['never']),
      route({}, ['slack'], { digestMs: 60_000 }),
      route({}, ['after-a-stop']),
    ];
    expect(routeIncident(incident(), routes)).toEqual([
      { receivers: ['pd'] },
      { receivers: ['slack'], digestMs: 60_000 },
    ]);
  });

  it('no match, no notification', () => {
    expect(routeIncident(incident(), [route({ environment: ['staging'] }, ['pd'])])).toEqual([]);
    expect(routeIncident(incident(), [])).toEqual([]);
  });

  it('severity is a minimum', () => {
    const routes = [
      route({ severity: 'critical' }, ['pd']),
      route({ severity: 'warning' }, ['slack']),
      route({}, ['log']),
    ];
    expect(routeIncident(incident({ severity: 'critical' }), routes)).toEqual([{ receivers: ['pd'] }]);
    expect(routeIncident(incident({ severity: 'warning' }), routes)).toEqual([{ receivers: ['slack'] }]);
    expect(routeIncident(incident({ severity: 'info' }), routes)).toEqual([{ receivers: ['log'] }]);
  });

  it('kind matches any anomaly kind of the incident', () => {
    expect(routeIncident(incident(), [route({ kind: ['latency'] }, ['perf'])])).toEqual([
      { receivers: ['perf'] },
    ]);
    expect(routeIncident(incident(), [route({ kind: ['scan', 'volume_low'] }, ['sec'])])).toEqual([]);
  });

  it('matches environment, group and every label', () => {
    const match = { environment: ['production'], group: ['availability'], labels: { team: 'payments' } };
    expect(routeIncident(incident(), [route(match, ['pd'])])).toEqual([{ receivers: ['pd'] }]);
    expect(
      routeIncident(incident(), [route({ ...match, labels: { team: 'payments', tier: '1' } }, ['pd'])]),
    ).toEqual([]);
    expect(routeIncident(incident(), [route({ ...match, group: ['security'] }, ['pd'])])).toEqual([]);
    const noEnvironment: Incident = { ...incident() };
    delete noEnvironment.environment;
    expect(routeIncident(noEnvironment, [route({ environment: ['production'] }, ['pd'])])).toEqual([]);
  });

  it('a label named like an Object property is just a missing label', () => {
    expect(routeIncident(incident(), [route({ labels: { constructor: 'x' } }, ['pd'])])).toEqual([]);
  });
});
