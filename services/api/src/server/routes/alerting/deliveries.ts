import type { OutboxStatus, ReceiverConfig } from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../schemas.js';
import type { AlertingDeps } from './context.js';
import { attemptSchema, outboxSchema } from './schemas.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * The host of a receiver's URL and nothing else: paths, queries and user info of
 * webhook URLs hold tokens (Slack, Teams), so they never leave the server.
 */
export function receiverHost(receiver: ReceiverConfig): string | undefined {
  try {
    return new URL(receiver.url).host || undefined;
  } catch {
    return undefined;
  }
}

/** GET /api/deliveries (the delivery log), /api/outbox and /api/receivers. */
export function registerDeliveryRoutes(app: FastifyInstance, deps: AlertingDeps): void {
  const { store } = deps;
  const limit = { type: 'integer', minimum: 1, maximum: 1000, default: 200 } as const;

  app.get<{ Querystring: { receiver?: string; incident?: string; limit: number } }>(
    '/api/deliveries',
    {
      config: { permission: 'alerts_read' },
      schema: {
        summary: 'Delivery attempts of notifications, newest first',
        tags: ['deliveries'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            receiver: { type: 'string', minLength: 1, maxLength: 64 },
            incident: { type: 'string', minLength: 1, maxLength: 512 },
            limit,
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['attempts'],
            properties: { attempts: { type: 'array', items: attemptSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { receiver, incident, limit: size } = request.query;
      const attempts = await store.listAttempts({ receiver, incidentId: incident, limit: size });
      return { attempts: attempts.map((a) => ({ ...a, at: iso(a.at) })) };
    },
  );

  app.get<{ Querystring: { status?: OutboxStatus; incident?: string; limit: number } }>(
    '/api/outbox',
    {
      config: { permission: 'alerts_read' },
      schema: {
        summary: 'Queued notifications (pending, delivered or dead), newest first',
        tags: ['deliveries'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['pending', 'delivered', 'dead'] },
            incident: { type: 'string', minLength: 1, maxLength: 512 },
            limit,
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['entries'],
            properties: { entries: { type: 'array', items: outboxSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { status, incident, limit: size } = request.query;
      const entries = await store.listOutbox({ status, incidentId: incident, limit: size });
      return {
        entries: entries.map((e) => ({
          id: e.id,
          receiver: e.receiver,
          incidentId: e.incidentId,
          action: e.notification.action,
          status: e.status,
          attempts: e.attempts,
          createdAt: iso(e.createdAt),
          nextAttemptAt: iso(e.nextAttemptAt),
          deliveredAt: iso(e.deliveredAt),
          lastError: e.lastError,
          lastStatus: e.lastStatus,
        })),
      };
    },
  );

  app.get(
    '/api/receivers',
    {
      config: { permission: 'alerts_read' },
      schema: {
        summary: 'Configured receivers: name, type and host only (never a token, key or URL path)',
        tags: ['deliveries'],
        response: {
          200: {
            type: 'object',
            required: ['receivers'],
            properties: {
              receivers: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name', 'type'],
                  additionalProperties: false,
                  properties: {
                    name: { type: 'string' },
                    type: { type: 'string' },
                    host: { type: 'string' },
                    rateLimitPerMinute: { type: 'integer' },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    // Built field by field: nothing from the receiver's config passes through whole.
    async () => ({
      receivers: deps.config.receivers.map((r) => ({
        name: r.name,
        type: r.type,
        host: receiverHost(r),
        rateLimitPerMinute: r.rateLimitPerMinute,
      })),
    }),
  );
}
