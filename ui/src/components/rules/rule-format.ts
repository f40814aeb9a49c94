// Pure helpers of the Rules tab: how a rule reads in the list, and the form's text fields
// (window, labels) to and from what the API takes.

import type { AlertRule, Incident, RuleCondition, RuleInput } from '../../lib/alerting-api.js';
import { ApiError } from '../../lib/api.js';

/** Units of the window field, largest first (a window is shown in the largest that divides it). */
export const WINDOW_UNITS = [
  { id: 'h', label: 'hours', ms: 3_600_000 },
  { id: 'm', label: 'minutes', ms: 60_000 },
  { id: 's', label: 'seconds', ms: 1000 },
] as const;
export type WindowUnit = (typeof WINDOW_UNITS)[number]['id'];

/** The bounds the API accepts for a window. */
export const WINDOW_MIN_MS = 10_000;
export const WINDOW_MAX_MS = 24 * 3_600_000;

/** A window as an amount of the largest unit that divides it: 300000 → { 5, 'm' }. */
export function splitWindow(ms: number): { amount: number; unit: WindowUnit } {
  const unit = WINDOW_UNITS.find((u) => ms % u.ms === 0) ?? WINDOW_UNITS[2];
  return { amount: ms / unit.ms, unit: unit.id };
}

/** `5m`, `1h`, `90s`. */
export function windowText(ms: number): string {
  const { amount, unit } = splitWindow(ms);
  return `${amount}${unit}`;
}

/** The window in ms of an amount and unit; null when out of the API's bounds. */
export function windowMs(amount: number, unit: WindowUnit): number | null {
  const ms = amount * (WINDOW_UNITS.find((u) => u.id === unit)?.ms ?? 1000);
  return Number.isInteger(ms) && ms >= WINDOW_MIN_MS && ms <= WINDOW_MAX_MS ? ms : null;
}

/** `count > 100`, `count < 3`, `anomalous count`. */
export function conditionText(condition: RuleCondition): string {
  if (condition.type === 'anomalous') return 'anomalous count';
  return `count ${condition.type === 'above' ? '>' : '<'} ${condition.threshold}`;
}

/** Labels as the form's text: one `key=value` a line. */
export function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
}

/** The labels of the form's text, or the first line that is not `key=value`. */
export function parseLabels(text: string): { labels: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    const key = at === -1 ? '' : line.slice(0, at).trim();
    if (!key) return { error: `Labels: "${line.trim()}" is not key=value` };
    labels[key] = line.slice(at + 1).trim();
  }
  return { labels };
}

/** What PUT /api/rules/:id takes to keep a rule as it is (plus `changes`). */
export function inputOf(rule: AlertRule, changes: Partial<RuleInput> = {}): RuleInput {
  const { name, query, service, windowMs, condition, severity, enabled, labels } = rule;
  return { name, query, service, windowMs, condition, severity, enabled, labels, ...changes };
}

/** The message of a failed call; a 403 says plainly who may manage rules. */
export function failureText(error: unknown): string {
  if (error instanceof ApiError && error.status === 403)
    return `Only an admin can create, change or delete log alert rules: your API key's role does not allow it (${error.message}).`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The most recently updated incident each rule raised, by rule id: rule anomalies carry
 * the rule id as their dimension (`rule=<id>`), which survives renames.
 */
export function lastIncidents(incidents: Incident[]): Map<string, Incident> {
  const byRule = new Map<string, Incident>();
  for (const incident of incidents) {
    for (const anomaly of incident.anomalies) {
      const ruleId = anomaly.dimension.field === 'rule' ? anomaly.dimension.value : undefined;
      if (anomaly.kind !== 'log_rule' || !ruleId) continue;
      const known = byRule.get(ruleId);
      if (!known || known.updatedAt < incident.updatedAt) byRule.set(ruleId, incident);
    }
  }
  return byRule;
}
