// The route schemas carry OpenAPI summaries, typed by @fastify/swagger's augmentation.
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { AuditSink } from './audit.js';
import { ACCESS_CONTROL_RESPONSES } from './openapi.js';

const auditRecordSchema = {
  type: 'object',
  required: ['@timestamp', 'actor', 'http', 'query', 'source_ip', 'request_id'],
  properties: {
    '@timestamp': { type: 'string', format: 'date-time' },
    actor: {
      type: 'object',
      required: ['key_id', 'name', 'role'],
      properties: {
        key_id: { type: ['string', 'null'] },
        name: { type: 'string' },
        role: { type: 'string' },
      },
    },
    http: {
      type: 'object',
      required: ['method', 'route', 'status'],
      properties: { method: { type: 'string' }, route: { type: 'string' }, status: { type: 'integer' } },
    },
    query: {
      type: 'object',
      properties: { q: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
    },
    result_count: { type: 'integer' },
    source_ip: { type: 'string' },
    request_id: { type: 'string' },
  },
} as const;

/** GET /api/audit for the security and admin roles, when the audit sink can read back. */
export function registerAuditRoutes(app: FastifyInstance, audit: AuditSink): void {
  const reader = audit.recent?.bind(audit);
  if (!reader) return;
  app.get<{ Querystring: { size?: number } }>(
    '/api/audit',
    {
      // Reading who searched what is itself worth recording.
      config: { permission: 'audit_read', audit: true },
      schema: {
        summary: 'The latest audit records, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { size: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        },
        response: {
          401: ACCESS_CONTROL_RESPONSES[401],
          403: ACCESS_CONTROL_RESPONSES[403],
          200: {
            type: 'object',
            required: ['records'],
            properties: { records: { type: 'array', items: auditRecordSchema } },
          },
        },
      },
    },
    async (request) => ({ records: await reader({ limit: request.query.size ?? 100 }) }),
  );
}
