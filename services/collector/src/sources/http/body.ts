import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { VigieError } from '@vigie/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';
import type { BodyRejection } from './metrics.js';

/** A request refused for what its body is; the status and reason go to the client and metrics. */
export class BodyError extends VigieError {
  /** Read by fastify to choose the status. */
  readonly statusCode: number;

  constructor(
    readonly reason: BodyRejection,
    status: number,
    message: string,
  ) {
    super(`VIGIE_ERR_HTTP_${reason.toUpperCase()}`, message, { httpStatus: status });
    this.name = 'BodyError';
    this.statusCode = status;
  }
}

/** Counts bytes through it and fails once more than `limit` have passed. */
class ByteLimit extends Transform {
  /** Read by fastify to compare with Content-Length when the body was decompressed. */
  receivedEncodedLength = 0;
  /** Bytes that went through so far. */
  seen = 0;

  constructor(
    private readonly limit: number,
    private readonly onOverflow: () => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      callback(this.onOverflow());
      return;
    }
    callback(null, chunk);
  }
}

/**
 * Makes every route receive its body as one Buffer, decompressed when the client sent
 * `Content-Encoding: gzip` or `deflate`. Decompression is bounded by `maxBodyBytes` as
 * well: the inflater is torn down as soon as its output passes the limit, so a gzip bomb
 * costs a few milliseconds of CPU and 413, never the memory it claims.
 */
export function installBodyHandling(app: FastifyInstance, maxBodyBytes: number): void {
  app.removeAllContentTypeParsers();
  // Routes decode NDJSON, JSON and protobuf themselves: one parser keeps the bytes as sent.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) =>
    done(null, body),
  );
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity' || encoding === '' || !hasBody(request)) return payload;
    if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
      throw new BodyError('unsupported_encoding', 415, 'Content-Encoding must be gzip, deflate or identity');
    }
    const inflater = encoding === 'deflate' ? createInflate() : createGunzip();
    const wire = new ByteLimit(
      maxBodyBytes,
      () => new BodyError('too_large', 413, `The compressed body is larger than ${maxBodyBytes} bytes`),
    );
    const output = new ByteLimit(
      maxBodyBytes,
      () => new BodyError('too_large', 413, `The body decompresses to more than ${maxBodyBytes} bytes`),
    );
    const fail = (err: Error) => {
      const cause =
        err instanceof BodyError
          ? err
          : new BodyError('invalid_encoding', 400, `The body is not valid ${encoding} data`);
      payload.unpipe(wire);
      wire.destroy();
      inflater.destroy();
      output.destroy(cause);
    };
    wire.on('error', fail);
    inflater.on('error', fail);
    wire.on('end', () => {
      output.receivedEncodedLength = wire.seen;
    });
    // Fastify listens for errors only while it reads the body; one left unread (a route
    // that answers without it) must not become an uncaught 'error' event. Whatever the
    // error, the inflater stops at once instead of waiting for garbage collection.
    output.on('error', () => {
      payload.unpipe(wire);
      wire.destroy();
      inflater.destroy();
    });
    wireCounters.set(request, wire);
    payload.pipe(wire).pipe(inflater).pipe(output);
    return output;
  });
}

/** Whether the request announces a body: GET probes with a stray Content-Encoding have none. */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return length.trim() !== '0';
  return request.headers['transfer-encoding'] !== undefined;
}

const wireCounters = new WeakMap<FastifyRequest, ByteLimit>();

/** Body bytes the client sent, as sent: compressed size for compressed bodies. */
export function receivedBytes(request: FastifyRequest): number {
  const wire = wireCounters.get(request);
  if (wire !== undefined) return wire.seen;
  return Buffer.isBuffer(request.body) ? request.body.length : 0;
}

/** The body as UTF-8 text, invalid sequences replaced (log content is not trusted to be valid). */
export function bodyText(request: FastifyRequest): string {
  const body = request.body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return typeof body === 'string' ? body : '';
}

/** The body as bytes (empty when there is none). */
export function bodyBytes(request: FastifyRequest): Buffer {
  const body = request.body;
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : '', 'utf8');
}

/** Parses JSON, dropping `__proto__` and `constructor.prototype` keys (prototype pollution). */
export function parseJson(text: string): unknown {
  return sjson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
}

/** JSON of a whole body, or a 400 that says where it broke. */
export function parseJsonBody(text: string): unknown {
  try {
    return parseJson(text);
  } catch (err) {
    throw new BodyError('invalid_json', 400, `The body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Splits NDJSON into lines, keeping their 1-based numbers; blank lines are skipped. */
export function splitLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const value = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (value.trim() !== '') out.push({ line: i + 1, text: value });
  }
  return out;
}

/** The media type of the request without parameters, lower case ('' when absent). */
export function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
