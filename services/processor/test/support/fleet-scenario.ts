import type { Anomaly, AnomalyKind, LogEvent } from '@vigie/common';
import { DetectionEngine } from '@vigie/detect';
import { generateTraffic, type Incident, type ServiceProfile } from '@vigie/testkit';

// The scale-out scenario: 30 services at 5 events a second each, 300,000 events (about
// 33 minutes of event time), with error spikes and latency regressions injected into
// six of them once detection has had a quarter of an hour of baseline.

export const FLEET_START = Date.parse('2026-02-02T08:00:00Z');
const MINUTE = 60_000;
export const FLEET_SIZE = 300_000;
export const FLEET_SERVICES = 30;
/** Long enough for FLEET_SIZE events at the fleet's rate; the generator stops there. */
const DURATION_MS = 40 * MINUTE;

export const fleetService = (index: number) => `svc-${String(index).padStart(2, '0')}`;

function profile(index: number): ServiceProfile {
  return {
    name: fleetService(index),
    version: '1.0.0',
    kind: 'http-api',
    hosts: [`h${index}-a`, `h${index}-b`],
    peakEventsPerSecond: 5,
    routes: [
      {
        method: 'POST',
        path: '/api/orders',
        weight: 50,
        latencyMedianMs: 80,
        latencyP95Ms: 250,
        errorRatio: 0.004,
      },
      {
        method: 'GET',
        path: '/api/items/:id',
        weight: 50,
        latencyMedianMs: 20,
        latencyP95Ms: 60,
        errorRatio: 0.003,
      },
    ],
  };
}

/** An injected incident and the anomaly kind it must raise. */
export interface InjectedIncident {
  incident: Incident & { from: number; to: number };
  expected: AnomalyKind;
}

/** Spread over the run, so some start before the processors move partitions and some after. */
export const FLEET_INCIDENTS: InjectedIncident[] = [
  [3, 'error', 15],
  [7, 'latency', 17],
  [11, 'error', 19],
  [15, 'latency', 21],
  [19, 'error', 23],
  [23, 'latency', 25],
  [27, 'error', 27],
].map(([index, what, minute]) => {
  const service = fleetService(index as number);
  const from = FLEET_START + (minute as number) * MINUTE;
  const to = from + 3 * MINUTE;
  return what === 'error'
    ? {
        incident: { kind: 'error-ratio', service, route: 'POST /api/orders', from, to, errorRatio: 0.25 },
        expected: 'error_spike',
      }
    : {
        incident: { kind: 'latency', service, route: 'GET /api/items/:id', from, to, p95Ms: 600 },
        expected: 'latency',
      };
});

/** The scenario's FLEET_SIZE events, in event-time order. */
export function fleetEvents(): LogEvent[] {
  const events: LogEvent[] = [];
  for (const event of generateTraffic({
    seed: 8,
    start: FLEET_START,
    durationMs: DURATION_MS,
    services: Array.from({ length: FLEET_SERVICES }, (_, i) => profile(i)),
    incidents: FLEET_INCIDENTS.map((i) => i.incident),
    dailyAmplitude: 0,
  })) {
    events.push(event);
    if (events.length === FLEET_SIZE) return events;
  }
  throw new Error(`the fleet scenario generated only ${events.length} events`);
}

/**
 * The anomalies one uninterrupted engine per service raises over `events`, latest
 * version of each by id: what the processors must have written, however the partitions
 * moved (a service's series live in one engine whatever else shares its partition).
 */
export function referenceAnomalies(events: readonly LogEvent[]): Map<string, Anomaly> {
  const engines = new Map<string, DetectionEngine>();
  const found = new Map<string, Anomaly>();
  events.forEach((event, i) => {
    let engine = engines.get(event.service.name);
    if (!engine) {
      engine = new DetectionEngine();
      engines.set(event.service.name, engine);
    }
    engine.ingest({ id: String(i), event });
  });
  for (const engine of engines.values()) {
    for (const anomaly of engine.drain().anomalies) found.set(anomaly.id, anomaly);
  }
  return found;
}
