import protobuf from 'protobufjs';
import { uncompressSync } from 'snappy';
import { BodyError } from './body.js';

/**
 * Loki's push request (`logproto.PushRequest`, pkg/push/push.proto) with its field
 * numbers; `hash` and any newer fields are skipped by the decoder.
 */
const SCHEMA = `
syntax = "proto3";
package vigie.loki;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message LabelPairAdapter { string name = 1; string value = 2; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }
message PushRequest { repeated StreamAdapter streams = 1; }
`;

const PushRequest = protobuf.parse(SCHEMA, { keepCase: true }).root.lookupType('vigie.loki.PushRequest');

interface DecodedPush {
  streams?: Array<{
    labels?: string;
    entries?: Array<{
      timestamp?: { seconds?: string; nanos?: number };
      line?: string;
      structuredMetadata?: Array<{ name?: string; value?: string }>;
    }>;
  }>;
}

/** Length the snappy block says it inflates to (its leading varint), read before inflating. */
function snappyLength(body: Buffer): number {
  let length = 0;
  for (let i = 0, shift = 0; i < 5 && i < body.length; i++, shift += 7) {
    const byte = body[i] as number;
    length += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return length;
  }
  throw new BodyError('invalid_encoding', 400, 'The body is not a snappy block');
}

/**
 * Decodes the snappy-compressed protobuf push of Promtail, Grafana Alloy and Loki
 * clients into the shape of the JSON push, so both share one reading. The inflated
 * size is checked against `maxBytes` before inflating (a snappy bomb gets 413).
 */
export function decodeLokiProtobuf(body: Buffer, maxBytes: number): unknown {
  const length = snappyLength(body);
  if (length > maxBytes) {
    throw new BodyError('too_large', 413, `The body decompresses to more than ${maxBytes} bytes`);
  }
  let raw: Buffer;
  try {
    raw = uncompressSync(body, { asBuffer: true }) as Buffer;
  } catch {
    throw new BodyError('invalid_encoding', 400, 'The body is not valid snappy data');
  }
  let push: DecodedPush;
  try {
    push = PushRequest.toObject(PushRequest.decode(raw), { longs: String, arrays: true }) as DecodedPush;
  } catch (err) {
    throw new BodyError(
      'invalid_payload',
      400,
      `The body is not a protobuf PushRequest: ${(err as Error).message}`,
    );
  }
  return {
    streams: (push.streams ?? []).map((stream, s) => ({
      stream: parseLabels(stream.labels ?? '', `streams[${s}].labels`),
      values: (stream.entries ?? []).map((entry) => {
        const seconds = BigInt(entry.timestamp?.seconds ?? '0');
        const nanos = BigInt(entry.timestamp?.nanos ?? 0);
        const time = (seconds * 1_000_000_000n + nanos).toString();
        const metadata = Object.fromEntries(
          (entry.structuredMetadata ?? []).map((pair) => [pair.name ?? '', pair.value ?? '']),
        );
        return Object.keys(metadata).length > 0
          ? [time, entry.line ?? '', metadata]
          : [time, entry.line ?? ''];
      }),
    })),
  };
}

const NAME_START = /[a-zA-Z_]/;
const NAME_PART = /[a-zA-Z0-9_]/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"' };

/**
 * Reads a Prometheus label set such as `{job="nginx", env="prod"}` one character at a
 * time (no backtracking pattern on input), refusing anything else with 400.
 */
export function parseLabels(text: string, path: string): Record<string, string> {
  const fail = (what: string) => new BodyError('invalid_payload', 400, `${path}: ${what}`);
  const labels: Record<string, string> = {};
  let i = 0;
  const skipSpace = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  skipSpace();
  if (text[i] !== '{') throw fail('expected a label set such as {job="app"}');
  i++;
  for (;;) {
    skipSpace();
    if (text[i] === '}') break;
    const start = i;
    if (!NAME_START.test(text[i] ?? '')) throw fail(`expected a label name at ${i}`);
    while (NAME_PART.test(text[i] ?? '')) i++;
    const name = text.slice(start, i);
    skipSpace();
    if (text[i] !== '=') throw fail(`expected = after ${name}`);
    i++;
    skipSpace();
    if (text[i] !== '"') throw fail(`expected a quoted value for ${name}`);
    i++;
    let value = '';
    for (;;) {
      const char = text[i];
      if (char === undefined) throw fail(`unterminated value of ${name}`);
      i++;
      if (char === '"') break;
      if (char === '\\') {
        const escaped = text[i];
        if (escaped === undefined) throw fail(`unterminated value of ${name}`);
        value += ESCAPES[escaped] ?? escaped;
        i++;
      } else value += char;
    }
    labels[name] = value;
    skipSpace();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '}') break;
    throw fail(`expected , or } after the value of ${name}`);
  }
  i++;
  skipSpace();
  if (i !== text.length) throw fail('unexpected text after the label set');
  return labels;
}
