import type { Incident } from '../../lib/alerting-api.js';

/** How long an incident lasted (or has lasted so far), e.g. `3h 12m`. */
export function incidentDurationMs(incident: Pick<Incident, 'openedAt' | 'resolvedAt'>, now: number): number {
  const end = incident.resolvedAt ? Date.parse(incident.resolvedAt) : now;
  return Math.max(0, end - Date.parse(incident.openedAt));
}

/** A duration in the largest two units: `45s`, `12m`, `3h 12m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** A number as the anomaly views show it: three significant digits, whole above 100. */
export function formatValue(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** `field=value` of a dimension, empty for the whole service. */
export function dimensionText(dimension: { field?: string; value?: string }): string {
  return dimension.field ? `${dimension.field}=${dimension.value ?? ''}` : '';
}
