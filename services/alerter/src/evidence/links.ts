import type { IncidentAnomaly } from '@vigie/common';

/** Logs shown before an anomaly's start, so the drill-down includes what led to it. */
export const LINK_LEAD_MS = 5 * 60_000;

function base(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '');
}

/** The incident in the Vigie UI: `${publicUrl}/#/incidents?incident=<id>`. */
export function incidentLink(publicUrl: string, incidentId: string): string {
  return `${base(publicUrl)}/#/incidents?${new URLSearchParams({ incident: incidentId })}`;
}

/**
 * The anomaly's logs on the Search page: its query from 5 minutes before it started to its
 * end (or `now` while it is open). Parameters are encoded as the UI reads them
 * (URLSearchParams), so the query text cannot add parameters of its own.
 */
export function anomalyLogsLink(publicUrl: string, anomaly: IncidentAnomaly, now: number): string {
  // An unreadable time (the record came over the bus) must not cost the notification.
  const time = (iso: string | undefined) => {
    const ms = iso === undefined ? Number.NaN : Date.parse(iso);
    return Number.isFinite(ms) ? ms : now;
  };
  const from = time(anomaly.start) - LINK_LEAD_MS;
  const end = time(anomaly.end);
  const params = new URLSearchParams({
    q: anomaly.query,
    from: new Date(from).toISOString(),
    to: new Date(Math.max(end, from)).toISOString(),
  });
  return `${base(publicUrl)}/#/search?${params}`;
}
