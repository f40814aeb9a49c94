import type { Incident, Notification, NotificationAction, OutboxEntry } from '@vigie/common';
import { severityAtLeast } from './severity.js';

/**
 * What receivers are owed about an incident, comparing it with `incident.notified`
 * (what they were last told). The caller queues the action under `outboxId`, then
 * saves the incident with `notified` set to its status, severity and cycle.
 *
 * - open, nothing sent in this cycle (new or reopened) → `trigger`, unless silenced or
 *   suppressed (it triggers once the muting ends);
 * - open, louder than what was sent (escalated) → `trigger` again, unless muted or
 *   flapping;
 * - acknowledged after a trigger of this cycle → `acknowledge` (an acknowledged
 *   incident does not page again when it grows louder);
 * - resolved after a trigger of this cycle → `resolve` (even when muted since: the
 *   page must close).
 *
 * The first action of a cycle is always a trigger, so `notified.cycle === cycle` means
 * a trigger went out in this cycle.
 */
export function nextNotification(incident: Incident): NotificationAction | undefined {
  const told = incident.notified;
  const triggered = told !== undefined && told.cycle === incident.cycle;
  const muted = incident.silencedBy !== undefined || incident.suppressedBy !== undefined;
  switch (incident.status) {
    case 'resolved':
      return triggered && told.status !== 'resolved' ? 'resolve' : undefined;
    case 'acknowledged':
      return triggered && told.status === 'open' ? 'acknowledge' : undefined;
    case 'open': {
      if (muted) return undefined;
      if (!triggered) return 'trigger';
      const louder = !severityAtLeast(told.severity, incident.severity);
      return louder && !incident.flapping ? 'trigger' : undefined;
    }
  }
}

/**
 * The id of one notification for one receiver: the same receiver, incident, action,
 * cycle and severity always give the same id, so queuing it again (a replay, a restart)
 * adds nothing, and an escalation or a reopening is a new notification.
 */
export function outboxId(receiver: string, incident: Incident, action: NotificationAction): string {
  return `${receiver}|${incident.dedupKey}|${action}|${incident.cycle}|${incident.severity}`;
}

/** A notification for one receiver, waiting in the outbox to be sent now. */
export function pendingEntry(
  id: string,
  receiver: string,
  notification: Notification,
  now: number,
): OutboxEntry {
  return {
    id,
    receiver,
    incidentId: notification.incidentId,
    notification,
    status: 'pending',
    attempts: 0,
    createdAt: now,
    nextAttemptAt: now,
    version: 0,
  };
}
