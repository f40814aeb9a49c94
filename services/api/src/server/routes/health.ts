import type { LogStore } from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../schemas.js';

const statusSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' } },
} as const;

/** GET /health (the process answers) and GET /ready (and the store answers). */
export function registerHealthRoutes(app: FastifyInstance, store: Pick<LogStore, 'healthcheck'>): void {
  app.get(
    '/health',
    {
      config: { permission: 'public' },
      schema: { summary: 'The API process is up', tags: ['ops'], response: { 200: statusSchema } },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/ready',
    {
      config: { permission: 'public' },
      schema: {
        summary: 'The API can reach its store (503 otherwise)',
        tags: ['ops'],
        response: { 200: statusSchema, 503: errorResponses[503] },
      },
    },
    async () => {
      await store.healthcheck();
      return { status: 'ready' };
    },
  );
}
