import type { FastifyInstance } from 'fastify';
import { dimensionSchema, errorResponses } from '../../schemas.js';
import { parseRange } from '../../time.js';
import type { AlertingDeps } from './context.js';
import { REVIEWED_KINDS, reviewDetectors } from './review-stats.js';

/**
 * Feedback records an alert store lists at most (newest first): a range holding more
 * counts only its newest verdicts.
 */
const FEEDBACK_READ_LIMIT = 1000;

const count = { type: 'integer', minimum: 0 } as const;
const rate = { type: ['number', 'null'], minimum: 0 } as const;
const kind = { type: 'string', enum: REVIEWED_KINDS } as const;

const reviewSchema = {
  type: 'object',
  required: ['from', 'to', 'kinds', 'noisiestScopes', 'feedbackTruncated'],
  properties: {
    from: { type: 'string', description: 'ISO 8601, the range read.' },
    to: { type: 'string' },
    kinds: {
      type: 'array',
      description: 'Every anomaly kind and log_rule, in a fixed order.',
      items: {
        type: 'object',
        required: ['kind', 'raised', 'reviewed', 'expected', 'falseAlarms', 'falseAlarmRate', 'reviewRate'],
        properties: {
          kind,
          raised: {
            type: ['integer', 'null'],
            minimum: 0,
            description:
              'Anomalies that started in the range; null for log_rule (not in the anomalies index).',
          },
          reviewed: {
            ...count,
            description: 'Anomalies with a verdict recorded in the range, newest verdict each.',
          },
          expected: count,
          falseAlarms: count,
          falseAlarmRate: { ...rate, description: 'falseAlarms / reviewed; null when none was reviewed.' },
          reviewRate: {
            ...rate,
            description:
              'reviewed / raised; null when none was raised or raised is unknown. Can exceed 1 (verdicts on anomalies raised before the range).',
          },
        },
      },
    },
    noisiestScopes: {
      type: 'array',
      maxItems: 20,
      description: 'Up to 20 (service, kind, dimension) by false alarms, then verdicts.',
      items: {
        type: 'object',
        required: ['service', 'kind', 'dimension', 'falseAlarms', 'reviewed'],
        properties: {
          service: { type: 'string', description: 'From the logs: render as text.' },
          kind,
          dimension: dimensionSchema,
          falseAlarms: count,
          reviewed: count,
        },
      },
    },
    feedbackTruncated: {
      type: 'boolean',
      description: `${FEEDBACK_READ_LIMIT} feedback records or more in the range: only the newest were counted.`,
    },
  },
} as const;

/** GET /api/detectors/review: how each detector fared with the feedback people gave. */
export function registerDetectorReviewRoute(app: FastifyInstance, deps: AlertingDeps): void {
  const { store, search, now } = deps;
  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/detectors/review',
    {
      config: { permission: 'alerts_read' },
      schema: {
        summary:
          'Per anomaly kind: anomalies raised in a range, verdicts given (expected, false alarm) and rates; the noisiest scopes',
        tags: ['incidents'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: {
              type: 'string',
              maxLength: 64,
              description: 'ISO 8601, epoch ms or relative (now-7d). Default now-30d.',
            },
            to: { type: 'string', maxLength: 64, description: 'Default now.' },
          },
        },
        response: { 200: reviewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const range = parseRange(request.query.from ?? 'now-30d', request.query.to, now());
      const [raised, feedback] = await Promise.all([
        search.countAnomalies(range),
        store.listFeedback({ createdFrom: range.from, createdTo: range.to }),
      ]);
      return {
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        ...reviewDetectors(raised, feedback, range),
        feedbackTruncated: feedback.length >= FEEDBACK_READ_LIMIT,
      };
    },
  );
}
