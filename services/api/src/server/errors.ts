import { QueryError, VigieError } from '@vigie/common';
import type { FastifyError, FastifyInstance } from 'fastify';

/** The error body of every API answer (see /tmp/api-contract.md). */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    position?: { start: number; end: number; line: number; column: number };
  };
}

/** A resource that does not exist: answered with 404. */
export class NotFoundError extends VigieError {
  constructor(message: string) {
    super('VIGIE_ERR_NOT_FOUND', message, { httpStatus: 404 });
    this.name = 'NotFoundError';
  }
}

/**
 * Maps every error to `{ error: { code, message, position? } }`: query errors and bad
 * parameters to 400 with the position to underline, a store that does not answer to
 * 503, anything unexpected to 500 without its details (they are logged instead).
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (err instanceof QueryError) {
      const body: ErrorBody = {
        error: {
          code: err.code,
          message: err.message,
          position: { start: err.offset, end: err.end, line: err.line, column: err.column },
        },
      };
      return reply.status(400).send(body);
    }
    if (err instanceof VigieError && err.httpStatus !== undefined) {
      if (err.httpStatus >= 500) request.log.warn({ err }, 'Request failed.');
      return reply.status(err.httpStatus).send({ error: { code: err.code, message: err.message } });
    }
    const fastifyError = err as FastifyError;
    if (fastifyError.validation) {
      return reply.status(400).send({ error: { code: 'VIGIE_ERR_BAD_REQUEST', message: err.message } });
    }
    // Only fastify's own client errors (bad JSON, too long, unsupported type) are the
    // caller's: a 4xx from Elasticsearch is our bug, answered 500 and never shown.
    const status = fastifyError.statusCode;
    if (fastifyError.code?.startsWith('FST_') && status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send({ error: { code: 'VIGIE_ERR_BAD_REQUEST', message: err.message } });
    }
    request.log.error({ err }, 'Request failed unexpectedly.');
    return reply.status(500).send({ error: { code: 'VIGIE_ERR_INTERNAL', message: 'Internal error' } });
  });
}
