import { createHash } from 'node:crypto';
import type { AlertRule, Anomaly, IncidentAnomaly } from '@vigie/common';
import type { RulePoint, Run } from './runs.js';

/**
 * What a log alert rule raises: an anomaly record of kind `log_rule`, filed through the
 * same incident path as detected anomalies. `AnomalyKind` does not list `log_rule` (the
 * detection's exhaustive tables would have to name it), so the type widens the kind only.
 */
export type RuleAnomaly = Omit<Anomaly, 'kind'> & { kind: 'log_rule' };

/** The dimension field of rule anomalies; the value is the rule id (stable across renames). */
export const RULE_DIMENSION_FIELD = 'rule';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A short hash of what decides when a rule fires (query, window, condition): an edited
 * rule starts new runs with new ids instead of continuing those of its former self.
 */
export function definitionHash(rule: AlertRule): string {
  const definition = JSON.stringify([rule.query, rule.windowMs, rule.condition]);
  return createHash('sha256').update(definition).digest('hex').slice(0, 8);
}

/** `log_rule:<rule id>:<definition hash>:<first window end, epoch ms>`: the same run always gets the same id. */
export function ruleAnomalyId(rule: AlertRule, runStart: number): string {
  return `log_rule:${rule.id}:${definitionHash(rule)}:${runStart}`;
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** One sentence for people: the rule's name, the count, and what the condition expected. */
export function ruleExplanation(rule: AlertRule, point: RulePoint, state: 'open' | 'closed'): string {
  const counted = `Log rule "${rule.name}": ${point.count} matching events in ${duration(rule.windowMs)}`;
  const { condition } = rule;
  if (condition.type === 'anomalous') {
    const band = `${round(Math.max(0, point.lower))} to ${round(point.upper)}`;
    return state === 'open'
      ? `${counted} against about ${round(point.expected)} expected (normal ${band}).`
      : `${counted}, back within the normal ${band}.`;
  }
  const threshold = `${condition.type} the threshold of ${condition.threshold}`;
  return state === 'open' ? `${counted}, ${threshold}.` : `${counted}, no longer ${threshold}.`;
}

/**
 * The version of a run's anomaly: `open` as of its first point, `closed` as of the point
 * that ended it. Times are grid times (event time), never the evaluation's wall clock, so
 * evaluating again after a restart yields the same versions and the incident path sees a
 * replay.
 */
export function ruleAnomaly(rule: AlertRule, run: Run, end?: RulePoint): RuleAnomaly {
  const shown = end ?? run.first;
  const start = run.first.time;
  return {
    id: ruleAnomalyId(rule, start),
    kind: 'log_rule',
    service: rule.service,
    dimension: { field: RULE_DIMENSION_FIELD, value: rule.id },
    state: end ? 'closed' : 'open',
    start: iso(start),
    ...(end && { end: iso(end.time) }),
    updated: iso(shown.time),
    score: run.first.score,
    severity: rule.severity,
    observed: shown.count,
    expected: shown.expected,
    lower: shown.lower,
    upper: shown.upper,
    unit: 'events',
    windowMs: rule.windowMs,
    explanation: ruleExplanation(rule, shown, end ? 'closed' : 'open'),
    contributors: [],
    sampleEventIds: [...run.sampleEventIds],
    query: rule.query,
  };
}

/**
 * The close of a rule anomaly that an incident holds open but no current run continues
 * (its rule was deleted or edited, or the run ended or outlived the lookback while the
 * alerter was down): without it the incident would never resolve.
 */
export function strayClosed(service: string, anomaly: IncidentAnomaly, now: number): RuleAnomaly {
  const end = iso(Math.max(now, Date.parse(anomaly.updated) + 1));
  return {
    id: anomaly.id,
    kind: 'log_rule',
    service,
    dimension: { ...anomaly.dimension },
    state: 'closed',
    start: anomaly.start,
    end,
    updated: end,
    score: 0,
    severity: anomaly.severity,
    observed: anomaly.observed,
    expected: anomaly.expected,
    lower: anomaly.expected,
    upper: anomaly.expected,
    unit: anomaly.unit,
    windowMs: 0,
    explanation: 'Closed by the alerter on start: no current run of its log rule continues it.',
    contributors: [],
    sampleEventIds: [...anomaly.sampleEventIds],
    query: anomaly.query,
  };
}
