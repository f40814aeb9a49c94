import type { Draft } from './build.js';

/**
 * Plain text lines: a leading timestamp and a level word are read when present, and a
 * multiline record (Java or Python stack trace joined by the source) keeps its first
 * line as message and the rest as error.stack_trace.
 */

/** Regular expressions of this module, exported so a test can check them for ReDoS. */
export const TEXT_PATTERNS = {
  isoPrefix:
    /^\[?(\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?: ?(?:Z|UTC|[+-]\d{2}:?\d{2}))?)\]?(?: +|$)/,
  bsdPrefix: /^([A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(?: +|$)/,
  apachePrefix: /^\[(\d{1,2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\](?: +|$)/,
  level:
    /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|SEVERE|FATAL|CRITICAL|CRIT|ALERT|EMERG|PANIC)\b|\[(trace|debug|info|notice|warn|warning|error|crit|alert|emerg|fatal)\]/,
  traceLine: /^(?:\s+at |\s+File "|Traceback \(most recent call last\)|Caused by: |\s+\.\.\. \d+ more)/,
  exception:
    /^(?:Exception in thread "[^"]{0,256}" )?((?:[A-Za-z_$][\w$]*\.)*[\w$]*(?:Exception|Error|Throwable|Exit|Interrupt))(?:: (.*))?$/,
} as const;

const LEVELS: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  severe: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  panic: 'fatal',
};

// Level words are looked for near the start only: further on they are part of the message.
const LEVEL_WINDOW = 160;

/** The draft of a plain text line. */
export function parseText(text: string): Draft {
  const newline = text.indexOf('\n');
  const firstLine = withoutCr(newline < 0 ? text : text.slice(0, newline));
  const draft: Draft = {};

  const time =
    TEXT_PATTERNS.isoPrefix.exec(firstLine) ??
    TEXT_PATTERNS.apachePrefix.exec(firstLine) ??
    TEXT_PATTERNS.bsdPrefix.exec(firstLine);
  const message = time ? firstLine.slice(time[0].length) : firstLine;
  if (time) draft['@timestamp'] = time[1];
  draft.message = message;

  const level = TEXT_PATTERNS.level.exec(message.slice(0, LEVEL_WINDOW));
  const word = level?.[1] ?? level?.[2];
  if (word) draft['log.level'] = LEVELS[word.toLowerCase()];

  if (newline >= 0) addStackTrace(draft, firstLine, text.slice(newline + 1));
  return draft;
}

function addStackTrace(draft: Draft, firstLine: string, rest: string): void {
  const lines = rest.split('\n').map(withoutCr);
  const firstIsTrace = TEXT_PATTERNS.traceLine.test(firstLine) || TEXT_PATTERNS.exception.test(firstLine);
  if (!firstIsTrace && !lines.some((line) => TEXT_PATTERNS.traceLine.test(line))) {
    // Not a stack trace: a multiline message, kept whole.
    draft.message = `${draft.message}\n${rest}`;
    return;
  }
  const trace = firstIsTrace ? [firstLine, ...lines].join('\n') : lines.join('\n');
  draft['error.stack_trace'] = trace;
  const thrown = exceptionOf(firstIsTrace ? trace : `${firstLine}\n${trace}`);
  if (!thrown) return;
  draft['error.type'] = thrown.type;
  if (thrown.message) draft['error.message'] = thrown.message;
  // A bare Python traceback starts with its header: the exception says more.
  if (firstLine.startsWith('Traceback'))
    draft.message = thrown.message ? `${thrown.type}: ${thrown.message}` : thrown.type;
}

/**
 * The exception class and message of a stack trace: Java names it first (possibly
 * after a log line), Python last, after the frames.
 */
export function exceptionOf(trace: string): { type: string; message?: string } | undefined {
  const lines = trace.split('\n').map(withoutCr);
  const nonEmpty = lines.filter((line) => line.trim() !== '');
  for (const candidate of [lines[0] ?? '', lines[1] ?? '', ...nonEmpty.slice(-1)]) {
    const m = TEXT_PATTERNS.exception.exec(candidate.trim());
    if (m) return m[2] ? { type: m[1] as string, message: m[2] } : { type: m[1] as string };
  }
  return undefined;
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
