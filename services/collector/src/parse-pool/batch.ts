import type { RawLine } from '../model.js';
import type { EventLine } from './outcome.js';
import { StuckLine } from './outcome.js';
import type { ParseBatch } from './protocol.js';

/** Number of lines of a batch. */
export function batchSize(batch: ParseBatch): number {
  return batch.kind === 'lines' ? batch.lines.length : batch.texts.length;
}

/** Lines `start` to `end` (excluded) of a batch; HTTP lines keep their sequence. */
export function sliceBatch(batch: ParseBatch, start: number, end: number): ParseBatch {
  if (batch.kind === 'lines') return { kind: 'lines', lines: batch.lines.slice(start, end) };
  return {
    kind: 'event-lines',
    texts: batch.texts.slice(start, end),
    context: { ...batch.context, sequence: batch.context.sequence + start },
  };
}

/** Line `at` of a batch as a stuck line. */
export function stuckAt(
  batch: ParseBatch,
  at: number,
  cause: StuckLine['cause'],
  reason: string,
): StuckLine<RawLine | EventLine> {
  if (batch.kind === 'lines') return new StuckLine(batch.lines[at] as RawLine, cause, reason);
  const line: EventLine = {
    text: batch.texts[at] as string,
    context: { ...batch.context, sequence: batch.context.sequence + at },
  };
  return new StuckLine(line, cause, reason);
}
