import type { Dimension, Incident, IncidentAnomaly } from '@vigie/common';

// Short, plain-text descriptions for titles and timeline entries. They quote values
// from logs (service names, dimension values): they are data, and every renderer
// escapes them for its own format.

const KIND_LABELS: Record<IncidentAnomaly['kind'], string> = {
  error_spike: 'Error spike',
  latency: 'Latency',
  volume_high: 'Traffic surge',
  volume_low: 'Traffic drop',
  new_pattern: 'New error pattern',
  brute_force: 'Brute force',
  password_spraying: 'Password spraying',
  scan: 'Scan',
  log_rule: 'Log alert rule',
};

/** A human name for an anomaly kind ("Error spike"). */
export function kindLabel(kind: IncidentAnomaly['kind']): string {
  return KIND_LABELS[kind];
}

/** Cuts text to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A number rounded to 3 significant digits: 0.0421, 1230000. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const rounded = Number(value.toPrecision(3));
  return Math.abs(rounded) >= 1e21 ? rounded.toExponential(2) : String(rounded);
}

/** "url.path=/orders" or "" for the whole service. */
export function dimensionText(dimension: Dimension): string {
  if (dimension.field === undefined) return '';
  return clip(`${dimension.field}=${dimension.value ?? ''}`, 120);
}

/** "Error spike (url.path=/orders): observed 0.42 ratio, expected 0.01". */
export function describeAnomaly(anomaly: IncidentAnomaly): string {
  const dimension = dimensionText(anomaly.dimension);
  const where = dimension === '' ? '' : ` (${dimension})`;
  const unit = clip(anomaly.unit, 20);
  return `${kindLabel(anomaly.kind)}${where}: observed ${formatNumber(anomaly.observed)} ${unit}, expected ${formatNumber(anomaly.expected)}`;
}

/** "Error spike and latency on checkout": the kinds of the incident in order of arrival. */
export function titleOf(incident: Pick<Incident, 'service' | 'anomalies'>): string {
  const kinds = [...new Set(incident.anomalies.map((a) => a.kind))].map(kindLabel);
  const shown = kinds.slice(0, 3);
  const more = kinds.length - shown.length;
  const joined =
    shown.length <= 1
      ? (shown[0] ?? 'Anomaly')
      : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)?.toLowerCase()}`;
  return `${joined}${more > 0 ? ` (+${more})` : ''} on ${clip(incident.service, 100)}`;
}
