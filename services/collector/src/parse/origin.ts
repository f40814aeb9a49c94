import type { LogEvent } from '@vigie/common';
import { UNKNOWN_SERVICE } from '@vigie/common';
import type { InputOrigin, SourceHints } from '../model.js';

/** What the parser knows about a line besides its text. */
export interface ParseContext {
  origin: InputOrigin;
  /** When the collector read the input, epoch ms. */
  receivedAt: number;
  hints?: SourceHints;
  /** The source cut the line to its size limit. */
  truncated?: boolean;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * Stamps an event with where it was read and the source's defaults. Position and
 * source identity always come from the collector (content cannot forge them); host,
 * service and environment only fill in what the content did not name, and the
 * source's labels are defaults under the content's own.
 */
export function applyOrigin(event: LogEvent, context: ParseContext): LogEvent {
  const { origin, hints } = context;
  if (origin.hostName && !event.host?.name) event.host = { ...event.host, name: origin.hostName };

  if (origin.filePath) {
    event.log = { ...event.log, file: { path: origin.filePath } };
    if (isCount(origin.offset)) event.log.offset = origin.offset;
    else delete event.log.offset;
  }

  const ingested = new Date(context.receivedAt).toISOString();
  event.event = { ...event.event, ingested };
  if (isCount(origin.sequence)) event.event.sequence = origin.sequence;
  else delete event.event.sequence;

  const vigie: NonNullable<LogEvent['vigie']> = { ...event.vigie, source: origin.source };
  if (origin.stream) vigie.stream = origin.stream;
  else delete vigie.stream;
  if (context.truncated) vigie.truncated = true;
  event.vigie = vigie;

  if (hints?.service && event.service.name === UNKNOWN_SERVICE) event.service.name = hints.service;
  if (hints?.environment && !event.service.environment) event.service.environment = hints.environment;
  if (hints?.labels && Object.keys(hints.labels).length > 0) {
    event.labels = { ...hints.labels, ...event.labels };
  }
  return event;
}
