import type { IncidentStatus } from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import { recordResultCount } from '../../../auth/access-control.js';
import { NotFoundError } from '../../errors.js';
import { errorResponses } from '../../schemas.js';
import { parseTime } from '../../time.js';
import { type AlertingDeps, actorOf, quoteId, updateIncident } from './context.js';
import { acknowledge, comment, incidentMarkdown, reopenByUser, resolveByUser } from './incident-actions.js';
import { conflict, idParams, incidentSchema, notFound } from './schemas.js';

interface ListQuery {
  status?: IncidentStatus | 'active';
  service?: string;
  since?: string;
  limit: number;
}

const actionBody = {
  type: 'object',
  additionalProperties: false,
  properties: { text: { type: 'string', maxLength: 2000, default: '' } },
} as const;

const commentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: { text: { type: 'string', minLength: 1, maxLength: 2000 } },
} as const;

const incidentAnswer = {
  200: { type: 'object', required: ['incident'], properties: { incident: incidentSchema } },
  ...notFound,
  ...conflict,
  ...errorResponses,
} as const;

/** Markdown export file name: the id's safe characters only (it is in a header). */
function exportName(id: string): string {
  return `incident-${id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100)}.md`;
}

/**
 * GET /api/incidents, /api/incidents/:id and its Markdown export; POST ack, resolve and
 * comment. Actions change the stored incident only: the alerter sees the new status and
 * queues the notifications.
 */
export function registerIncidentRoutes(app: FastifyInstance, deps: AlertingDeps): void {
  const { store, now } = deps;

  app.get<{ Querystring: ListQuery }>(
    '/api/incidents',
    {
      config: { permission: 'alerts_read' },
      schema: {
        summary: 'Incidents, most recently updated first',
        tags: ['incidents'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['open', 'acknowledged', 'resolved', 'active'] },
            service: { type: 'string', minLength: 1, maxLength: 256 },
            since: {
              type: 'string',
              maxLength: 64,
              description: 'Updated at or after: ISO 8601, epoch ms or relative (now-7d).',
            },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['incidents'],
            properties: { incidents: { type: 'array', items: incidentSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { status, service, since, limit } = request.query;
      const sinceMs = since === undefined ? undefined : parseTime(since, now(), 'since');
      return { incidents: await store.listIncidents({ status, service, since: sinceMs, limit }) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/incidents/:id',
    {
      config: { permission: 'alerts_read' },
      schema: {
        summary: 'One incident with its anomalies and timeline',
        tags: ['incidents'],
        params: idParams,
        response: incidentAnswer,
      },
    },
    async (request) => {
      const incident = await store.getIncident(request.params.id);
      if (!incident) throw new NotFoundError(`No incident with id ${quoteId(request.params.id)}`);
      return { incident };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/incidents/:id/export.md',
    {
      config: { permission: 'alerts_read', audit: true },
      schema: {
        summary: 'The incident and its timeline as Markdown, for the post-incident review',
        tags: ['incidents'],
        params: idParams,
        response: {
          200: {
            description: 'Markdown, as an attachment (errors are JSON like every route).',
            content: { 'text/markdown': { schema: { type: 'string' } } },
          },
          ...notFound,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const incident = await store.getIncident(request.params.id);
      if (!incident) throw new NotFoundError(`No incident with id ${quoteId(request.params.id)}`);
      recordResultCount(request, 1);
      return reply
        .type('text/markdown; charset=utf-8')
        .header('content-disposition', `attachment; filename="${exportName(incident.id)}"`)
        .send(incidentMarkdown(incident));
    },
  );

  const actions = [
    { path: 'ack', summary: 'Acknowledge: the on-call is on it', apply: acknowledge, body: actionBody },
    { path: 'resolve', summary: 'Resolve by hand', apply: resolveByUser, body: actionBody },
    {
      path: 'reopen',
      summary: 'Reopen a resolved incident (a new cycle, notified again)',
      apply: reopenByUser,
      body: actionBody,
    },
    { path: 'comment', summary: 'Add a comment to the timeline', apply: comment, body: commentBody },
  ] as const;
  for (const action of actions) {
    app.post<{ Params: { id: string }; Body: { text?: string } }>(
      `/api/incidents/:id/${action.path}`,
      {
        config: { permission: 'incidents', audit: true },
        schema: {
          summary: action.summary,
          tags: ['incidents'],
          params: idParams,
          body: action.body,
          response: incidentAnswer,
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const text = request.body?.text ?? '';
        const incident = await updateIncident(store, request.params.id, (current) =>
          action.apply(current, actor, text, now()),
        );
        return { incident };
      },
    );
  }
}
