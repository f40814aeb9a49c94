// The route schemas carry OpenAPI summaries, typed by @fastify/swagger's augmentation.
import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { KeyStore } from './key-store.js';
import { ACCESS_CONTROL_RESPONSES, accessErrorSchema } from './openapi.js';
import { ROLES, type Role } from './roles.js';

const keySchema = {
  type: 'object',
  required: ['id', 'name', 'role', 'created', 'revoked'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    created: { type: 'string', format: 'date-time' },
    expires: { type: 'string', format: 'date-time' },
    revoked: { type: 'boolean' },
  },
} as const;

// 429 is left to the server's error handler, which decides its body.
const refusals = { 401: ACCESS_CONTROL_RESPONSES[401], 403: ACCESS_CONTROL_RESPONSES[403] };

const DAY_MS = 86_400_000;

/**
 * Key management over HTTP for admins: the same operations as `vigie keys`. The secret
 * of a new key is in the creation response only.
 */
export function registerKeyRoutes(app: FastifyInstance, keys: KeyStore): void {
  app.get(
    '/api/keys',
    {
      config: { permission: 'keys' },
      schema: {
        summary: 'List API keys (never their secrets)',
        response: {
          ...refusals,
          200: {
            type: 'object',
            required: ['keys'],
            properties: { keys: { type: 'array', items: keySchema } },
          },
        },
      },
    },
    async () => {
      await keys.load();
      return { keys: keys.list() };
    },
  );

  app.post<{ Body: { name: string; role: Role; expires_in_days?: number } }>(
    '/api/keys',
    {
      config: { permission: 'keys', audit: true },
      schema: {
        summary: 'Create an API key; the response is the only place its secret appears',
        body: {
          type: 'object',
          required: ['name', 'role'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            role: { type: 'string', enum: [...ROLES] },
            expires_in_days: { type: 'integer', minimum: 1, maximum: 3650 },
          },
        },
        response: {
          ...refusals,
          201: {
            type: 'object',
            required: ['key', 'secret'],
            properties: { key: keySchema, secret: { type: 'string' } },
          },
        },
      },
    },
    async (request, reply) => {
      const { name, role, expires_in_days: days } = request.body;
      const spec =
        days === undefined ? { name, role } : { name, role, expires: new Date(Date.now() + days * DAY_MS) };
      const created = await keys.create(spec);
      return reply.code(201).send(created);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/keys/:id/revoke',
    {
      config: { permission: 'keys', audit: true },
      schema: {
        summary: 'Revoke an API key',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        response: {
          200: { type: 'object', required: ['key'], properties: { key: keySchema } },
          404: accessErrorSchema,
          ...refusals,
        },
      },
    },
    async (request, reply) => {
      if (!(await keys.revoke(request.params.id)))
        return reply
          .code(404)
          .send({ error: { code: 'VIGIE_ERR_NOT_FOUND', message: 'No key has this id' } });
      return { key: keys.list().find((key) => key.id === request.params.id) };
    },
  );
}
