import type { LogSearch, SearchCursor } from '@vigie/common';
import { cursorAfter, summarizeError, UnavailableError } from '@vigie/common';
import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from '../app.js';
import { errorResponses, scopeProperties } from '../schemas.js';
import { scopeOf } from '../scope.js';

const KEEPALIVE_MS = 15_000;
/** Pages read per poll at most, so one busy tail cannot hold the store. */
const MAX_PAGES_PER_POLL = 4;
const PAGE_SIZE = 500;

/**
 * GET /api/tail: Server-Sent Events of the events matching `q` indexed after the tail
 * started, read by polling the store with a cursor (events stamped before the start, or
 * arriving more than one poll late behind newer ones, are not sent).
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
      config: { permission: 'tail', audit: true },
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

      let cursor: SearchCursor | undefined;
      let closed = false;
      let polling = false;
      const poll = async () => {
        if (polling || closed) return;
        polling = true;
        try {
          for (let page = 0; page < MAX_PAGES_PER_POLL && !closed; page++) {
            // Events up to a day ahead are sent: clocks of log sources drift.
            const result = await search.search({
              ...scope,
              from: started,
              to: now() + 86_400_000,
              sort: 'asc',
              size: PAGE_SIZE,
              after: cursor,
            });
            if (result.hits.length === 0 || closed) break;
            cursor = cursorAfter(result.hits, cursor);
            const events = result.hits.map((hit) => ({
              id: hit.id,
              ...(hit.index && { index: hit.index }),
              event: hit.event,
            }));
            out.write(`event: events\ndata: ${JSON.stringify({ events })}\n\n`);
            if (!result.next) break;
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
