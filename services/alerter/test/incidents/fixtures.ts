import type { Incident, NotificationAction } from '@vigie/common';
import type { IncidentPolicy, IncomingAnomaly } from '../../src/incidents/index.js';
import { applyAnomaly, nextNotification, outboxId, pickIncident, tick } from '../../src/incidents/index.js';

/** 2026-03-02T10:00:00Z. */
export const T0 = Date.parse('2026-03-02T10:00:00Z');
export const MINUTE = 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();

export const policy: IncidentPolicy = {
  groupWindowMs: 15 * MINUTE,
  resolveAfterMs: 5 * MINUTE,
  flapTransitions: 6,
  flapWindowMs: 60 * MINUTE,
  environment: 'production',
  labels: { team: 'payments' },
};

/** A version of an anomaly; `at` is both its event time of update and, by default, its start. */
export function anomaly(overrides: Partial<IncomingAnomaly> & { at?: number } = {}): IncomingAnomaly {
  const { at = T0, ...rest } = overrides;
  return {
    id: 'a-errors',
    kind: 'error_spike',
    service: 'checkout',
    dimension: {},
    state: 'open',
    start: iso(at),
    updated: iso(at),
    score: 5,
    severity: 'warning',
    observed: 0.2,
    expected: 0.01,
    lower: 0,
    upper: 0.03,
    unit: 'ratio',
    windowMs: MINUTE,
    explanation: 'Error ratio 20% against 1% expected.',
    contributors: [],
    sampleEventIds: [],
    query: 'service.name:checkout AND log.level:error',
    ...rest,
  };
}

/** The closed version of `open`, at `at`. */
export function closed(open: IncomingAnomaly, at: number): IncomingAnomaly {
  return { ...open, state: 'closed', end: iso(at), updated: iso(at) };
}

/**
 * A store-less alerter: files anomalies the way the service does (pick among the
 * candidates, apply, keep) and queues what nextNotification() asks, recording every
 * outbox id, as the service sets `notified` after queuing.
 */
export class Harness {
  readonly incidents = new Map<string, Incident>();
  readonly queued: Array<{ id: string; action: NotificationAction; incidentId: string }> = [];

  constructor(readonly p: IncidentPolicy = policy) {}

  feed(a: IncomingAnomaly, now: number): Incident {
    const candidates = [...this.incidents.values()].filter(
      (i) =>
        i.service === a.service &&
        (i.status !== 'resolved' || now - Date.parse(i.updatedAt) < this.p.groupWindowMs),
    );
    const current = pickIncident(a, candidates, now, this.p);
    const { incident, changed } = applyAnomaly(current, a, now, this.p);
    if (changed) this.incidents.set(incident.id, incident);
    return this.reconcile(incident.id, now) ?? incident;
  }

  /** The periodic pass over one incident: tick, then queue what is owed. */
  reconcile(id: string, now: number): Incident | undefined {
    const stored = this.incidents.get(id);
    if (!stored) return undefined;
    let incident = tick(stored, now, this.p).incident;
    const action = nextNotification(incident);
    if (action) {
      this.queued.push({ id: outboxId('pager', incident, action), action, incidentId: id });
      incident = {
        ...incident,
        notified: { status: incident.status, severity: incident.severity, cycle: incident.cycle },
      };
    }
    this.incidents.set(id, incident);
    return incident;
  }

  reconcileAll(now: number): void {
    for (const id of [...this.incidents.keys()]) this.reconcile(id, now);
  }

  actions(): NotificationAction[] {
    return this.queued.map((q) => q.action);
  }
}
