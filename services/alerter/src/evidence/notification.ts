import type { Redactor } from '@vigie/collector';
import type {
  Incident,
  IncidentAnomaly,
  LogSearch,
  Notification,
  NotificationAction,
  NotificationEvidence,
} from '@vigie/common';
import { newestFirst, summarySentence } from './format.js';
import { anomalyLogsLink, incidentLink } from './links.js';
import { defaultSampleRedactor, fetchSampleLines } from './samples.js';

/** Anomalies with evidence in one notification. */
export const EVIDENCE_MAX = 5;
/** Contributors per anomaly. */
export const CONTRIBUTORS_MAX = 3;
/** How long sample lines may take before the notification goes without them. */
export const DEFAULT_SAMPLE_TIMEOUT_MS = 2_000;

/** What `buildNotification` reads from. */
export interface EvidenceDeps {
  /** Where sample log lines are read by id. */
  search: LogSearch;
  /** Base URL of the Vigie UI for drill-down links, e.g. `https://vigie.example.com`. */
  publicUrl: string;
  /** Epoch ms: the end of the drill-down range of open anomalies. */
  now: number;
  /** Masks secrets in sample lines; the collector's default rules when absent. */
  redact?: Redactor;
  /** Per notification; {@link DEFAULT_SAMPLE_TIMEOUT_MS} when absent. */
  sampleTimeoutMs?: number;
}

/**
 * The anomalies a notification shows evidence for, newest first, at most
 * {@link EVIDENCE_MAX}: the open ones, or the newest one when none is open (a resolve
 * still says what it was about).
 */
export function evidenceAnomalies(incident: Incident): IncidentAnomaly[] {
  const open = incident.anomalies.filter((a) => a.state === 'open').sort(newestFirst);
  if (open.length > 0) return open.slice(0, EVIDENCE_MAX);
  return [...incident.anomalies].sort(newestFirst).slice(0, 1);
}

/**
 * Everything a receiver needs to tell the on-call what is wrong without searching first:
 * a one-sentence summary (observed against expected), evidence per anomaly (top
 * contributors, the new template, up to three redacted sample lines) and drill-down
 * links. Sample lines come from the log search; when it fails or is slow the notification
 * is built without them and says so (`sampleLinesUnavailable`), it never fails for them.
 */
export async function buildNotification(
  incident: Incident,
  action: NotificationAction,
  deps: EvidenceDeps,
): Promise<Notification> {
  const redact = deps.redact ?? defaultSampleRedactor();
  const timeoutMs = deps.sampleTimeoutMs ?? DEFAULT_SAMPLE_TIMEOUT_MS;
  const evidence = await Promise.all(
    evidenceAnomalies(incident).map(async (anomaly): Promise<NotificationEvidence> => {
      const samples = await fetchSampleLines(deps.search, anomaly.sampleEventIds, redact, timeoutMs);
      return {
        anomalyId: anomaly.id,
        kind: anomaly.kind,
        dimension: { ...anomaly.dimension },
        observed: anomaly.observed,
        expected: anomaly.expected,
        unit: anomaly.unit,
        explanation: anomaly.explanation,
        contributors: [...anomaly.contributors]
          .sort((a, b) => b.share - a.share)
          .slice(0, CONTRIBUTORS_MAX)
          .map((c) => ({ ...c })),
        ...(anomaly.template !== undefined && { template: anomaly.template }),
        sampleLines: samples.lines,
        ...(samples.unavailable !== undefined && { sampleLinesUnavailable: samples.unavailable }),
        link: anomalyLogsLink(deps.publicUrl, anomaly, deps.now),
      };
    }),
  );
  return {
    action,
    incidentId: incident.id,
    dedupKey: incident.dedupKey,
    title: incident.title,
    service: incident.service,
    ...(incident.environment !== undefined && { environment: incident.environment }),
    severity: incident.severity,
    status: incident.status,
    openedAt: incident.openedAt,
    ...(incident.resolvedAt !== undefined && { resolvedAt: incident.resolvedAt }),
    summary: summarySentence(incident),
    evidence,
    link: incidentLink(deps.publicUrl, incident.id),
    labels: { ...incident.labels },
  };
}
