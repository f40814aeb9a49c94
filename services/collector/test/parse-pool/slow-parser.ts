/**
 * A parser for tests that loads into the parse workers (`parserModule`): the built-in
 * parser, except that a line containing `SLOW` spins for 5 s (a pathological line) and a
 * line containing `CRASH` ends its worker thread.
 */
import type { LogEvent } from '@vigie/common';
import type { RawLine } from '../../src/model.js';
import { parseLine as builtIn } from '../../src/parse/index.js';

export function parseLine(line: RawLine): LogEvent {
  if (line.text.includes('SLOW')) {
    const until = Date.now() + 5000;
    while (Date.now() < until);
  }
  if (line.text.includes('CRASH')) process.exit(3);
  return builtIn(line);
}
