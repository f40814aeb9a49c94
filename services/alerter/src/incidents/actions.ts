import type { Feedback, Incident } from '@vigie/common';
import { VigieError } from '@vigie/common';
import { entry, MAX_USER_TEXT, withEntries } from './timeline.js';

// What people do to incidents through the API. Each returns the incident to save
// (unchanged when the action has nothing to do, so retrying a request is harmless);
// the alerter then sees the new status and queues what receivers are owed.
// Like PagerDuty: an acknowledgement holds until the incident resolves (louder
// anomalies do not page again), and an incident reopened after it resolved pages anew.

/** An action that the incident's status does not allow (acknowledging a resolved incident). */
export class IncidentStateError extends VigieError {
  constructor(message: string) {
    super('VIGIE_ERR_INCIDENT_STATE', message, { httpStatus: 409 });
    this.name = 'IncidentStateError';
  }
}

/** An action whose text is unusable (an empty comment). */
export class IncidentActionError extends VigieError {
  constructor(message: string) {
    super('VIGIE_ERR_INVALID_ACTION', message, { httpStatus: 400 });
    this.name = 'IncidentActionError';
  }
}

function note(text: string, fallback: string): string {
  const trimmed = text.trim();
  return trimmed === '' ? fallback : trimmed;
}

/** The on-call is on it: notifications stop paging until it resolves. */
export function acknowledge(incident: Incident, actor: string, text: string, now: number): Incident {
  if (incident.status === 'resolved')
    throw new IncidentStateError('A resolved incident cannot be acknowledged');
  if (incident.status === 'acknowledged') return incident;
  return withEntries(
    {
      ...incident,
      status: 'acknowledged',
      acknowledgedAt: new Date(now).toISOString(),
      acknowledgedBy: actor,
    },
    now,
    entry(now, 'acknowledged', note(text, 'Acknowledged'), { actor }, MAX_USER_TEXT),
  );
}

/** Resolved by a person; a later anomaly of the same service and group reopens it. */
export function resolveByUser(incident: Incident, actor: string, text: string, now: number): Incident {
  if (incident.status === 'resolved') return incident;
  const { quietSince: _quietSince, ...rest } = incident;
  return withEntries(
    { ...rest, status: 'resolved', resolvedAt: new Date(now).toISOString(), resolvedBy: actor },
    now,
    entry(now, 'resolved', note(text, 'Resolved'), { actor }, MAX_USER_TEXT),
  );
}

/** Reopens a resolved incident by hand: a new cycle, notified like any reopening. */
export function reopenByUser(incident: Incident, actor: string, text: string, now: number): Incident {
  if (incident.status !== 'resolved') return incident;
  const {
    resolvedAt: _resolvedAt,
    resolvedBy: _resolvedBy,
    acknowledgedAt: _acknowledgedAt,
    acknowledgedBy: _acknowledgedBy,
    quietSince: _quietSince,
    ...rest
  } = incident;
  const cycle = incident.cycle + 1;
  const reopened = { ...rest, status: 'open' as const, cycle };
  const allClosed = incident.anomalies.every((a) => a.state === 'closed');
  return withEntries(
    // With every anomaly closed it counts as quiet from now, so it resolves again on its own.
    allClosed ? { ...reopened, quietSince: new Date(now).toISOString() } : reopened,
    now,
    entry(now, 'reopened', note(text, `Reopened (cycle ${cycle})`), { actor }, MAX_USER_TEXT),
  );
}

/** Adds a person's comment to the timeline. */
export function comment(incident: Incident, actor: string, text: string, now: number): Incident {
  const trimmed = text.trim();
  if (trimmed === '') throw new IncidentActionError('A comment needs text');
  return withEntries(incident, now, entry(now, 'comment', trimmed, { actor }, MAX_USER_TEXT));
}

/**
 * Writes a person's verdict on one of the incident's anomalies in its timeline, so the
 * post-incident review shows who judged what (the suppression itself is the feedback
 * record, which the alerter applies on its next pass).
 */
export function recordFeedback(incident: Incident, feedback: Feedback, now: number): Incident {
  const verdict = feedback.verdict === 'expected' ? 'expected' : 'a false alarm';
  const why = feedback.comment.trim() === '' ? '' : `: ${feedback.comment.trim()}`;
  const text = `Marked ${verdict} until ${feedback.expiresAt}${why}`;
  return withEntries(
    incident,
    now,
    entry(now, 'feedback', text, { actor: feedback.createdBy, anomalyId: feedback.anomalyId }, MAX_USER_TEXT),
  );
}
