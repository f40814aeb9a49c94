import { Value } from '@sinclair/typebox/value';
import type { LogEvent } from '@vigie/common';
import { LogEventSchema } from '@vigie/common';
import { expect } from 'vitest';
import type { SourceHints } from '../../src/model.js';
import { parseLine } from '../../src/parse/index.js';

/** Reception time of the test lines: 2026-11-28T12:30:00Z. */
export const RECEIVED_AT = Date.UTC(2026, 10, 28, 12, 30);
export const INGESTED = '2026-11-28T12:30:00.000Z';

/** Parses one line from a bare `test` source and checks the event against the schema. */
export function parse(text: string, hints?: SourceHints): LogEvent {
  const event = parseLine({ text, receivedAt: RECEIVED_AT, origin: { source: 'test' }, hints });
  expect(Value.Errors(LogEventSchema, event).First()).toBeUndefined();
  return event;
}

/** What every event of the `test` source carries besides its content. */
export const STAMP = { event: { ingested: INGESTED }, vigie: { source: 'test' } } as const;
