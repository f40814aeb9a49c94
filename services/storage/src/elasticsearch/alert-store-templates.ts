import type { estypes } from '@elastic/elasticsearch';
import { keyword, type Mapping, object, singleIndexTemplate } from './templates.js';

/**
 * Index templates of the alerting store, one small index each. Only what is filtered or
 * sorted on is indexed; the rest (timelines, anomalies, notifications, matchers) is kept
 * in `_source` as written and never searched, so log-derived text costs no mapping.
 */

const date: Mapping = { type: 'date' };
/** Epoch milliseconds, as the outbox and the delivery log keep times. */
const epochMs: Mapping = { type: 'date', format: 'epoch_millis' };
/** Stored for reading back, not searchable. */
const storedOnly: Mapping = { type: 'object', enabled: false };
const storedText: Mapping = { type: 'keyword', index: false, doc_values: false };
const version: Mapping = { type: 'long' };

/** Names of the alerting indices of a prefix. */
export function alertIndices(prefix: string) {
  return {
    incidents: `${prefix}-incidents`,
    outbox: `${prefix}-outbox`,
    deliveries: `${prefix}-deliveries`,
    silences: `${prefix}-silences`,
    feedback: `${prefix}-feedback`,
    rules: `${prefix}-rules`,
  };
}

/** The six templates, installed by `setupAlerting`. */
export function alertTemplates(prefix: string): estypes.IndicesPutIndexTemplateRequest[] {
  const index = alertIndices(prefix);
  return [
    singleIndexTemplate(index.incidents, 'Vigie incidents, the latest version of each.', {
      id: keyword,
      dedupKey: keyword,
      service: keyword,
      environment: keyword,
      group: keyword,
      title: storedText,
      status: keyword,
      severity: keyword,
      cycle: { type: 'integer' },
      openedAt: date,
      updatedAt: date,
      acknowledgedAt: date,
      acknowledgedBy: keyword,
      resolvedAt: date,
      resolvedBy: keyword,
      quietSince: date,
      anomalies: storedOnly,
      timeline: storedOnly,
      labels: { type: 'flattened', ignore_above: 1024 },
      flapping: { type: 'boolean' },
      transitions: { type: 'long', index: false },
      silencedBy: keyword,
      suppressedBy: keyword,
      notified: storedOnly,
      version,
    }),
    singleIndexTemplate(index.outbox, 'Notifications waiting for or past delivery.', {
      id: keyword,
      receiver: keyword,
      incidentId: keyword,
      notification: storedOnly,
      status: keyword,
      attempts: { type: 'integer' },
      createdAt: epochMs,
      nextAttemptAt: epochMs,
      leaseOwner: keyword,
      leaseUntil: epochMs,
      deliveredAt: epochMs,
      lastError: storedText,
      lastStatus: { type: 'short' },
      version,
    }),
    singleIndexTemplate(index.deliveries, 'Delivery log: one document per attempt.', {
      id: keyword,
      outboxId: keyword,
      receiver: keyword,
      incidentId: keyword,
      action: keyword,
      at: epochMs,
      ok: { type: 'boolean' },
      status: { type: 'short' },
      error: storedText,
      durationMs: { type: 'long' },
    }),
    singleIndexTemplate(index.silences, 'Silences and maintenance windows.', {
      id: keyword,
      matchers: storedOnly,
      startsAt: date,
      endsAt: date,
      createdBy: keyword,
      createdAt: date,
      comment: storedText,
    }),
    singleIndexTemplate(index.feedback, 'Feedback on anomalies, and the suppressions it creates.', {
      id: keyword,
      anomalyId: keyword,
      incidentId: keyword,
      verdict: keyword,
      service: keyword,
      kind: keyword,
      dimension: object({ field: keyword, value: keyword }),
      createdAt: date,
      expiresAt: date,
      createdBy: keyword,
      comment: storedText,
    }),
    singleIndexTemplate(index.rules, 'Log alert rules.', {
      id: keyword,
      name: keyword,
      query: storedText,
      service: keyword,
      windowMs: { type: 'long' },
      condition: storedOnly,
      severity: keyword,
      enabled: { type: 'boolean' },
      labels: { type: 'flattened', ignore_above: 1024 },
      createdBy: keyword,
      createdAt: date,
    }),
  ];
}
