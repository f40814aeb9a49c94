import type { Feedback, Incident, Silence } from '@vigie/common';
import { feedbackMatches } from '../routing/feedback.js';
import { silenceMatches } from '../routing/silence.js';
import { entry, withEntries } from './timeline.js';

function applySilences(incident: Incident, silences: readonly Silence[], now: number): Incident {
  const current = silences.find((s) => s.id === incident.silencedBy && silenceMatches(s, incident, now));
  const silence = current ?? silences.find((s) => silenceMatches(s, incident, now));
  if (silence?.id === incident.silencedBy) return incident;
  if (silence) {
    const why = silence.comment.trim() === '' ? '' : `: ${silence.comment.trim()}`;
    return withEntries(
      { ...incident, silencedBy: silence.id },
      now,
      entry(now, 'silenced', `Silenced by ${silence.id} (by ${silence.createdBy})${why}`),
    );
  }
  const { silencedBy: ended, ...rest } = incident;
  return withEntries(rest, now, entry(now, 'silenced', `Silence ${ended} no longer applies`));
}

function applyFeedback(incident: Incident, feedback: readonly Feedback[], now: number): Incident {
  const open = incident.anomalies.filter((a) => a.state === 'open');
  // Quiet incidents keep their state: nothing new to page about until an anomaly opens.
  if (open.length === 0) return incident;
  const suppressors = open.map((a) =>
    feedback.find((f) =>
      feedbackMatches(f, { service: incident.service, kind: a.kind, dimension: a.dimension }, now),
    ),
  );
  const suppressor = suppressors.every((f) => f !== undefined) ? suppressors[0] : undefined;
  if (suppressor?.id === incident.suppressedBy) return incident;
  if (suppressor) {
    const verdict = suppressor.verdict === 'expected' ? 'expected' : 'a false alarm';
    return withEntries(
      { ...incident, suppressedBy: suppressor.id },
      now,
      entry(
        now,
        'suppressed',
        `Suppressed: ${suppressor.createdBy} marked this as ${verdict} until ${suppressor.expiresAt}`,
      ),
    );
  }
  const { suppressedBy: ended, ...rest } = incident;
  return withEntries(
    rest,
    now,
    entry(now, 'suppressed', `Feedback ${ended} no longer covers every open anomaly`),
  );
}

/**
 * Sets or clears `silencedBy` (the first silence in force that matches, keeping the
 * current one while it still does) and `suppressedBy` (feedback in force that covers
 * the service, kind and dimension of EVERY open anomaly: one anomaly nobody vouched
 * for is enough to page). Muted incidents are recorded but not triggered. Resolved
 * incidents keep what muted them. Returns the incident itself when nothing changed.
 */
export function applyMuting(
  incident: Incident,
  silences: readonly Silence[],
  feedback: readonly Feedback[],
  now: number,
): Incident {
  if (incident.status === 'resolved') return incident;
  return applyFeedback(applySilences(incident, silences, now), feedback, now);
}
