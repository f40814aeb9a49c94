import type {
  AlerterConfig,
  AlertStore,
  Incident,
  Logger,
  LogSearch,
  NotificationAction,
  OutboxEntry,
} from '@vigie/common';
import { ConflictError } from '@vigie/common';
import { DigestQueue, notifiedDetails } from '../digest/index.js';
import { buildNotification } from '../evidence/index.js';
import {
  applyAnomaly,
  applyMuting,
  type IncidentPolicy,
  type IncomingAnomaly,
  nextNotification,
  outboxId,
  pendingEntry,
  pickIncident,
  tick,
} from '../incidents/index.js';
import { entry, withEntries } from '../incidents/timeline.js';
import { routeIncident } from '../routing/index.js';

/** What the incident flow needs. */
export interface IncidentFlowOptions {
  store: AlertStore;
  search: LogSearch;
  config: AlerterConfig;
  logger: Logger;
  /** Counts what the flow does; optional so tests can leave it out. */
  onQueued?: (entries: OutboxEntry[]) => void;
}

const CONFLICT_RETRIES = 5;

/**
 * Turns anomalies into incidents and incidents into queued notifications. The store is
 * the only state: incidents carry what receivers were last told (`notified`), so any
 * alerter, after any crash, can see what is still owed and queue it again under the
 * same deterministic outbox id (queuing an id twice is a no-op). The order of writes
 * makes a crash safe at every step: outbox entries first, then the incident that says
 * they were queued, then (by the caller) the bus offset. Routes in digest mode get no
 * message per incident: the `notified` entries name them, and each reconcile pass queues
 * the digests of windows that ended.
 */
export class IncidentFlow {
  private readonly policy: IncidentPolicy;
  private readonly digests: DigestQueue;

  constructor(private readonly options: IncidentFlowOptions) {
    const { config } = options;
    this.digests = new DigestQueue({
      store: options.store,
      config,
      logger: options.logger,
      ...(options.onQueued !== undefined && { onQueued: options.onQueued }),
    });
    this.policy = {
      groupWindowMs: config.groupWindowMs,
      resolveAfterMs: config.resolveAfterMs,
      flapTransitions: config.flapTransitions,
      flapWindowMs: config.flapWindowMs,
      labels: config.labels,
      ...(config.environment !== undefined && { environment: config.environment }),
    };
  }

  /** Files each anomaly under its incident, in order, then queues what receivers are owed. */
  async handleAnomalies(anomalies: readonly IncomingAnomaly[], now: number): Promise<void> {
    const touched = new Map<string, Incident>();
    for (const anomaly of anomalies) {
      const incident = await this.withConflictRetry(async () => {
        const candidates = await this.candidates(anomaly.service, now);
        const current = pickIncident(anomaly, candidates, now, this.policy);
        const { incident: next, changed } = applyAnomaly(current, anomaly, now, this.policy);
        return changed ? this.options.store.saveIncident(next) : next;
      });
      touched.set(incident.id, incident);
    }
    for (const incident of touched.values()) await this.reconcileOne(incident.id, now);
  }

  /**
   * The periodic pass: resolves quiet incidents, follows actions taken in the API, and
   * queues any notification still owed (also after a crash between two writes).
   */
  async reconcile(now: number): Promise<void> {
    const { store } = this.options;
    const active = await store.listIncidents({ status: 'active', limit: 1000 });
    const recentlyResolved = await store.listIncidents({
      status: 'resolved',
      since: now - Math.max(this.policy.groupWindowMs, 10 * 60_000),
      limit: 1000,
    });
    for (const incident of [...active, ...recentlyResolved]) {
      try {
        await this.reconcileOne(incident.id, now);
      } catch (err) {
        this.options.logger.warn(
          { incident: incident.id, err: String(err) },
          'Incident not reconciled; next pass retries.',
        );
      }
    }
    try {
      await this.digests.queueDue(now);
    } catch (err) {
      this.options.logger.warn({ err: String(err) }, 'Digests not queued; next pass retries.');
    }
  }

  private async reconcileOne(id: string, now: number): Promise<void> {
    const { store } = this.options;
    await this.withConflictRetry(async () => {
      const stored = await store.getIncident(id);
      if (!stored) return stored;
      const [silences, feedback] = await Promise.all([
        store.listSilences({ activeAt: now }),
        store.listFeedback({ activeAt: now, service: stored.service }),
      ]);
      let incident = applyMuting(tick(stored, now, this.policy).incident, silences, feedback, now);
      const action = nextNotification(incident);
      if (action) {
        await this.queue(incident, action, now);
        incident = this.markNotified(incident, action, now);
      }
      if (JSON.stringify(incident) === JSON.stringify(stored)) return stored;
      return store.saveIncident(incident);
    });
  }

  private async queue(incident: Incident, action: NotificationAction, now: number): Promise<void> {
    const receivers = await this.receiversFor(incident, action);
    if (receivers.size === 0) return;
    const notification = await buildNotification(incident, action, {
      search: this.options.search,
      publicUrl: this.options.config.publicUrl,
      now,
    });
    const entries = [...receivers].map((receiver) =>
      pendingEntry(outboxId(receiver, incident, action), receiver, notification, now),
    );
    await this.options.store.enqueue(entries);
    this.options.onQueued?.(entries);
  }

  /**
   * A trigger goes where the routes say now (routes in digest mode excepted); an
   * acknowledge or resolve goes to the receivers that got this cycle's triggers, so a
   * receiver paged at `warning` still hears the resolve after escalation moved the
   * incident to another route.
   */
  private async receiversFor(incident: Incident, action: NotificationAction): Promise<Set<string>> {
    if (action === 'trigger') {
      return new Set(
        routeIncident(incident, this.options.config.routes)
          .filter((route) => route.digestMs === undefined)
          .flatMap((route) => route.receivers),
      );
    }
    const queued = await this.options.store.listOutbox({ incidentId: incident.id, limit: 1000 });
    return new Set(
      queued
        .filter((entry) =>
          entry.id.startsWith(`${entry.receiver}|${incident.dedupKey}|trigger|${incident.cycle}|`),
        )
        .map((entry) => entry.receiver),
    );
  }

  /**
   * Records what was queued; `updatedAt` moves too, so the digest pass, which reads the
   * incidents updated since its window began, finds the entry.
   */
  private markNotified(incident: Incident, action: NotificationAction, now: number): Incident {
    const details = notifiedDetails(incident, action, this.options.config.routes);
    const digests =
      details.digestRoutes.length > 0 ? `; in the digest of route ${details.digestRoutes.join(', ')}` : '';
    return withEntries(
      {
        ...incident,
        notified: { status: incident.status, severity: incident.severity, cycle: incident.cycle },
      },
      now,
      {
        ...entry(now, 'notified', `Queued ${action} for the receivers of its routes${digests}.`, {
          severity: incident.severity,
        }),
        notification: details,
      },
    );
  }

  private async candidates(service: string, now: number): Promise<Incident[]> {
    const { store } = this.options;
    const [active, resolved] = await Promise.all([
      store.listIncidents({ service, status: 'active', limit: 100 }),
      store.listIncidents({
        service,
        status: 'resolved',
        since: now - this.policy.groupWindowMs,
        limit: 100,
      }),
    ]);
    return [...active, ...resolved];
  }

  private async withConflictRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof ConflictError) || tries >= CONFLICT_RETRIES) throw err;
      }
    }
  }
}
