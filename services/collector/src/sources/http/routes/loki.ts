import { Type } from '@sinclair/typebox';
import type { LogEvent } from '@vigie/common';
import type { FastifyPluginAsync } from 'fastify';
import type { RawLine, SourceHints } from '../../../model.js';
import { BodyError, bodyBytes, bodyText, mediaType, parseJson, parseJsonBody } from '../body.js';
import { deliver, eventContext, type RouteContext, rawLine } from '../context.js';
import { type EventContext, toEvent } from '../event.js';
import { decodeLokiProtobuf } from '../loki-proto.js';
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
 * and the entry's nanosecond time the event time of JSON lines that name none. Other
 * lines go to the line parsers (`submitLines`), which do not take the entry time yet:
 * they fall back to the time of reception unless the line names its own.
 * The snappy-compressed protobuf form (Promtail's and Alloy's default) is read too.
 * A malformed entry refuses the push with 400 and its path, as Loki does.
 */
export const lokiRoutes: FastifyPluginAsync<{ context: RouteContext }> = async (app, { context }) => {
  app.post('/loki/api/v1/push', { schema: { response: { 204: Type.Null() } } }, async (request, reply) => {
    const type = mediaType(request);
    const protobuf = type === 'application/x-protobuf' || type === 'application/protobuf';
    if (!protobuf && type !== 'application/json') {
      throw new BodyError(
        'unsupported_media_type',
        415,
        'POST /loki/api/v1/push takes snappy-compressed protobuf (application/x-protobuf) or application/json',
      );
    }
    const body = protobuf
      ? decodeLokiProtobuf(bodyBytes(request), context.maxBodyBytes)
      : parseJsonBody(bodyText(request));
    if (!isObject(body) || !Array.isArray(body.streams)) throw invalid('streams', 'expected an array');
    const base = eventContext(request, SOURCE_IDS.loki, context.defaultService);
    const events: LogEvent[] = [];
    const lines: RawLine[] = [];
    let sequence = 0;
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
          sequence: sequence++,
          timestamp: Number(BigInt(time) / 1_000_000n),
          defaultService: pick(entryLabels, SERVICE_LABELS) ?? context.defaultService,
          labels: entryLabels,
        };
        const environment = pick(entryLabels, ENVIRONMENT_LABELS);
        if (environment !== undefined) entryContext.environment = environment;
        const host = pick(entryLabels, HOST_LABELS);
        const event = jsonLineEvent(line, entryContext);
        if (event === undefined) {
          const raw = rawLine(line, entryContext, lineHints(entryContext));
          if (host !== undefined) raw.origin.hostName = host;
          lines.push(raw);
          continue;
        }
        if (host !== undefined && event.host?.name === undefined) event.host = { ...event.host, name: host };
        events.push(event);
      }
    }
    await deliver(context, '/loki/api/v1/push', SOURCE_IDS.loki, events, lines);
    return reply.code(204).send();
  });
};

/**
 * A JSON line read as an event, timed by the entry when it names no time of its own;
 * undefined for other lines, which go to the collector's line parsers (nginx, logfmt,
 * syslog, plain text) like lines read from a file.
 */
function jsonLineEvent(line: string, context: EventContext): LogEvent | undefined {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = parseJson(trimmed);
  } catch {
    return undefined;
  }
  const event = toEvent(value, context);
  if (event.vigie?.parse_error !== undefined) event.message = line;
  return event;
}

function lineHints(context: EventContext): SourceHints {
  const hints: SourceHints = { service: context.defaultService };
  if (context.environment !== undefined) hints.environment = context.environment;
  if (context.labels !== undefined) hints.labels = context.labels;
  return hints;
}
