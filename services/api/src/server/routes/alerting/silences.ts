import { randomUUID } from 'node:crypto';
import type { Silence, SilenceMatcher } from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { errorResponses } from '../../schemas.js';
import { BadRequestError, parseTime } from '../../time.js';
import { type AlertingDeps, actorOf, quoteId } from './context.js';
import { validateSilence } from './incident-actions.js';
import { idParams, notFound, silenceMatcherSchema, silenceSchema } from './schemas.js';

/** The longest silence: past it, a forgotten maintenance window would hide real incidents. */
export const MAX_SILENCE_MS = 30 * 24 * 60 * 60_000;

interface SilenceInput {
  matchers: SilenceMatcher[];
  startsAt?: string;
  endsAt: string;
  comment: string;
}

const silenceAnswer = {
  type: 'object',
  required: ['silence'],
  properties: { silence: silenceSchema },
} as const;

/** GET, POST /api/silences and DELETE /api/silences/:id (expires it). */
export function registerSilenceRoutes(app: FastifyInstance, deps: AlertingDeps): void {
  const { store, now } = deps;

  app.get<{ Querystring: { active?: boolean } }>(
    '/api/silences',
    {
      config: { permission: 'alerts_read' },
      schema: {
        summary: 'Silences and maintenance windows, newest first',
        tags: ['silences'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { active: { type: 'boolean', description: 'Only those in force now.' } },
        },
        response: {
          200: {
            type: 'object',
            required: ['silences'],
            properties: { silences: { type: 'array', items: silenceSchema } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      silences: await store.listSilences(request.query.active ? { activeAt: now() } : {}),
    }),
  );

  app.post<{ Body: SilenceInput }>(
    '/api/silences',
    {
      config: { permission: 'incidents', audit: true },
      schema: {
        summary: 'Silence matching incidents for a while (at most 30 days): recorded, not notified',
        tags: ['silences'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['matchers', 'endsAt', 'comment'],
          properties: {
            matchers: { type: 'array', minItems: 1, maxItems: 16, items: silenceMatcherSchema },
            startsAt: { type: 'string', maxLength: 64, description: 'Default now.' },
            endsAt: {
              type: 'string',
              maxLength: 64,
              description: 'ISO 8601, epoch ms or relative (now+2h).',
            },
            comment: { type: 'string', minLength: 1, maxLength: 2000 },
          },
        },
        response: { 201: silenceAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const at = now();
      const body = request.body;
      const startsAt = body.startsAt === undefined ? at : parseTime(body.startsAt, at, 'startsAt');
      const endsAt = parseTime(body.endsAt, at, 'endsAt');
      if (endsAt <= startsAt) throw new BadRequestError('endsAt must be after startsAt');
      if (endsAt <= at) throw new BadRequestError('endsAt is in the past: the silence would never apply');
      if (endsAt - startsAt > MAX_SILENCE_MS)
        throw new BadRequestError('A silence lasts at most 30 days; create a new one when it ends');
      const checked = await validateSilence({
        id: randomUUID(),
        matchers: body.matchers,
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(endsAt).toISOString(),
        createdBy: actorOf(request),
        createdAt: new Date(at).toISOString(),
        comment: body.comment,
      });
      if (!checked.ok) throw new BadRequestError(checked.errors.join('; '));
      const { silence } = checked;
      await store.saveSilence(silence);
      return reply.status(201).send({ silence });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/silences/:id',
    {
      config: { permission: 'incidents', audit: true },
      schema: {
        summary: 'Expire a silence now (it stays listed, ended)',
        tags: ['silences'],
        params: idParams,
        response: { 200: silenceAnswer, ...notFound, ...errorResponses },
      },
    },
    async (request) => {
      const found = (await store.listSilences()).find((s) => s.id === request.params.id);
      if (!found) throw new NotFoundError(`No silence with id ${quoteId(request.params.id)}`);
      const at = now();
      const silence: Silence =
        Date.parse(found.endsAt) <= at
          ? found
          : {
              ...found,
              endsAt: new Date(at).toISOString(),
              // A window that had not started yet ends before it starts: keep them ordered.
              startsAt: new Date(Math.min(Date.parse(found.startsAt), at)).toISOString(),
            };
      if (silence !== found) await store.saveSilence(silence);
      return { silence };
    },
  );
}
