import type { Incident, IncidentAnomaly } from '@vigie/common';
import { describeAnomaly, titleOf } from './describe.js';
import { dedupKeyOf, groupOf, type IncomingAnomaly, toIncidentAnomaly } from './grouping.js';
import { recordTransition, updateQuiet } from './lifecycle.js';
import type { IncidentPolicy } from './policy.js';
import { maxSeverity, severityAtLeast } from './severity.js';
import { entry, withEntries } from './timeline.js';

/** What applying one anomaly version did. */
export interface AppliedAnomaly {
  incident: Incident;
  /** False when the version was seen already (a replay) or is older: nothing to save. */
  changed: boolean;
}

/**
 * True when `incoming` adds nothing to `known`: the same version replayed, or an older
 * one arriving late. At equal `updated` a close wins over an open.
 */
function isSeenAlready(known: IncidentAnomaly, incoming: IncidentAnomaly): boolean {
  const knownAt = Date.parse(known.updated);
  const incomingAt = Date.parse(incoming.updated);
  if (incomingAt < knownAt) return true;
  if (incomingAt > knownAt) return false;
  return incoming.state === known.state || incoming.state === 'open';
}

/** When the anomaly changed state, by event time (the alerter's clock when unreadable). */
function eventTime(anomaly: IncidentAnomaly, now: number): number {
  const at = Date.parse(anomaly.updated);
  return Number.isNaN(at) ? now : at;
}

function openIncident(
  anomaly: IncomingAnomaly,
  incoming: IncidentAnomaly,
  now: number,
  policy: IncidentPolicy,
) {
  const id = dedupKeyOf(anomaly);
  const at = new Date(now).toISOString();
  const base: Incident = {
    id,
    dedupKey: id,
    service: anomaly.service,
    ...(policy.environment !== undefined && { environment: policy.environment }),
    group: groupOf(anomaly.kind),
    title: titleOf({ service: anomaly.service, anomalies: [incoming] }),
    status: 'open',
    severity: incoming.severity,
    cycle: 1,
    openedAt: at,
    updatedAt: at,
    anomalies: [incoming],
    timeline: [
      entry(now, 'opened', `Opened by ${describeAnomaly(incoming)}`, {
        anomalyId: incoming.id,
        severity: incoming.severity,
      }),
    ],
    labels: { ...policy.labels },
    flapping: false,
    transitions: [eventTime(incoming, now)],
    version: 0,
  };
  if (incoming.state === 'open') return { incident: base, changed: true };
  // A close whose open this alerter never saw (its incident aged out of the candidates,
  // or a replay of old records): history, not news. Nothing to save or notify.
  return {
    incident: { ...base, status: 'resolved' as const, resolvedAt: at, transitions: [] },
    changed: false,
  };
}

/** The incident reopened for a new cycle by `incoming`. */
function reopen(incident: Incident, incoming: IncidentAnomaly, now: number): Incident {
  const {
    resolvedAt: _resolvedAt,
    resolvedBy: _resolvedBy,
    acknowledgedAt: _acknowledgedAt,
    acknowledgedBy: _acknowledgedBy,
    quietSince: _quietSince,
    ...rest
  } = incident;
  const cycle = incident.cycle + 1;
  const severity = incident.anomalies
    .filter((a) => a.state === 'open')
    .reduce((loudest, a) => maxSeverity(loudest, a.severity), incoming.severity);
  return withEntries(
    { ...rest, status: 'open', cycle, severity },
    now,
    entry(now, 'reopened', `Reopened (cycle ${cycle}) by ${describeAnomaly(incoming)}`, {
      anomalyId: incoming.id,
      severity,
    }),
  );
}

/**
 * Files one anomaly version under `incident` (undefined: it opens a new one, whose id
 * and dedup key derive from this first anomaly). Keeps the latest version of each
 * anomaly, writes the change to the timeline, raises the severity to the loudest open
 * anomaly (never lowers it while the incident is active), counts open/close
 * transitions for flapping, starts or ends the quiet period, and reopens a resolved
 * incident (cycle + 1) when one of its anomalies opens or grows louder than it was.
 * Pure: `now` is the alerter's clock, epoch ms.
 */
export function applyAnomaly(
  incident: Incident | undefined,
  anomaly: IncomingAnomaly,
  now: number,
  policy: IncidentPolicy,
): AppliedAnomaly {
  const incoming = toIncidentAnomaly(anomaly);
  if (!incident) return openIncident(anomaly, incoming, now, policy);
  const known = incident.anomalies.find((a) => a.id === incoming.id);
  if (known && isSeenAlready(known, incoming)) return { incident, changed: false };

  const wasOpen = known?.state === 'open';
  const opens = incoming.state === 'open' && !wasOpen;
  const closes = incoming.state === 'closed' && wasOpen;
  const anomalies = known
    ? incident.anomalies.map((a) => (a.id === incoming.id ? incoming : a))
    : [...incident.anomalies, incoming];
  let next: Incident = { ...incident, anomalies };
  const details = { anomalyId: incoming.id, severity: incoming.severity };
  const louder = incoming.state === 'open' && !severityAtLeast(incident.severity, incoming.severity);

  if (incident.status === 'resolved' && (opens || louder)) {
    next = reopen(next, incoming, now);
  } else {
    const type = opens
      ? 'anomaly_opened'
      : incoming.state === 'closed'
        ? 'anomaly_closed'
        : 'anomaly_updated';
    next = withEntries(next, now, entry(now, type, describeAnomaly(incoming), details));
    if (louder && incident.status !== 'resolved') {
      next = withEntries(
        { ...next, severity: incoming.severity },
        now,
        entry(now, 'escalated', `Escalated from ${incident.severity} to ${incoming.severity}`, details),
      );
    }
  }
  if (opens || closes) next = recordTransition(next, eventTime(incoming, now), now, policy);
  next = updateQuiet(next, now, policy);
  return { incident: { ...next, title: titleOf(next) }, changed: true };
}
