import { Type } from '@sinclair/typebox';
import type { LogEvent } from '@vigie/common';
import type { FastifyPluginAsync } from 'fastify';
import { BodyError, bodyText, mediaType, parseJson, parseJsonBody } from '../body.js';
import { deliver, eventContext, type RouteContext } from '../context.js';
import { type EventContext, textEvent, toEvent } from '../event.js';
import { SOURCE_IDS } from '../options.js';

type Json = Record<string, unknown>;

// Label names that carry the service, in order of preference (Loki's own discovery order).
const SERVICE_LABELS = ['service_name', 'service', 'job', 'app'];
const ENVIRONMENT_LABELS = ['environment', 'env'];
const HOST_LABELS = ['host', 'hostname'];

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const invalid = (path: string, what: string) => new BodyError('invalid_payload', 400, `${path}: ${what}`);

function stringMap(value: unknown, path: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalid(path, 'expected an object of string values');
  const out: Record<string, string> = {};
  for (const [key, child] of Object.entries(value)) {
    if (typeof child !== 'string') throw invalid(`${path}.${key}`, 'expected a string');
    out[key] = child;
  }
  return out;
}

function pick(labels: Record<string, string>, names: string[]): string | undefined {
  for (const name of names) if (labels[name]) return labels[name];
  return undefined;
}

/**
 * `POST /loki/api/v1/push`: the Loki push API in its JSON form. Stream labels and
 * structured metadata become labels, `service_name`/`service`/`job`/`app` the service,
 * and the entry's nanosecond time the event time unless a JSON line names its own.
 * The snappy-compressed protobuf form gets 415 with a message naming the JSON setting.
 * A malformed entry refuses the push with 400 and its path, as Loki does.
 */
export const lokiRoutes: FastifyPluginAsync<{ context: RouteContext }> = async (app, { context }) => {
  app.post('/loki/api/v1/push', { schema: { response: { 204: Type.Null() } } }, async (request, reply) => {
    const type = mediaType(request);
    if (type !== 'application/json') {
      throw new BodyError(
        'unsupported_media_type',
        415,
        'Vigie receives Loki pushes as JSON (Content-Type: application/json), not snappy protobuf: set the client to its JSON encoding',
      );
    }
    const body = parseJsonBody(bodyText(request));
    if (!isObject(body) || !Array.isArray(body.streams)) throw invalid('streams', 'expected an array');
    const base = eventContext(request, SOURCE_IDS.loki, context.defaultService);
    const events: LogEvent[] = [];
    for (const [s, stream] of body.streams.entries()) {
      const path = `streams[${s}]`;
      if (!isObject(stream)) throw invalid(path, 'expected an object');
      const labels = stringMap(stream.stream, `${path}.stream`);
      if (!Array.isArray(stream.values)) throw invalid(`${path}.values`, 'expected an array');
      for (const [v, entry] of stream.values.entries()) {
        const entryPath = `${path}.values[${v}]`;
        if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) {
          throw invalid(entryPath, 'expected ["<unix epoch in nanoseconds>", "<log line>", {metadata}?]');
        }
        const [time, line, metadata] = entry as [unknown, unknown, unknown];
        if (typeof time !== 'string' || !/^\d{1,20}$/.test(time)) {
          throw invalid(`${entryPath}[0]`, 'expected the time as a string of nanoseconds since the epoch');
        }
        if (typeof line !== 'string') throw invalid(`${entryPath}[1]`, 'expected the log line as a string');
        const entryLabels = { ...labels, ...stringMap(metadata, `${entryPath}[2]`) };
        const entryContext: EventContext = {
          ...base,
          sequence: events.length,
          timestamp: Number(BigInt(time) / 1_000_000n),
          defaultService: pick(entryLabels, SERVICE_LABELS) ?? context.defaultService,
          labels: entryLabels,
        };
        const environment = pick(entryLabels, ENVIRONMENT_LABELS);
        if (environment !== undefined) entryContext.environment = environment;
        const event = lineEvent(line, entryContext);
        const host = pick(entryLabels, HOST_LABELS);
        if (host !== undefined && event.host?.name === undefined) event.host = { ...event.host, name: host };
        events.push(event);
      }
    }
    await deliver(context, '/loki/api/v1/push', SOURCE_IDS.loki, events);
    return reply.code(204).send();
  });
};

/**
 * A Loki line: JSON lines are read as events; other lines are plain log text (normal for
 * Loki, so not a parse error), timed by the entry.
 */
function lineEvent(line: string, context: EventContext): LogEvent {
  const trimmed = line.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const event = toEvent(parseJson(trimmed), context);
      if (event.vigie?.parse_error !== undefined) event.message = line;
      return event;
    } catch {
      // Not JSON after all: plain text below.
    }
  }
  return textEvent(line, context);
}
