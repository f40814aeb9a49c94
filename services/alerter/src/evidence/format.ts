import type { Dimension, Incident, IncidentAnomaly, Severity } from '@vigie/common';

/** What each kind measures, as the first words of a summary. */
const MEASURE: Record<IncidentAnomaly['kind'], string> = {
  error_spike: 'Error ratio',
  latency: 'Latency',
  volume_high: 'Traffic',
  volume_low: 'Traffic',
  new_pattern: 'New error pattern',
  brute_force: 'Brute-force logins',
  password_spraying: 'Password spraying',
  scan: 'Scanning',
  log_rule: 'Log rule',
};

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const twoSignificant = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 });

function number(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 10) return integer.format(value);
  if (magnitude >= 1 || magnitude === 0) return oneDecimal.format(value);
  return twoSignificant.format(value);
}

/**
 * A measured value with its unit, for people: ratios as percentages (`8.1 %`), times in
 * ms, counts with their noun (`1,240 events`). Deterministic (fixed locale).
 */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return `${value} ${unit}`;
  if (unit === 'ratio') return `${number(value * 100)} %`;
  return unit ? `${number(value)} ${unit}` : number(value);
}

/** Where an anomaly is: `on checkout`, `on checkout route /api/orders`, `from 10.0.0.7 on auth`. */
export function subjectOf(service: string, dimension: Dimension): string {
  const { field, value } = dimension;
  if (field === 'url.path' && value !== undefined) return `on ${service} route ${value}`;
  if (field === 'host.name' && value !== undefined) return `on ${service} host ${value}`;
  if (field === 'source.ip' && value !== undefined) return `from ${value} on ${service}`;
  if (field === 'user.name' && value !== undefined) return `for user ${value} on ${service}`;
  return `on ${service}`;
}

/** Cuts a text to `max` characters with an ellipsis, never inside a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Newest first: by `updated`, then by `start`, then by id for a stable order. */
export function newestFirst(a: IncidentAnomaly, b: IncidentAnomaly): number {
  return (
    Date.parse(b.updated) - Date.parse(a.updated) ||
    Date.parse(b.start) - Date.parse(a.start) ||
    a.id.localeCompare(b.id)
  );
}

/** The anomaly a summary speaks of: the most severe open one, the newest among equals; else the newest. */
export function headlineAnomaly(incident: Incident): IncidentAnomaly | undefined {
  const open = incident.anomalies.filter((a) => a.state === 'open');
  const pool = open.length > 0 ? open : incident.anomalies;
  return [...pool].sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || newestFirst(a, b),
  )[0];
}

const TEMPLATE_PREVIEW = 80;

/**
 * One sentence of what is wrong, observed against expected:
 * `Error ratio 8.1 % vs 0.5 % expected on checkout route POST /api/orders; 1 more anomaly open`.
 * Log rules speak through their own explanation (it names the rule and its condition).
 * The template of a new pattern is quoted: it is log text, receivers escape it.
 */
export function summarySentence(incident: Incident): string {
  const headline = headlineAnomaly(incident);
  if (!headline) return incident.title;
  let sentence: string;
  if (headline.kind === 'log_rule') {
    sentence = headline.explanation.replace(/\.$/, '');
  } else {
    const observed = formatValue(headline.observed, headline.unit);
    const expected = formatValue(headline.expected, headline.unit);
    sentence = `${MEASURE[headline.kind]} ${observed} vs ${expected} expected ${subjectOf(incident.service, headline.dimension)}`;
    if (headline.template) sentence += `: "${clip(headline.template, TEMPLATE_PREVIEW)}"`;
  }
  const othersOpen = incident.anomalies.filter((a) => a.state === 'open' && a.id !== headline.id).length;
  if (othersOpen > 0) sentence += `; ${othersOpen} more ${othersOpen === 1 ? 'anomaly' : 'anomalies'} open`;
  return sentence;
}
