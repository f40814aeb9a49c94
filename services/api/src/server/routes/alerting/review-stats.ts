import {
  ANOMALY_KINDS,
  type AnomalyCount,
  type AnomalyKind,
  compareCodeUnits,
  type Dimension,
  type Feedback,
  type TimeRange,
} from '@vigie/common';

/** The kinds a review reports on: every detector's, and log alert rules'. */
export type ReviewedKind = AnomalyKind | 'log_rule';

/** Every kind, in the order a review lists them. */
export const REVIEWED_KINDS: readonly ReviewedKind[] = [...ANOMALY_KINDS, 'log_rule'];

/** How one kind of anomaly fared with the people who reviewed it. */
export interface KindReview {
  kind: ReviewedKind;
  /** Anomalies that started in the range; null for log rules, whose anomalies are not stored. */
  raised: number | null;
  /** Anomalies given a verdict in the range (the newest verdict of each counts). */
  reviewed: number;
  expected: number;
  falseAlarms: number;
  /** `falseAlarms / reviewed`; null when none was reviewed. */
  falseAlarmRate: number | null;
  /**
   * `reviewed / raised`; null when nothing was raised or the raised count is unknown. It can
   * exceed 1: a verdict in the range may be on an anomaly raised before it.
   */
  reviewRate: number | null;
}

/** A (service, kind, dimension) that people called a false alarm. */
export interface NoisyScope {
  service: string;
  kind: ReviewedKind;
  dimension: Dimension;
  falseAlarms: number;
  reviewed: number;
}

/** The review of every detector over a range. */
export interface DetectorReview {
  kinds: KindReview[];
  /** By false alarms, then verdicts, then service, kind and dimension; at most `NOISIEST_SCOPES`. */
  noisiestScopes: NoisyScope[];
}

/** Scopes listed in a review. */
export const NOISIEST_SCOPES = 20;

/** The verdict of each anomaly given in the range: its newest (then the greatest id on a tie). */
export function latestVerdicts(feedback: readonly Feedback[], range: TimeRange): Feedback[] {
  const latest = new Map<string, { record: Feedback; at: number }>();
  for (const record of feedback) {
    const at = Date.parse(record.createdAt);
    if (!(at >= range.from && at <= range.to)) continue;
    const held = latest.get(record.anomalyId);
    if (!held || at > held.at || (at === held.at && record.id > held.record.id)) {
      latest.set(record.anomalyId, { record, at });
    }
  }
  return [...latest.values()].map((entry) => entry.record);
}

const ratio = (part: number, whole: number | null) => (whole === null || whole === 0 ? null : part / whole);
const scopeKey = (f: Feedback) =>
  JSON.stringify([f.service, f.kind, f.dimension.field ?? null, f.dimension.value ?? null]);

/**
 * The review from the anomalies raised in a range and the feedback recorded in it: pure,
 * the route reads both from the stores.
 */
export function reviewDetectors(
  raised: readonly AnomalyCount[],
  feedback: readonly Feedback[],
  range: TimeRange,
): DetectorReview {
  const verdicts = latestVerdicts(feedback, range);
  const kinds = REVIEWED_KINDS.map((kind): KindReview => {
    const ofKind = verdicts.filter((f) => f.kind === kind);
    const falseAlarms = ofKind.filter((f) => f.verdict === 'false_alarm').length;
    const raisedCount =
      kind === 'log_rule' ? null : raised.filter((c) => c.kind === kind).reduce((sum, c) => sum + c.count, 0);
    return {
      kind,
      raised: raisedCount,
      reviewed: ofKind.length,
      expected: ofKind.length - falseAlarms,
      falseAlarms,
      falseAlarmRate: ratio(falseAlarms, ofKind.length),
      reviewRate: ratio(ofKind.length, raisedCount),
    };
  });
  const scopes = new Map<string, NoisyScope>();
  for (const f of verdicts) {
    const key = scopeKey(f);
    const scope = scopes.get(key) ?? {
      service: f.service,
      kind: f.kind,
      dimension: { ...f.dimension },
      falseAlarms: 0,
      reviewed: 0,
    };
    scope.reviewed++;
    if (f.verdict === 'false_alarm') scope.falseAlarms++;
    scopes.set(key, scope);
  }
  const noisiestScopes = [...scopes.values()]
    .filter((scope) => scope.falseAlarms > 0)
    .sort(
      (a, b) =>
        b.falseAlarms - a.falseAlarms ||
        b.reviewed - a.reviewed ||
        compareCodeUnits(a.service, b.service) ||
        compareCodeUnits(a.kind, b.kind) ||
        compareCodeUnits(a.dimension.field ?? '', b.dimension.field ?? '') ||
        compareCodeUnits(a.dimension.value ?? '', b.dimension.value ?? ''),
    )
    .slice(0, NOISIEST_SCOPES);
  return { kinds, noisiestScopes };
}
