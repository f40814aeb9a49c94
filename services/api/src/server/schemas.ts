/**
 * JSON schemas shared by the routes: fastify validates requests and serialises
 * responses with them, and @fastify/swagger turns them into the OpenAPI document.
 */

/** A log event as stored: the LogEvent schema of @vigie/common, passed through whole. */
export const eventSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'The stored log event (ECS subset, see LogEventSchema); content is attacker-controlled text.',
} as const;

export const hitSchema = {
  type: 'object',
  required: ['id', 'event'],
  properties: {
    id: { type: 'string' },
    index: { type: 'string' },
    event: eventSchema,
  },
} as const;

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          description:
            'VIGIE_ERR_QUERY_SYNTAX, VIGIE_ERR_QUERY_LIMIT, VIGIE_ERR_QUERY_FIELD, VIGIE_ERR_BAD_REQUEST, VIGIE_ERR_NOT_FOUND, VIGIE_ERR_UNAVAILABLE, ...',
        },
        message: { type: 'string' },
        position: {
          type: 'object',
          required: ['start', 'end', 'line', 'column'],
          properties: {
            start: { type: 'integer', description: 'Offset of the first offending character (0-based).' },
            end: { type: 'integer', description: 'Offset past the offending text.' },
            line: { type: 'integer', description: '1-based.' },
            column: { type: 'integer', description: '1-based.' },
          },
        },
      },
    },
  },
} as const;

/** Error answers every route may give. */
export const errorResponses = {
  400: errorSchema,
  503: errorSchema,
  500: errorSchema,
} as const;

const timeParam = (description: string) => ({ type: 'string', maxLength: 64, description }) as const;

/** `q`, `from`, `to` of every search route. */
export const scopeProperties = {
  q: {
    type: 'string',
    maxLength: 16_384,
    default: '',
    description:
      'Query language (field:value, "phrases", AND/OR/NOT, wildcards, ranges, field:*); empty = all.',
  },
  from: timeParam('Start: ISO 8601, epoch ms or relative (now-15m, now/d). Default now-15m.'),
  to: timeParam('End: ISO 8601, epoch ms or relative. Default now.'),
} as const;

/** A chart point: observed against the band its detectors expected (null before a baseline exists). */
export const pointSchema = {
  type: 'object',
  required: ['t', 'observed', 'expected', 'lower', 'upper'],
  properties: {
    t: { type: 'string', format: 'date-time' },
    observed: { type: 'number' },
    expected: { type: ['number', 'null'] },
    lower: { type: ['number', 'null'] },
    upper: { type: ['number', 'null'] },
  },
} as const;

/** Pieces of the anomaly record that the alerting schemas reuse. */
export const severitySchema = { type: 'string', enum: ['info', 'warning', 'critical'] } as const;
export const dimensionSchema = {
  type: 'object',
  properties: { field: { type: 'string' }, value: { type: 'string' } },
} as const;
export const contributorSchema = {
  type: 'object',
  properties: {
    field: { type: 'string' },
    value: { type: 'string' },
    observed: { type: 'number' },
    expected: { type: 'number' },
    share: { type: 'number' },
  },
} as const;

export const anomalySchema = {
  type: 'object',
  required: ['id', 'kind', 'service', 'state', 'start', 'updated', 'severity'],
  additionalProperties: true,
  description: 'An anomaly record (see services/common/src/schema/anomaly.ts).',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    service: { type: 'string' },
    dimension: dimensionSchema,
    state: { type: 'string', enum: ['open', 'closed'] },
    start: { type: 'string' },
    end: { type: 'string' },
    updated: { type: 'string' },
    score: { type: 'number' },
    severity: severitySchema,
    observed: { type: 'number' },
    expected: { type: 'number' },
    lower: { type: 'number' },
    upper: { type: 'number' },
    unit: { type: 'string' },
    windowMs: { type: 'number' },
    explanation: { type: 'string' },
    contributors: { type: 'array', items: contributorSchema },
    sampleEventIds: { type: 'array', items: { type: 'string' } },
    query: { type: 'string' },
    change: {
      type: 'object',
      properties: {
        service: { type: 'string' },
        version: { type: 'string' },
        at: { type: 'number' },
        source: { type: 'string' },
      },
    },
  },
} as const;
