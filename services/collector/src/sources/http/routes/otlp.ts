import { Type } from '@sinclair/typebox';
import type { LogEvent } from '@vigie/common';
import type { FastifyPluginAsync } from 'fastify';
import { BodyError, bodyBytes, bodyText, mediaType, parseJsonBody } from '../body.js';
import { deliver, eventContext, type RouteContext } from '../context.js';
import { SOURCE_IDS } from '../options.js';
import { otlpEvent, otlpRecords } from '../otlp-map.js';
import { decodeOtlpProtobuf, encodeOtlpResponse } from '../otlp-proto.js';

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
 * `POST /v1/logs`: OTLP/HTTP logs, protobuf (the SDKs' default) or JSON encoding, both
 * mapped by `otlpEvent`. A record that cannot be mapped is counted in `partialSuccess`
 * and its neighbours are kept; a body whose structure is wrong gets 400. The 200 schema
 * describes the JSON answer; protobuf requests get the same message in protobuf.
 */
export const otlpRoutes: FastifyPluginAsync<{ context: RouteContext }> = async (app, { context }) => {
  app.post(
    '/v1/logs',
    { schema: { response: { 200: ExportLogsServiceResponse } } },
    async (request, reply) => {
      const type = mediaType(request);
      const protobuf = type === 'application/x-protobuf' || type === 'application/protobuf';
      if (!protobuf && type !== 'application/json') {
        throw new BodyError(
          'unsupported_media_type',
          415,
          'POST /v1/logs takes OTLP as application/x-protobuf or application/json',
        );
      }
      const decoded = protobuf ? decodeOtlpProtobuf(bodyBytes(request)) : parseJsonBody(bodyText(request));
      const records = otlpRecords(decoded);
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

      const shown = errors.slice(0, MAX_ERRORS_IN_MESSAGE).join('; ');
      const more =
        errors.length > MAX_ERRORS_IN_MESSAGE ? ` (and ${errors.length - MAX_ERRORS_IN_MESSAGE} more)` : '';
      const partialSuccess =
        errors.length === 0
          ? undefined
          : { rejectedLogRecords: String(errors.length), errorMessage: `${shown}${more}` };
      // The answer uses the encoding of the request, as the OTLP specification requires.
      if (protobuf) return reply.type('application/x-protobuf').send(encodeOtlpResponse(partialSuccess));
      return partialSuccess === undefined ? {} : { partialSuccess };
    },
  );
};
