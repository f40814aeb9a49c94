import { randomUUID } from 'node:crypto';
import type { Feedback, FeedbackVerdict, IncidentAnomaly } from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { errorResponses } from '../../schemas.js';
import { type AlertingDeps, actorOf, quoteId, updateIncident } from './context.js';
import { recordFeedback } from './incident-actions.js';
import { feedbackSchema, idParams, notFound } from './schemas.js';

interface FeedbackInput {
  verdict: FeedbackVerdict;
  comment: string;
  ttlMs?: number;
  incidentId?: string;
}

type Scope = Pick<Feedback, 'service' | 'kind' | 'dimension'>;

/**
 * POST /api/anomalies/:id/feedback (records it and suppresses the anomaly's service,
 * kind and dimension until it expires; the alerter applies it) and GET /api/feedback.
 */
export function registerFeedbackRoutes(app: FastifyInstance, deps: AlertingDeps): void {
  const { store, now } = deps;

  /** The anomaly's scope: from the anomalies index, or from its incident (log rules are only there). */
  async function scopeOf(anomalyId: string, incidentId: string | undefined): Promise<Scope | undefined> {
    const anomaly = await deps.search.getAnomaly(anomalyId);
    if (anomaly) return { service: anomaly.service, kind: anomaly.kind, dimension: anomaly.dimension };
    if (incidentId === undefined) return undefined;
    const incident = await store.getIncident(incidentId);
    const held: IncidentAnomaly | undefined = incident?.anomalies.find((a) => a.id === anomalyId);
    return incident && held
      ? { service: incident.service, kind: held.kind, dimension: held.dimension }
      : undefined;
  }

  app.post<{ Params: { id: string }; Body: FeedbackInput }>(
    '/api/anomalies/:id/feedback',
    {
      config: { permission: 'incidents', audit: true },
      schema: {
        summary:
          'Mark an anomaly as expected or a false alarm: recorded, and a scoped suppression until it expires',
        tags: ['incidents'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['verdict'],
          properties: {
            verdict: { type: 'string', enum: ['expected', 'false_alarm'] },
            comment: { type: 'string', maxLength: 2000, default: '' },
            ttlMs: {
              type: 'integer',
              minimum: 60_000,
              maximum: 90 * 24 * 60 * 60_000,
              description: 'How long it suppresses; default alerter.feedbackTtlMs.',
            },
            incidentId: { type: 'string', minLength: 1, maxLength: 512 },
          },
        },
        response: {
          201: { type: 'object', required: ['feedback'], properties: { feedback: feedbackSchema } },
          ...notFound,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      const scope = await scopeOf(id, body.incidentId);
      if (!scope) throw new NotFoundError(`No anomaly with id ${quoteId(id)}`);
      const at = now();
      const feedback: Feedback = {
        id: randomUUID(),
        anomalyId: id,
        ...(body.incidentId !== undefined && { incidentId: body.incidentId }),
        verdict: body.verdict,
        ...scope,
        createdAt: new Date(at).toISOString(),
        expiresAt: new Date(at + (body.ttlMs ?? deps.config.feedbackTtlMs)).toISOString(),
        createdBy: actorOf(request),
        comment: body.comment,
      };
      await store.saveFeedback(feedback);
      if (body.incidentId !== undefined) {
        await updateIncident(store, body.incidentId, (incident) => recordFeedback(incident, feedback, at));
      }
      return reply.status(201).send({ feedback });
    },
  );

  app.get<{ Querystring: { service?: string; anomalyId?: string; active?: boolean } }>(
    '/api/feedback',
    {
      config: { permission: 'alerts_read' },
      schema: {
        summary: 'Feedback on anomalies, newest first',
        tags: ['incidents'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            service: { type: 'string', minLength: 1, maxLength: 256 },
            anomalyId: { type: 'string', minLength: 1, maxLength: 512 },
            active: { type: 'boolean', description: 'Only feedback still suppressing.' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['feedback'],
            properties: { feedback: { type: 'array', items: feedbackSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { service, anomalyId, active } = request.query;
      return {
        feedback: await store.listFeedback({ service, anomalyId, ...(active && { activeAt: now() }) }),
      };
    },
  );
}
