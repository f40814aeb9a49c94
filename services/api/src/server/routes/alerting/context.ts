import type { AlerterConfig, AlertStore, Incident, LogSearch } from '@vigie/common';
import { ConflictError } from '@vigie/common';
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS_NAME, auditActor } from '../../../auth/identity.js';
import { NotFoundError } from '../../errors.js';

/** What the alerting routes work with. */
export interface AlertingDeps {
  store: AlertStore;
  /** Receivers (names and types are shown, nothing else) and the feedback expiry. */
  config: AlerterConfig;
  /** Reads the anomaly that feedback is about, and counts anomalies for the detector review. */
  search: Pick<LogSearch, 'getAnomaly' | 'countAnomalies'>;
  now: () => number;
}

/** Who acts, for the timeline and `createdBy`: the API key's name. */
export function actorOf(request: FastifyRequest): string {
  // Without the access-control plugin (tests, loopback) there is no identity decorator.
  const identity = (request as { vigieIdentity?: FastifyRequest['vigieIdentity'] }).vigieIdentity;
  return identity ? auditActor(identity).name : ANONYMOUS_NAME;
}

/** Reads at most 100 characters of an id back to the caller, quoted. */
export function quoteId(id: string): string {
  return JSON.stringify(id.slice(0, 100));
}

/** Conflicting writes before giving up with 409. */
const CONFLICT_ATTEMPTS = 3;

/**
 * Applies `change` to the stored incident and saves it conditionally; when the alerter
 * (or another API server) wrote it in between, reads it again and reapplies, up to
 * three times. The alerter notices the new status on its own and queues notifications.
 */
export async function updateIncident(
  store: AlertStore,
  id: string,
  change: (incident: Incident) => Incident,
): Promise<Incident> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.getIncident(id);
    if (!current) throw new NotFoundError(`No incident with id ${quoteId(id)}`);
    const next = change(current);
    // Nothing to do (acknowledging twice): no write, so a retried request is harmless.
    if (next === current) return current;
    try {
      return await store.saveIncident(next);
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= CONFLICT_ATTEMPTS) throw err;
    }
  }
}
