import type { ConsumedRecord, DeadLetter, RecordBatch, StoredLog } from '@vigie/common';
import { normalizeEvent } from '@vigie/common';

/** How far event time may stray from the bus record's time before the record time picks the index. */
const MAX_EVENT_SKEW_MS = 2 * 24 * 3600 * 1000;

/** A log event ready to store, with the record it came from (for a dead letter if it is refused). */
export interface PreparedLog extends StoredLog {
  record: ConsumedRecord;
  origin: string;
}

/** A batch of bus records turned into documents: log events, and dead letters for the rest. */
export interface PreparedBatch {
  logs: PreparedLog[];
  deadLetters: DeadLetter[];
}

/** Deterministic document id of a bus record: a replay of the record overwrites it. */
export function documentId(topic: string, partition: number, offset: string): string {
  return `${topic}-${partition}-${offset}`;
}

/**
 * Decodes and validates each record. Records that are not JSON or not a log event
 * become dead letters carrying the raw input and the reason; nothing is dropped.
 */
export function prepareBatch(batch: RecordBatch): PreparedBatch {
  const logs: PreparedLog[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const record of batch.records) {
    const id = documentId(batch.topic, batch.partition, record.offset);
    const origin = `${batch.topic}/${batch.partition}/${record.offset}`;
    const text = record.value.toString('utf8');
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (err) {
      const detail = (err as Error).message;
      deadLetters.push({
        id,
        timestamp: record.timestamp,
        reason: 'invalid_json',
        detail,
        original: text,
        origin,
      });
      continue;
    }
    const result = normalizeEvent(input, { defaultTimestamp: record.timestamp });
    if (!result.ok) {
      deadLetters.push({
        id,
        timestamp: record.timestamp,
        reason: result.reason,
        detail: result.detail,
        original: text,
        origin,
      });
      continue;
    }
    const eventTime = Date.parse(result.event['@timestamp']);
    // The index follows event time, unless the event claims a time far from when it was
    // produced; either way the choice is the same on every replay of the record.
    const partitionTime =
      Math.abs(eventTime - record.timestamp) <= MAX_EVENT_SKEW_MS ? eventTime : record.timestamp;
    const log: PreparedLog = { id, event: result.event, partitionTime, record, origin };
    // Unchanged by normalisation (the collector's events are): the record's text is the event.
    if (result.event === input) log.json = text;
    logs.push(log);
  }
  return { logs, deadLetters };
}
