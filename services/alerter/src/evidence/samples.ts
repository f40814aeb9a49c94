import { createRedactor, type Redactor } from '@vigie/collector';
import { type LogEvent, type LogSearch, VigieError } from '@vigie/common';
import { clip } from './format.js';

/** Longest sample line in a notification, in characters. */
export const SAMPLE_LINE_MAX = 300;
/** Sample lines per anomaly. */
export const SAMPLES_PER_ANOMALY = 3;

// Control characters would break a line in two (or rewrite a terminal); bidirectional
// overrides would make a line read differently from what it says.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

let defaultRedactor: Redactor | undefined;

/** The collector's default redaction rules (cards, bearer tokens, JWTs, secret pairs, AWS keys). */
export function defaultSampleRedactor(): Redactor {
  defaultRedactor ??= createRedactor({ defaults: true, rules: [] });
  return defaultRedactor;
}

/**
 * One line for a notification: time, level and message (or the error's message when the
 * event has no message) on one line (line breaks and runs of spaces become one space), secrets masked by `redact` before the line is cut to
 * {@link SAMPLE_LINE_MAX} characters (a cut could leave half a secret that no rule
 * recognises any more). Mutates `event` (the redactor works in place).
 */
export function sampleLine(event: LogEvent, redact: Redactor): string {
  redact(event);
  const text = event.message || event.error?.message || event.event?.original || '';
  const level = event.log?.level ? ` ${event.log.level.toUpperCase()}` : '';
  const line = `${event['@timestamp']}${level} ${text}`
    .replace(UNSAFE_CHARACTERS, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return clip(line, SAMPLE_LINE_MAX);
}

/** Sample lines of an anomaly, or why there are none. */
export interface SampleLines {
  lines: string[];
  /** Set when the log search failed or timed out: the lines are missing, not absent. */
  unavailable?: string;
}

/**
 * Reads the first {@link SAMPLES_PER_ANOMALY} events of `ids` by id through the search
 * port (`context(id, 0, 0)`: an id lookup, no query text is built from the ids) and turns
 * them into redacted lines. Events no longer stored are skipped; a failing or slow search
 * yields no lines and a reason, never an error, so a notification never waits on logs.
 */
export async function fetchSampleLines(
  search: LogSearch,
  ids: readonly string[],
  redact: Redactor,
  timeoutMs: number,
): Promise<SampleLines> {
  const wanted = [...new Set(ids)].slice(0, SAMPLES_PER_ANOMALY);
  if (wanted.length === 0) return { lines: [] };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    const found = await Promise.race([Promise.all(wanted.map((id) => search.context(id, 0, 0))), timeout]);
    const lines: string[] = [];
    for (const context of found) if (context) lines.push(sampleLine(context.anchor.event, redact));
    return { lines };
  } catch (err) {
    return { lines: [], unavailable: `Sample log lines unavailable: ${searchFailure(err)}.` };
  } finally {
    clearTimeout(timer);
  }
}

// The error's stable code (or class) only: its message could quote the store's address
// or the request it failed on, and notifications leave for third-party tools.
function searchFailure(err: unknown): string {
  if (err instanceof TimeoutError) return `the log search did not answer within ${err.timeoutMs} ms`;
  const code = err instanceof VigieError ? err.code : err instanceof Error ? err.name : 'unknown error';
  return `the log search failed (${code})`;
}

class TimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}
