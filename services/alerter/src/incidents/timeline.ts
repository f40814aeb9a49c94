import type { Incident, Severity, TimelineEntry, TimelineEntryType } from '@vigie/common';
import { clip } from './describe.js';

/** Longest text of an entry written by the alerter. */
export const MAX_ENTRY_TEXT = 300;
/** Longest text of an entry written by a person (comments, ack and resolve notes). */
export const MAX_USER_TEXT = 2000;
/**
 * Entries kept per incident. A long incident rewrites its document on every anomaly
 * update; beyond this the oldest entries go, except the first ('opened').
 */
export const MAX_TIMELINE = 500;

/** Fields of an entry besides when and what. */
export interface EntryDetails {
  actor?: string;
  anomalyId?: string;
  severity?: Severity;
}

/** A timeline entry at `now` with its text cut to size. */
export function entry(
  now: number,
  type: TimelineEntryType,
  text: string,
  details: EntryDetails = {},
  maxText = MAX_ENTRY_TEXT,
): TimelineEntry {
  return {
    at: new Date(now).toISOString(),
    type,
    text: clip(text, maxText),
    ...(details.actor !== undefined && { actor: details.actor }),
    ...(details.anomalyId !== undefined && { anomalyId: details.anomalyId }),
    ...(details.severity !== undefined && { severity: details.severity }),
  };
}

/**
 * The timeline with `added` at its end. Successive updates of one anomaly replace each
 * other (the latest figures are what matters; detection updates every minute), and the
 * timeline is capped at MAX_TIMELINE entries.
 */
export function appendTimeline(
  timeline: readonly TimelineEntry[],
  ...added: TimelineEntry[]
): TimelineEntry[] {
  const next = [...timeline];
  for (const item of added) {
    const last = next.at(-1);
    const coalesces =
      item.type === 'anomaly_updated' &&
      last?.type === 'anomaly_updated' &&
      last.anomalyId === item.anomalyId;
    if (coalesces) next[next.length - 1] = item;
    else next.push(item);
  }
  if (next.length <= MAX_TIMELINE) return next;
  return [...next.slice(0, 1), ...next.slice(next.length - (MAX_TIMELINE - 1))];
}

/** The incident with entries added and `updatedAt` moved to `now`. */
export function withEntries(incident: Incident, now: number, ...added: TimelineEntry[]): Incident {
  return {
    ...incident,
    updatedAt: new Date(now).toISOString(),
    timeline: appendTimeline(incident.timeline, ...added),
  };
}
