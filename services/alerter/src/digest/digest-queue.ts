import type { AlerterConfig, AlertStore, Incident, Logger, OutboxEntry } from '@vigie/common';
import { type DigestEvent, type DigestSubject, digestEntries, routeEvents } from './digest-notification.js';
import { type DigestWindow, dueWindows, windowOf } from './window.js';

/** Wait after a window's end before its digest is built, for writes still under way then. */
export const DIGEST_SETTLE_MS = 5_000;
/** How far back a (re)started alerter builds the digests of windows it may have missed. */
export const DIGEST_LOOKBACK_MS = 60 * 60_000;
/** Incidents read for one pass; more updated since the oldest due window are left out (and logged). */
const INCIDENTS_MAX = 1000;

/** What the digest queue needs. */
export interface DigestQueueOptions {
  store: AlertStore;
  config: Pick<AlerterConfig, 'routes' | 'publicUrl' | 'environment' | 'labels'>;
  logger: Logger;
  onQueued?: (entries: OutboxEntry[]) => void;
  settleMs?: number;
  lookbackMs?: number;
}

interface DueDigest {
  routeIndex: number;
  receivers: string[];
  window: DigestWindow;
}

/**
 * Queues the digests of routes in digest mode. A digest is rebuilt from the store (the
 * `notified` timeline entries of incidents) once its window has ended, and queued under
 * an id made of receiver, route index and window start, so a restart, a replay or a
 * second alerter queues it once. Nothing is kept in memory but which windows this
 * process already handled, to avoid reading them again.
 */
export class DigestQueue {
  private readonly handled = new Map<string, number>();
  private readonly settleMs: number;

  constructor(private readonly options: DigestQueueOptions) {
    this.settleMs = options.settleMs ?? DIGEST_SETTLE_MS;
  }

  /** Queues every digest due at `now` not handled yet; returns the entries it added. */
  async queueDue(now: number): Promise<OutboxEntry[]> {
    const due = this.dueDigests(now);
    if (due.length === 0) return [];
    const { store, logger } = this.options;
    const since = Math.min(...due.map((d) => d.window.start));
    const incidents = await store.listIncidents({ since, limit: INCIDENTS_MAX });
    if (incidents.length === INCIDENTS_MAX) {
      logger.warn({ since, limit: INCIDENTS_MAX }, 'Digests list only the most recently updated incidents.');
    }
    const added: OutboxEntry[] = [];
    for (const [routeIndex, digests] of byRoute(due)) {
      const digestMs = (digests[0]?.window.end ?? 0) - (digests[0]?.window.start ?? 0);
      const subjects = subjectsByWindow(incidents, routeIndex, digestMs);
      for (const digest of digests) {
        const inWindow = subjects.get(digest.window.start) ?? [];
        if (inWindow.length > 0) added.push(...(await this.enqueue(digest, inWindow, now)));
        this.handled.set(handledKey(digest), digest.window.end);
      }
    }
    // Windows ending before the longest lookback are never due again.
    for (const [key, end] of this.handled)
      if (end <= now - this.longestLookbackMs()) this.handled.delete(key);
    return added;
  }

  private async enqueue(digest: DueDigest, subjects: DigestSubject[], now: number): Promise<OutboxEntry[]> {
    const { store, config, onQueued } = this.options;
    const entries = digestEntries(
      digest.receivers,
      {
        routeIndex: digest.routeIndex,
        window: digest.window,
        subjects,
        publicUrl: config.publicUrl,
        ...(config.environment !== undefined && { environment: config.environment }),
        labels: config.labels,
      },
      now,
    );
    // Queued before by this or another alerter: enqueue would leave it as it is anyway,
    // the check only keeps it from being counted twice.
    const existing = await Promise.all(entries.map((entry) => store.getOutbox(entry.id)));
    const missing = entries.filter((_, i) => existing[i] === undefined);
    if (missing.length === 0) return [];
    await store.enqueue(missing);
    onQueued?.(missing);
    return missing;
  }

  private dueDigests(now: number): DueDigest[] {
    const due: DueDigest[] = [];
    for (const [routeIndex, route] of this.options.config.routes.entries()) {
      if (route.digestMs === undefined) continue;
      const windows = dueWindows(now, route.digestMs, {
        settleMs: this.settleMs,
        lookbackMs: this.lookbackMs(route.digestMs),
      });
      for (const window of windows) {
        const digest = { routeIndex, receivers: [...route.receivers], window };
        if (!this.handled.has(handledKey(digest))) due.push(digest);
      }
    }
    return due;
  }

  /** At least the last two windows, so a restart right after a window's end still queues it. */
  private lookbackMs(digestMs: number): number {
    return this.options.lookbackMs ?? Math.max(DIGEST_LOOKBACK_MS, 2 * digestMs);
  }

  private longestLookbackMs(): number {
    const lengths = this.options.config.routes.map((route) => route.digestMs ?? 0);
    return this.lookbackMs(Math.max(0, ...lengths));
  }
}

function byRoute(due: readonly DueDigest[]): Map<number, DueDigest[]> {
  const routes = new Map<number, DueDigest[]>();
  for (const digest of due) routes.set(digest.routeIndex, [...(routes.get(digest.routeIndex) ?? []), digest]);
  return routes;
}

/**
 * The incidents of each window of the route (by window start), in the order they first
 * changed in it; one pass over the timelines whatever the number of windows.
 */
function subjectsByWindow(
  incidents: readonly Incident[],
  routeIndex: number,
  digestMs: number,
): Map<number, DigestSubject[]> {
  const windows = new Map<number, DigestSubject[]>();
  for (const incident of incidents) {
    const perWindow = new Map<number, DigestEvent[]>();
    for (const event of routeEvents(incident, routeIndex)) {
      const { start } = windowOf(event.at, digestMs);
      perWindow.set(start, [...(perWindow.get(start) ?? []), event]);
    }
    for (const [start, events] of perWindow) {
      windows.set(start, [...(windows.get(start) ?? []), { incident, events }]);
    }
  }
  for (const subjects of windows.values()) {
    subjects.sort(
      (a, b) => (a.events[0]?.at ?? 0) - (b.events[0]?.at ?? 0) || a.incident.id.localeCompare(b.incident.id),
    );
  }
  return windows;
}

function handledKey(digest: DueDigest): string {
  return `${digest.routeIndex}|${digest.window.start}`;
}
