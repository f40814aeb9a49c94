import type { Dimension, Feedback, IncidentAnomaly } from '@vigie/common';

/** What feedback is scoped to: one kind of anomaly on one slice of one service. */
export interface FeedbackTarget {
  service: string;
  kind: IncidentAnomaly['kind'];
  dimension: Dimension;
}

/** True while `feedback` is in force (created, not expired) at `now`. */
export function feedbackActive(feedback: Feedback, now: number): boolean {
  return Date.parse(feedback.createdAt) <= now && now < Date.parse(feedback.expiresAt);
}

/**
 * True when `feedback` ("expected", "false alarm") suppresses `anomaly` at `now`: same
 * service, kind and dimension (field and value; both absent for a whole-service
 * anomaly), before its expiry.
 */
export function feedbackMatches(feedback: Feedback, anomaly: FeedbackTarget, now: number): boolean {
  return (
    feedbackActive(feedback, now) &&
    feedback.service === anomaly.service &&
    feedback.kind === anomaly.kind &&
    (feedback.dimension.field ?? '') === (anomaly.dimension.field ?? '') &&
    (feedback.dimension.value ?? '') === (anomaly.dimension.value ?? '')
  );
}
