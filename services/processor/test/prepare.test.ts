import type { RecordBatch } from '@vigie/common';
import { sampleEvent } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { prepareBatch } from '../src/index.js';

const RECORD_TIME = Date.UTC(2026, 10, 28, 12);

function batch(values: string[], timestamp = RECORD_TIME): RecordBatch {
  return {
    topic: 'vigie.logs',
    partition: 2,
    records: values.map((value, i) => ({
      key: 'k',
      value: Buffer.from(value),
      timestamp,
      offset: String(100 + i),
    })),
  };
}

describe('prepareBatch', () => {
  it('gives each record a deterministic id from topic, partition and offset', () => {
    const prepared = prepareBatch(batch([JSON.stringify(sampleEvent(1)), JSON.stringify(sampleEvent(2))]));
    expect(prepared.logs.map((l) => l.id)).toEqual(['vigie.logs-2-100', 'vigie.logs-2-101']);
    expect(prepared.logs[0]?.event).toEqual(sampleEvent(1));
    expect(prepared.deadLetters).toEqual([]);
  });

  it("passes the record's text on as the event's JSON only when normalisation left the event as sent", () => {
    const sent = JSON.stringify(sampleEvent(1));
    const [asSent, changed] = prepareBatch(batch([sent, '{"msg":"x","level":"warning"}'])).logs;
    expect(asSent?.json).toBe(sent);
    expect(JSON.parse(asSent?.json ?? '')).toEqual(asSent?.event);
    // Aliases mapped and the level made canonical: the text is no longer the event.
    expect(changed?.event).toMatchObject({ message: 'x', log: { level: 'warn' } });
    expect(changed?.json).toBeUndefined();
  });

  it('keeps what is not JSON or not an event as dead letters, raw and with the reason', () => {
    const prepared = prepareBatch(
      batch(['{"message": "cut', '[1,2]', '{"message":"x","http":{"response":{"status_code":"teapot"}}}']),
    );
    expect(prepared.logs).toEqual([]);
    expect(prepared.deadLetters.map((d) => [d.reason, d.original, d.origin])).toEqual([
      ['invalid_json', '{"message": "cut', 'vigie.logs/2/100'],
      ['not_an_object', '[1,2]', 'vigie.logs/2/101'],
      [
        'schema_violation',
        '{"message":"x","http":{"response":{"status_code":"teapot"}}}',
        'vigie.logs/2/102',
      ],
    ]);
    expect(prepared.deadLetters[2]?.detail).toContain('http.response.status_code');
    expect(prepared.deadLetters.every((d) => d.timestamp === RECORD_TIME)).toBe(true);
  });

  it('files an event under its own time, or under the record time when the event time is far off', () => {
    const recent = { ...sampleEvent(1), '@timestamp': new Date(RECORD_TIME - 3600_000).toISOString() };
    const ancient = { ...sampleEvent(2), '@timestamp': '1999-01-01T00:00:00Z' };
    const prepared = prepareBatch(batch([JSON.stringify(recent), JSON.stringify(ancient)]));
    expect(prepared.logs.map((l) => l.partitionTime)).toEqual([RECORD_TIME - 3600_000, RECORD_TIME]);
    // The event keeps the time it claims.
    expect(prepared.logs[1]?.event['@timestamp']).toBe('1999-01-01T00:00:00Z');
  });

  it('replaces invalid UTF-8 instead of failing', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"message":"caf'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","service":{"name":"a"}}'),
    ]);
    const prepared = prepareBatch({
      ...batch([]),
      records: [{ key: null, value: bytes, timestamp: RECORD_TIME, offset: '7' }],
    });
    expect(prepared.logs[0]?.event.message).toBe('caf\uFFFD(');
  });
});
