import { type Anomaly, DetectionEngine } from '@vigie/detect';
import { defaultShop, generateTraffic, type Incident } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';

const START = Date.parse('2026-01-05T06:00:00Z');
const HOUR = 3_600_000;
const DEPLOY_AT = START + 3 * HOUR;
const INCIDENT_AT = DEPLOY_AT + 2 * 60_000;
const SERVICES = defaultShop()
  .filter((s) => s.name === 'shop-api')
  .map((s) => ({ ...s, peakEventsPerSecond: s.peakEventsPerSecond * 20 }));
const SPIKE: Incident = {
  kind: 'error-ratio',
  service: 'shop-api',
  route: 'POST /api/orders',
  from: INCIDENT_AT,
  to: START + 4 * HOUR,
  errorRatio: 0.1,
};

/** Runs the shop API through an engine; `atDeploy` is called when event time reaches the deploy. */
function run(incidents: Incident[], atDeploy?: (engine: DetectionEngine) => void): Anomaly[] {
  const engine = new DetectionEngine();
  const opened = new Map<string, Anomaly>();
  let deployed = false;
  let i = 0;
  const scenario = {
    seed: 5,
    start: START,
    durationMs: 3.25 * HOUR,
    services: SERVICES,
    incidents,
    dailyAmplitude: 0,
  };
  for (const event of generateTraffic(scenario)) {
    if (!deployed && Date.parse(event['@timestamp']) >= DEPLOY_AT) {
      deployed = true;
      atDeploy?.(engine);
    }
    engine.ingest({ id: `e${i++}`, event });
  }
  for (const anomaly of engine.drain().anomalies)
    if (!opened.has(anomaly.id)) opened.set(anomaly.id, anomaly);
  return [...opened.values()];
}

const ordersSpike = (anomalies: Anomaly[]) =>
  anomalies.find((a) => a.kind === 'error_spike' && a.dimension.value === '/api/orders');

// Three runs of three hours of a busy API: seconds each, more on a loaded machine.
describe('change awareness', { timeout: 120_000 }, () => {
  it('says that an anomaly started soon after a new version showed up in the logs', () => {
    const anomalies = run([{ kind: 'deploy', service: 'shop-api', at: DEPLOY_AT, version: '2.4.0' }, SPIKE]);
    const spike = ordersSpike(anomalies);
    expect(spike, anomalies.map((a) => a.explanation).join('\n')).toBeDefined();
    expect(spike?.change).toMatchObject({ service: 'shop-api', version: '2.4.0', source: 'logs' });
    expect(spike?.explanation).toMatch(/started \d+ s after shop-api 2\.4\.0 rolled out\.$/);
  });

  it('names a posted deploy marker', () => {
    const anomalies = run([SPIKE], (engine) =>
      engine.addDeploy({ service: 'shop-api', version: '2.4.1', at: DEPLOY_AT, source: 'deploy' }),
    );
    const spike = ordersSpike(anomalies);
    expect(spike?.change).toMatchObject({ version: '2.4.1', source: 'deploy' });
    expect(spike?.explanation).toMatch(/after shop-api 2\.4\.1 was deployed\.$/);
  });

  it('says nothing when no version changed', () => {
    const spike = ordersSpike(run([SPIKE]));
    expect(spike).toBeDefined();
    expect(spike?.change).toBeUndefined();
    expect(spike?.explanation).not.toMatch(/after/);
  });
});
