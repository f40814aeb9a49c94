/**
 * A parser for tests that loads into the parse workers (`parserModule`): the built-in
 * parsers (of lines, and of HTTP NDJSON lines), except that a line containing `SLOW`
 * spins for 5 s (a pathological line), a line containing `NAP` waits 400 ms without using
 * the CPU (a thread the machine does not schedule) and a line containing `CRASH` ends its
 * worker thread.
 */
import type { LogEvent } from '@vigie/common';
import type { RawLine } from '../../src/model.js';
import { parseLine as builtIn } from '../../src/parse/index.js';
import type { EventContext } from '../../src/sources/http/event.js';
import { lineEvent as builtInEventLine } from '../../src/sources/http/line-event.js';

function misbehaveOn(text: string): void {
  if (text.includes('SLOW')) {
    const until = Date.now() + 5000;
    while (Date.now() < until);
  }
  if (text.includes('NAP')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
  if (text.includes('CRASH')) process.exit(3);
}

export function parseLine(line: RawLine): LogEvent {
  misbehaveOn(line.text);
  return builtIn(line);
}

export function lineEvent(text: string, context: EventContext): LogEvent {
  misbehaveOn(text);
  return builtInEventLine(text, context);
}
