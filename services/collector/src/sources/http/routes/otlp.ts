import { Type } from '@sinclair/typebox';
import type { LogEvent } from '@vigie/common';
import type { FastifyPluginAsync } from 'fastify';
import { BodyError, bodyText, mediaType, parseJsonBody } from '../body.js';
import { deliver, eventContext, type RouteContext } from '../context.js';
import { SOURCE_IDS } from '../options.js';
import { otlpEvent, otlpRecords } from '../otlp-map.js';

const MAX_ERRORS_IN_MESSAGE = 5;

const ExportLogsServiceResponse = Type.Object({
  partialSuccess: Type.Optional(
    Type.Object({
      rejectedLogRecords: Type.String({ description: 'Records refused (int64 as a string, per OTLP/JSON).' }),
      errorMessage: Type.String({ description: 'Why, for the first few of them.' }),
    }),
  ),
});

/**
 * `POST /v1/logs`: OTLP/HTTP logs in the JSON encoding. The protobuf encoding is
 * answered 415 with a message naming the JSON setting, as the OTLP specification lets a
 * server that supports one encoding do. A record that cannot be mapped is counted in
 * `partialSuccess` and its neighbours are kept; a body whose structure is wrong gets 400.
 */
export const otlpRoutes: FastifyPluginAsync<{ context: RouteContext }> = async (app, { context }) => {
  app.post('/v1/logs', { schema: { response: { 200: ExportLogsServiceResponse } } }, async (request) => {
    const type = mediaType(request);
    if (type === 'application/x-protobuf' || type === 'application/protobuf') {
      throw new BodyError(
        'unsupported_media_type',
        415,
        'Vigie receives OTLP/HTTP logs in the JSON encoding: set the exporter protocol to http/json (OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=http/json)',
      );
    }
    if (type !== 'application/json') {
      throw new BodyError('unsupported_media_type', 415, 'POST /v1/logs takes application/json (OTLP/JSON)');
    }
    const records = otlpRecords(parseJsonBody(bodyText(request)));
    const base = eventContext(request, SOURCE_IDS.otlp, context.defaultService);
    const events: LogEvent[] = [];
    const errors: string[] = [];
    for (const item of records) {
      try {
        events.push(otlpEvent(item, { ...base, sequence: events.length }));
      } catch (err) {
        errors.push(`${item.path}: ${(err as Error).message}`);
      }
    }
    if (errors.length > 0) context.metrics.rejected.inc({ reason: 'invalid_payload' });
    await deliver(context, '/v1/logs', SOURCE_IDS.otlp, events);
    if (errors.length === 0) return {};
    const shown = errors.slice(0, MAX_ERRORS_IN_MESSAGE).join('; ');
    const more =
      errors.length > MAX_ERRORS_IN_MESSAGE ? ` (and ${errors.length - MAX_ERRORS_IN_MESSAGE} more)` : '';
    return { partialSuccess: { rejectedLogRecords: String(errors.length), errorMessage: `${shown}${more}` } };
  });
};
