import type { LogSearch } from '@vigie/common';
import { summarizeError, UnavailableError } from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from '../app.js';
import { errorResponses, scopeProperties } from '../schemas.js';
import { scopeOf } from '../scope.js';
import { TailReader } from '../tail-reader.js';

const KEEPALIVE_MS = 15_000;

/**
 * GET /api/tail: Server-Sent Events of the events matching `q` as they are indexed, read
 * by polling the store (see `TailReader`: events stamped before the tail started, or
 * arriving more than 10 s behind newer ones, are not sent).
 */
export function registerTailRoute(
  app: FastifyInstance,
  search: LogSearch,
  config: ApiConfig,
  now: () => number,
): void {
  let clients = 0;
  const open = new Set<() => void>();
  // A tail never ends by itself: closing the server ends them, or it would wait forever.
  app.addHook('onClose', async () => {
    for (const stop of [...open]) stop();
  });
  app.get<{ Querystring: { q?: string } }>(
    '/api/tail',
    {
      // The stream hijacks the reply: its audit record is written when it starts.
      config: { permission: 'tail', audit: 'stream' },
      schema: {
        summary: 'Live tail of new matching events (text/event-stream)',
        description:
          'Sends `event: events` with data `{"events":[{id,event}]}` as matching events are indexed, and a `: keepalive` comment every 15 s, until the client disconnects.',
        tags: ['search'],
        querystring: { type: 'object', additionalProperties: false, properties: { q: scopeProperties.q } },
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'An event stream.',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const started = now();
      const scope = scopeOf({ q: request.query.q, from: String(started), to: String(started) }, started);
      if (clients >= config.maxTailClients) throw new UnavailableError('Live tail (too many tails open)');
      clients++;
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      out.write(': tail started\n\n');

      const reader = new TailReader(search, scope, started);
      let closed = false;
      let polling = false;
      const poll = async () => {
        if (polling || closed) return;
        polling = true;
        try {
          const hits = await reader.poll(now());
          if (hits.length > 0 && !closed) {
            const events = hits.map((hit) => ({
              id: hit.id,
              ...(hit.index && { index: hit.index }),
              event: hit.event,
            }));
            out.write(`event: events\ndata: ${JSON.stringify({ events })}\n\n`);
          }
        } catch (err) {
          request.log.warn({ err: summarizeError(err) }, 'Live tail poll failed.');
          if (!closed)
            out.write(
              `event: error\ndata: ${JSON.stringify({ message: 'The store did not answer; retrying.' })}\n\n`,
            );
        } finally {
          polling = false;
        }
      };
      const pollTimer = setInterval(() => void poll(), config.tailIntervalMs);
      const keepaliveTimer = setInterval(() => out.write(': keepalive\n\n'), KEEPALIVE_MS);
      const stop = () => {
        if (closed) return;
        closed = true;
        clients--;
        clearInterval(pollTimer);
        clearInterval(keepaliveTimer);
        open.delete(stop);
        out.end();
      };
      open.add(stop);
      out.on('close', stop);
      out.on('error', stop);
    },
  );
}
