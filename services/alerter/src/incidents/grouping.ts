import { createHash } from 'node:crypto';
import type { Anomaly, Incident, IncidentAnomaly, IncidentGroup } from '@vigie/common';
import type { IncidentPolicy } from './policy.js';

/**
 * An anomaly as the alerter receives it: from detection (`vigie.anomalies`) or from a
 * log alert rule, whose records carry the kind `log_rule`.
 */
export type IncomingAnomaly = Omit<Anomaly, 'kind'> & { kind: IncidentAnomaly['kind'] };

const GROUPS: Record<IncidentAnomaly['kind'], IncidentGroup> = {
  error_spike: 'availability',
  latency: 'availability',
  volume_high: 'availability',
  volume_low: 'availability',
  new_pattern: 'availability',
  brute_force: 'security',
  password_spraying: 'security',
  scan: 'security',
  log_rule: 'rule',
};

/** The family an anomaly kind belongs to: anomalies of one service and one family share an incident. */
export function groupOf(kind: IncidentAnomaly['kind']): IncidentGroup {
  return GROUPS[kind];
}

// Anomalies are small, but contributor and sample lists come from detection unbounded
// in principle; an incident document must stay small enough to rewrite every minute.
const MAX_CONTRIBUTORS = 10;
const MAX_SAMPLES = 10;

/** The latest version of an anomaly, as much of it as incidents and notifications use. */
export function toIncidentAnomaly(anomaly: IncomingAnomaly): IncidentAnomaly {
  const { dimension } = anomaly;
  // Detection keys a new pattern by its template id and gives the text as its one contributor.
  const template =
    anomaly.kind === 'new_pattern'
      ? anomaly.contributors.find((c) => c.field === 'template')?.value
      : undefined;
  return {
    id: anomaly.id,
    kind: anomaly.kind,
    dimension: { ...dimension },
    state: anomaly.state,
    severity: anomaly.severity,
    start: anomaly.start,
    ...(anomaly.end !== undefined && { end: anomaly.end }),
    updated: anomaly.updated,
    observed: anomaly.observed,
    expected: anomaly.expected,
    unit: anomaly.unit,
    explanation: anomaly.explanation,
    contributors: anomaly.contributors.slice(0, MAX_CONTRIBUTORS).map((c) => ({ ...c })),
    sampleEventIds: anomaly.sampleEventIds.slice(0, MAX_SAMPLES),
    query: anomaly.query,
    ...(template !== undefined && { template }),
  };
}

/**
 * The id and dedup key of the incident an anomaly opens: the same for the same first
 * anomaly version (a replay finds the same id), different for a later version of an
 * anomaly whose earlier incident is no longer a candidate (no clash with its id).
 */
export function dedupKeyOf(anomaly: IncomingAnomaly): string {
  const hash = createHash('sha256')
    .update([anomaly.service, groupOf(anomaly.kind), anomaly.id, anomaly.updated].join('\n'))
    .digest('hex');
  return `vigie-${hash.slice(0, 32)}`;
}

/** True while the incident can still gather anomalies without reopening. */
export function isActive(incident: Incident): boolean {
  return incident.status !== 'resolved';
}

function newestFirst(a: Incident, b: Incident, field: 'updatedAt' | 'resolvedAt'): number {
  const diff = Date.parse(b[field] ?? '') - Date.parse(a[field] ?? '');
  if (diff !== 0 && !Number.isNaN(diff)) return diff;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The incident an anomaly belongs to, among `candidates` (the incidents of its service:
 * active ones and those resolved within the grouping window). First the incident that
 * already holds this anomaly; else the active incident of the same service and group;
 * else one of them resolved less than `groupWindowMs` ago, which the anomaly reopens.
 * `undefined`: the anomaly opens a new incident.
 */
export function pickIncident(
  anomaly: IncomingAnomaly,
  candidates: readonly Incident[],
  now: number,
  policy: IncidentPolicy,
): Incident | undefined {
  const holding = candidates.filter((incident) => incident.anomalies.some((a) => a.id === anomaly.id));
  if (holding.length > 0) return [...holding].sort((a, b) => newestFirst(a, b, 'updatedAt'))[0];
  const group = groupOf(anomaly.kind);
  const related = candidates.filter((i) => i.service === anomaly.service && i.group === group);
  const active = related.filter(isActive).sort((a, b) => newestFirst(a, b, 'updatedAt'));
  if (active.length > 0) return active[0];
  return related
    .filter((i) => i.resolvedAt !== undefined && now - Date.parse(i.resolvedAt) < policy.groupWindowMs)
    .sort((a, b) => newestFirst(a, b, 'resolvedAt'))[0];
}
