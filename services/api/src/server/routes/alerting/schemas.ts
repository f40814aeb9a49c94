// JSON schemas of the alerting routes (services/common/src/schema/incident.ts as served).
// Responses list their properties: fastify serialises with them, so a field that is not
// listed never leaves the server — receivers in particular can only show what is here.

import {
  contributorSchema as contributor,
  dimensionSchema as dimension,
  errorSchema,
  severitySchema as severity,
} from '../../schemas.js';

const labels = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const incidentAnomalySchema = {
  type: 'object',
  required: ['id', 'kind', 'state', 'severity', 'start', 'updated'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    dimension,
    state: { type: 'string', enum: ['open', 'closed'] },
    severity,
    start: { type: 'string' },
    end: { type: 'string' },
    updated: { type: 'string' },
    observed: { type: 'number' },
    expected: { type: 'number' },
    unit: { type: 'string' },
    explanation: { type: 'string', description: 'May quote logs: render as text.' },
    contributors: { type: 'array', items: contributor },
    sampleEventIds: { type: 'array', items: { type: 'string' } },
    query: { type: 'string' },
    template: { type: 'string' },
  },
} as const;

export const timelineEntrySchema = {
  type: 'object',
  required: ['at', 'type', 'text'],
  properties: {
    at: { type: 'string' },
    type: { type: 'string' },
    text: { type: 'string', description: 'May quote logs: render as text.' },
    actor: { type: 'string' },
    anomalyId: { type: 'string' },
    severity,
  },
} as const;

export const incidentSchema = {
  type: 'object',
  required: ['id', 'dedupKey', 'service', 'group', 'title', 'status', 'severity', 'cycle', 'openedAt'],
  description: 'An incident (see services/common/src/schema/incident.ts).',
  properties: {
    id: { type: 'string' },
    dedupKey: { type: 'string' },
    service: { type: 'string' },
    environment: { type: 'string' },
    group: { type: 'string', enum: ['availability', 'security', 'rule'] },
    title: { type: 'string' },
    status: { type: 'string', enum: ['open', 'acknowledged', 'resolved'] },
    severity,
    cycle: { type: 'integer' },
    openedAt: { type: 'string' },
    updatedAt: { type: 'string' },
    acknowledgedAt: { type: 'string' },
    acknowledgedBy: { type: 'string' },
    resolvedAt: { type: 'string' },
    resolvedBy: { type: 'string' },
    quietSince: { type: 'string' },
    anomalies: { type: 'array', items: incidentAnomalySchema },
    timeline: { type: 'array', items: timelineEntrySchema },
    labels,
    flapping: { type: 'boolean' },
    silencedBy: { type: 'string' },
    suppressedBy: { type: 'string' },
    notified: {
      type: 'object',
      properties: { status: { type: 'string' }, severity: { type: 'string' }, cycle: { type: 'integer' } },
    },
    version: { type: 'integer' },
  },
} as const;

export const silenceMatcherSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['field', 'value'],
  properties: {
    field: {
      type: 'string',
      pattern: '^(service|environment|kind|severity|group|labels\\.[A-Za-z0-9_.-]{1,64})$',
      description: '`service`, `environment`, `kind`, `severity`, `group` or `labels.<name>`.',
    },
    value: { type: 'string', minLength: 1, maxLength: 256 },
    isRegex: {
      type: 'boolean',
      description: 'Anchored regular expression, refused when it could backtrack.',
    },
  },
} as const;

export const silenceSchema = {
  type: 'object',
  required: ['id', 'matchers', 'startsAt', 'endsAt', 'createdBy', 'createdAt', 'comment'],
  properties: {
    id: { type: 'string' },
    matchers: { type: 'array', items: silenceMatcherSchema },
    startsAt: { type: 'string' },
    endsAt: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
    comment: { type: 'string' },
  },
} as const;

export const feedbackSchema = {
  type: 'object',
  required: ['id', 'anomalyId', 'verdict', 'service', 'kind', 'createdAt', 'expiresAt', 'createdBy'],
  properties: {
    id: { type: 'string' },
    anomalyId: { type: 'string' },
    incidentId: { type: 'string' },
    verdict: { type: 'string', enum: ['expected', 'false_alarm'] },
    service: { type: 'string' },
    kind: { type: 'string' },
    dimension,
    createdAt: { type: 'string' },
    expiresAt: { type: 'string' },
    createdBy: { type: 'string' },
    comment: { type: 'string' },
  },
} as const;

export const attemptSchema = {
  type: 'object',
  required: ['id', 'outboxId', 'receiver', 'incidentId', 'action', 'at', 'ok', 'durationMs'],
  properties: {
    id: { type: 'string' },
    outboxId: { type: 'string' },
    receiver: { type: 'string' },
    incidentId: { type: 'string' },
    action: { type: 'string', enum: ['trigger', 'acknowledge', 'resolve', 'digest'] },
    at: { type: 'string', format: 'date-time' },
    ok: { type: 'boolean' },
    status: { type: 'integer' },
    error: { type: 'string' },
    durationMs: { type: 'number' },
  },
} as const;

/** An outbox entry without its notification body (the evidence is in the incident). */
export const outboxSchema = {
  type: 'object',
  required: ['id', 'receiver', 'incidentId', 'action', 'status', 'attempts', 'createdAt', 'nextAttemptAt'],
  properties: {
    id: { type: 'string' },
    receiver: { type: 'string' },
    incidentId: { type: 'string' },
    action: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'delivered', 'dead'] },
    attempts: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    nextAttemptAt: { type: 'string', format: 'date-time' },
    deliveredAt: { type: 'string', format: 'date-time' },
    lastError: { type: 'string' },
    lastStatus: { type: 'integer' },
  },
} as const;

const condition = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['above', 'below', 'anomalous'] },
    threshold: { type: 'number', minimum: 0, description: 'Count; required for above and below.' },
  },
} as const;

/** What a client sends to create or replace a rule. */
export const ruleInputSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'query', 'windowMs', 'condition', 'severity'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 128 },
    query: { type: 'string', maxLength: 16_384, description: 'Vigie query language.' },
    service: { type: 'string', minLength: 1, maxLength: 256, description: 'Default: the rule name.' },
    windowMs: { type: 'integer', minimum: 10_000, maximum: 24 * 60 * 60_000 },
    condition,
    severity,
    enabled: { type: 'boolean', default: true },
    // Names as in routes (`labels.<name>`): a control character in a key is refused by the
    // stores' flattened label fields (Elasticsearch reserves \0), so it is refused here first.
    labels: {
      type: 'object',
      maxProperties: 32,
      propertyNames: { pattern: '^[A-Za-z0-9_.-]{1,64}$' },
      additionalProperties: { type: 'string', maxLength: 1024 },
    },
  },
} as const;

export const ruleSchema = {
  type: 'object',
  required: ['id', 'name', 'query', 'service', 'windowMs', 'condition', 'severity', 'enabled'],
  properties: {
    id: { type: 'string' },
    ...ruleInputSchema.properties,
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 512 } },
} as const;

/** 404 (no such incident, silence, rule or anomaly). */
export const notFound = { 404: errorSchema } as const;
/** 409: changed by someone else more times than the retries allow. */
export const conflict = { 409: errorSchema } as const;
