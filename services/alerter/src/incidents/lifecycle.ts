import type { Incident } from '@vigie/common';
import type { IncidentPolicy } from './policy.js';
import { entry, withEntries } from './timeline.js';

// Quiet, flapping and auto-resolve: the parts of an incident's life that follow from
// its anomalies and the clock rather than from one anomaly version.

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

/** Transitions still inside the flapping window at `now`. */
export function recentTransitions(incident: Incident, now: number, policy: IncidentPolicy): number[] {
  return incident.transitions.filter((at) => at > now - policy.flapWindowMs);
}

/**
 * Records one anomaly open/close transition that happened at `at` (event time, so a
 * backlog read after downtime does not look like flapping); marks the incident flapping
 * when the window ending at `now` holds `flapTransitions` of them.
 */
export function recordTransition(
  incident: Incident,
  at: number,
  now: number,
  policy: IncidentPolicy,
): Incident {
  const transitions = [...recentTransitions(incident, now, policy), at].filter(
    (t) => t > now - policy.flapWindowMs,
  );
  const next = { ...incident, transitions };
  if (incident.flapping || transitions.length < policy.flapTransitions) return next;
  return withEntries(
    { ...next, flapping: true },
    now,
    entry(
      now,
      'flapping',
      `Flapping: ${transitions.length} anomaly open/close transitions within ${minutes(policy.flapWindowMs)}; re-notification paused.`,
    ),
  );
}

/**
 * Sets `quietSince` when every anomaly of an active incident is closed, clears it when
 * one is open again (hysteresis: the incident stays open and is not triggered again).
 */
export function updateQuiet(incident: Incident, now: number, policy: IncidentPolicy): Incident {
  const anyOpen = incident.anomalies.some((a) => a.state === 'open');
  if (anyOpen && incident.quietSince !== undefined) {
    const { quietSince: _ended, ...rest } = incident;
    return rest;
  }
  if (anyOpen || incident.quietSince !== undefined || incident.status === 'resolved') return incident;
  return withEntries(
    { ...incident, quietSince: new Date(now).toISOString() },
    now,
    entry(now, 'quiet', `Every anomaly closed; resolves after ${minutes(policy.resolveAfterMs)} of quiet.`),
  );
}

/**
 * The periodic step: ends flapping once the transitions in the window fall under the
 * threshold, then resolves an incident quiet for `resolveAfterMs` (never while it
 * flaps, so a flapping series stays one incident). `changed` is false when nothing
 * happened, so the caller need not save.
 */
export function tick(
  incident: Incident,
  now: number,
  policy: IncidentPolicy,
): { incident: Incident; changed: boolean } {
  let next = incident;
  if (next.flapping) {
    const transitions = recentTransitions(next, now, policy);
    if (transitions.length < policy.flapTransitions) {
      next = withEntries(
        { ...next, flapping: false, transitions },
        now,
        entry(now, 'flapping', 'Flapping ended: anomalies have settled.'),
      );
    }
  }
  const quietFor = next.quietSince === undefined ? -1 : now - Date.parse(next.quietSince);
  if (next.status !== 'resolved' && !next.flapping && quietFor >= policy.resolveAfterMs) {
    const { quietSince: _resolved, ...rest } = next;
    next = withEntries(
      { ...rest, status: 'resolved', resolvedAt: new Date(now).toISOString() },
      now,
      entry(now, 'resolved', `Resolved: every anomaly closed for ${minutes(policy.resolveAfterMs)} or more.`),
    );
  }
  return { incident: next, changed: next !== incident };
}
