import { randomBytes } from 'node:crypto';
import type { LogEvent } from '@vigie/common';
import type { RawLine } from '../../model.js';
import { BodyError, parseJson, splitLines } from './body.js';
import { rawLine } from './context.js';
import { type EventContext, textEvent, toEvent } from './event.js';

type Json = Record<string, unknown>;

/** One item of an Elasticsearch bulk response. */
export type BulkItem = Record<string, Json>;

/** What a bulk body turned into: what to submit and what to answer for each action. */
export interface BulkBatch {
  events: LogEvent[];
  lines: RawLine[];
  items: BulkItem[];
}

const OPERATIONS = new Set(['index', 'create', 'delete', 'update']);

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const newId = () => randomBytes(10).toString('base64url');

function refused(op: string, index: string, id: string, type: string, reason: string): BulkItem {
  return { [op]: { _index: index, _id: id, status: 400, error: { type, reason } } };
}

/**
 * Reads an Elasticsearch `_bulk` body: action/document pairs of NDJSON. `index` and
 * `create` documents become events (a document with nothing but `message` goes to the
 * line parsers like any text line); `delete` and `update` get an error item, as
 * Elasticsearch does for an action it refuses, without failing the other actions.
 * A malformed action line refuses the whole body with 400, like Elasticsearch.
 */
export function readBulk(text: string, defaultIndex: string | undefined, base: EventContext): BulkBatch {
  const batch: BulkBatch = { events: [], lines: [], items: [] };
  const rows = splitLines(text);
  let sequence = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as { line: number; text: string };
    let action: unknown;
    try {
      action = parseJson(row.text);
    } catch (err) {
      throw new BodyError(
        'invalid_payload',
        400,
        `line ${row.line}: malformed action/metadata line: ${(err as Error).message}`,
      );
    }
    const keys = isObject(action) ? Object.keys(action) : [];
    const op = keys[0];
    const meta = op === undefined || !isObject(action) ? undefined : action[op];
    if (keys.length !== 1 || op === undefined || !OPERATIONS.has(op) || !isObject(meta)) {
      throw new BodyError(
        'invalid_payload',
        400,
        `line ${row.line}: expected an action line such as {"index":{}} or {"create":{"_index":"logs"}}`,
      );
    }
    const index = typeof meta._index === 'string' ? meta._index : defaultIndex;
    const id = typeof meta._id === 'string' ? meta._id : newId();
    if (op === 'delete') {
      batch.items.push(
        refused(
          op,
          index ?? '',
          id,
          'illegal_argument_exception',
          'Vigie keeps logs: delete is not supported',
        ),
      );
      continue;
    }
    const doc = rows[i + 1];
    if (doc === undefined) {
      throw new BodyError(
        'invalid_payload',
        400,
        `line ${row.line}: the ${op} action has no document line after it`,
      );
    }
    i += 1;
    if (op === 'update') {
      batch.items.push(
        refused(
          op,
          index ?? '',
          id,
          'illegal_argument_exception',
          'Vigie keeps logs: update is not supported',
        ),
      );
      continue;
    }
    if (index === undefined) {
      batch.items.push(
        refused(op, '', id, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;'),
      );
      continue;
    }
    const context = { ...base, sequence: sequence++ };
    readDocument(doc.text, context, batch);
    batch.items.push({
      [op]: {
        _index: index,
        _id: id,
        _version: 1,
        result: 'created',
        status: 201,
        _shards: { total: 1, successful: 1, failed: 0 },
        _seq_no: context.sequence,
        _primary_term: 1,
      },
    });
  }
  return batch;
}

function readDocument(text: string, context: EventContext, batch: BulkBatch): void {
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch (err) {
    batch.events.push(textEvent(text, context, `invalid JSON: ${(err as Error).message}`));
    return;
  }
  if (isObject(doc) && typeof doc.message === 'string' && Object.keys(doc).length === 1) {
    batch.lines.push(rawLine(doc.message, context, { service: context.defaultService }));
    return;
  }
  const event = toEvent(isObject(doc) ? rsyslogDefaults(doc) : doc, context);
  if (event.vigie?.parse_error !== undefined) event.message = text;
  batch.events.push(event);
}

/**
 * rsyslog omelasticsearch's default template names its fields its own way
 * (`timereported`, `fromhost`, `priority`, `facility`): read them as the schema's
 * fields, so that an rsyslog shipping with no template of its own gives usable events.
 * Other documents are left as they are.
 */
export function rsyslogDefaults(doc: Json): Json {
  if (typeof doc.timereported !== 'string' || typeof doc.fromhost !== 'string') return doc;
  const { timereported, fromhost, priority, facility, timegenerated, ...rest } = doc;
  const out: Json = { '@timestamp': timereported, host: { name: fromhost }, ...rest };
  if (typeof priority === 'string') out['log.level'] = priority;
  if (typeof facility === 'string') out['log.syslog.facility.name'] = facility;
  if (timegenerated !== undefined) out.rsyslog = { timegenerated };
  return out;
}
