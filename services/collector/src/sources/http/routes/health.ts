import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';

/** `GET /health`: the listener is up; open without a token so probes need no secret. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/health',
    { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
};
