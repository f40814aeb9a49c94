import { type Static, Type } from '@sinclair/typebox';
import type { LogEvent } from '@vigie/common';
import type { FastifyPluginAsync } from 'fastify';
import { BodyError, bodyText, mediaType, parseJsonBody, splitLines } from '../body.js';
import { deliver, eventContext, type RouteContext } from '../context.js';
import { type EventContext, toEvent } from '../event.js';
import { lineEvent } from '../line-event.js';
import { SOURCE_IDS } from '../options.js';

const MAX_PROBLEMS = 20;
const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/jsonl',
  'application/json-lines',
  'text/plain',
  '',
]);

const Query = Type.Object({
  service: Type.Optional(
    Type.String({ minLength: 1, description: 'service.name of events that name none.' }),
  ),
  environment: Type.Optional(
    Type.String({ minLength: 1, description: 'service.environment of events that name none.' }),
  ),
});

const Problem = Type.Object({
  at: Type.String({ description: 'Where: `line 3` (NDJSON) or `[2]` (JSON array).' }),
  error: Type.String({ description: 'Why the entry was kept as text with vigie.parse_error.' }),
});

const Accepted = Type.Object({
  accepted: Type.Integer({ description: 'Events now durable, including those kept as text.' }),
  invalid: Type.Integer({ description: 'Entries that were not valid events and were kept as text.' }),
  problems: Type.Array(Problem, { description: `The first ${MAX_PROBLEMS} invalid entries.` }),
});

type Problems = Static<typeof Accepted>['problems'];

/**
 * `POST /ingest`: Vigie's own endpoint. NDJSON (`application/x-ndjson`, `text/plain`)
 * or a JSON array of events (`application/json`). A line that is not a valid event is
 * kept as a text event flagged `vigie.parse_error` and reported in `problems`; only a
 * body that cannot be read at all is refused. The body has no JSON schema because it is
 * NDJSON as often as JSON: each entry is checked by `normalizeEvent` instead.
 */
export const ingestRoutes: FastifyPluginAsync<{ context: RouteContext }> = async (app, { context }) => {
  app.post(
    '/ingest',
    {
      schema: {
        querystring: Query,
        response: { 200: Accepted },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof Query>;
      const base = eventContext(request, SOURCE_IDS.ingest, query.service ?? context.defaultService);
      if (query.environment !== undefined) base.environment = query.environment;
      const type = mediaType(request);
      const problems: Problems = [];
      let invalid = 0;
      const noteError = (at: string, error: string | undefined) => {
        if (error === undefined) return;
        invalid += 1;
        if (problems.length < MAX_PROBLEMS) problems.push({ at, error });
      };
      const note = (at: string, event: LogEvent) => noteError(at, event.vigie?.parse_error);

      const events: LogEvent[] = [];
      const at = (sequence: number): EventContext => ({ ...base, sequence });
      if (type === 'application/json') {
        const parsed = parseJsonBody(bodyText(request));
        const values = Array.isArray(parsed) ? parsed : [parsed];
        for (const [i, value] of values.entries()) {
          const event = toEvent(value, at(events.length));
          note(`[${i}]`, event);
          events.push(event);
        }
      } else if (NDJSON_TYPES.has(type) && context.sink.submitEventLines) {
        // The pipeline parses the lines, on its workers when it has them.
        const lines = splitLines(bodyText(request));
        const texts = lines.map((line) => line.text);
        if (texts.length > 0) {
          const failed = await context.sink.submitEventLines(SOURCE_IDS.ingest, { texts, context: at(0) });
          for (const [i, error] of failed) noteError(`line ${lines[i]?.line}`, error);
        }
        context.metrics.events.inc({ route: '/ingest' }, texts.length);
        return { accepted: texts.length, invalid, problems };
      } else if (NDJSON_TYPES.has(type)) {
        for (const { line, text } of splitLines(bodyText(request))) {
          const event = lineEvent(text, at(events.length));
          note(`line ${line}`, event);
          events.push(event);
        }
      } else {
        throw new BodyError(
          'unsupported_media_type',
          415,
          'POST /ingest takes application/x-ndjson, text/plain or application/json',
        );
      }
      await deliver(context, '/ingest', SOURCE_IDS.ingest, events);
      return { accepted: events.length, invalid, problems };
    },
  );
};
