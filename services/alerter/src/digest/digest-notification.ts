import type { Incident, Notification, NotifiedDetails, OutboxEntry, Severity } from '@vigie/common';
import { summarySentence } from '../evidence/format.js';
import { incidentLink } from '../evidence/links.js';
import { pendingEntry } from '../incidents/notify.js';
import { maxSeverity } from '../incidents/severity.js';
import type { DigestWindow } from './window.js';

/** Incidents listed in one digest; receivers show fewer (20), the counts cover them all. */
export const DIGEST_ITEMS_MAX = 100;

/** What happened to one incident in a window, as its `notified` entries recorded it. */
export interface DigestEvent {
  at: number;
  kind: 'opened' | 'reopened' | 'escalated' | 'resolved';
  severity?: Severity;
}

type DigestItem = NonNullable<Notification['digest']>[number];

/** The key of one digest of one route: the dedup key receivers see, and the outbox entries' incident id. */
export function digestKey(routeIndex: number, window: DigestWindow): string {
  return `vigie-digest-route${routeIndex}-${new Date(window.start).toISOString()}`;
}

/** Receiver, route index and window start: queuing the digest again (replay, restart, another alerter) adds nothing. */
export function digestOutboxId(receiver: string, routeIndex: number, window: DigestWindow): string {
  return `${receiver}|digest|${routeIndex}|${new Date(window.start).toISOString()}`;
}

function eventKind(details: NotifiedDetails): DigestEvent['kind'] | undefined {
  if (details.action === 'resolve') return 'resolved';
  if (details.action !== 'trigger') return undefined;
  if (details.escalation) return 'escalated';
  return details.cycle > 1 ? 'reopened' : 'opened';
}

/**
 * The openings, escalations and resolutions of the incident that route `routeIndex`
 * summarises, in timeline order. Only what the incident flow queued counts, so silences,
 * feedback and flapping hold digests back exactly as they hold back messages.
 */
export function routeEvents(incident: Incident, routeIndex: number): DigestEvent[] {
  const events: DigestEvent[] = [];
  for (const entry of incident.timeline) {
    const details = entry.notification;
    if (entry.type !== 'notified' || !details?.digestRoutes.includes(routeIndex)) continue;
    const kind = eventKind(details);
    const at = Date.parse(entry.at);
    if (kind && Number.isFinite(at)) {
      events.push({ at, kind, ...(entry.severity !== undefined && { severity: entry.severity }) });
    }
  }
  return events;
}

/** {@link routeEvents} inside the window. */
export function digestEvents(incident: Incident, routeIndex: number, window: DigestWindow): DigestEvent[] {
  return routeEvents(incident, routeIndex).filter((e) => e.at >= window.start && e.at < window.end);
}

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

function eventText(event: DigestEvent): string {
  const to = event.kind === 'escalated' && event.severity ? ` to ${event.severity}` : '';
  return `${event.kind}${to} ${clock(event.at)}`;
}

/** One line of the digest: the incident as it is now, and what happened to it in the window. */
export function digestItem(
  incident: Incident,
  events: readonly DigestEvent[],
  publicUrl: string,
): DigestItem {
  const history = events.map(eventText).join(', ');
  return {
    incidentId: incident.id,
    title: incident.title,
    service: incident.service,
    severity: incident.severity,
    status: incident.status,
    summary: `${history.charAt(0).toUpperCase()}${history.slice(1)} UTC: ${summarySentence(incident)}`,
    link: incidentLink(publicUrl, incident.id),
  };
}

/** An incident of the digest with what happened to it. */
export interface DigestSubject {
  incident: Incident;
  events: DigestEvent[];
}

/** What one digest notification is made of. */
export interface DigestContent {
  routeIndex: number;
  window: DigestWindow;
  /** Non-empty; in the order the incidents first changed in the window. */
  subjects: DigestSubject[];
  publicUrl: string;
  environment?: string;
  labels: Record<string, string>;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function utc(at: number): string {
  return new Date(at).toISOString().replace('.000Z', 'Z');
}

/** The `digest` notification of one route and window: one message listing its incidents. */
export function digestNotification(content: DigestContent): Notification {
  const { subjects, window } = content;
  const incidents = subjects.map((s) => s.incident);
  const counts = (['opened', 'reopened', 'escalated', 'resolved'] as const)
    .map((kind) => [kind, subjects.filter((s) => s.events.some((e) => e.kind === kind)).length] as const)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${kind}`);
  const services = [...new Set(incidents.map((i) => i.service))];
  const key = digestKey(content.routeIndex, window);
  const base = content.publicUrl.replace(/\/+$/, '');
  return {
    action: 'digest',
    incidentId: key,
    dedupKey: key,
    title: `Digest: ${plural(incidents.length, 'incident')} from ${utc(window.start)} to ${utc(window.end)}`,
    service: services.length === 1 ? (services[0] ?? '') : plural(services.length, 'service'),
    ...(content.environment !== undefined && { environment: content.environment }),
    severity: incidents.map((i) => i.severity).reduce(maxSeverity, 'info'),
    status: incidents.every((i) => i.status === 'resolved') ? 'resolved' : 'open',
    openedAt: new Date(window.start).toISOString(),
    summary: `${plural(incidents.length, 'incident')} in this window: ${counts.join(', ')}.`,
    evidence: [],
    link: `${base}/#/incidents`,
    labels: { ...content.labels },
    digest: subjects
      .slice(0, DIGEST_ITEMS_MAX)
      .map((s) => digestItem(s.incident, s.events, content.publicUrl)),
  };
}

/** The digest's outbox entries, one per receiver of the route. */
export function digestEntries(
  receivers: readonly string[],
  content: DigestContent,
  now: number,
): OutboxEntry[] {
  const notification = digestNotification(content);
  return receivers.map((receiver) =>
    pendingEntry(digestOutboxId(receiver, content.routeIndex, content.window), receiver, notification, now),
  );
}
