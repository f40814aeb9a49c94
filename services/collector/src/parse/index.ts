import type { LogEvent } from '@vigie/common';
import type { InputOrigin, LineFormat, RawLine, SourceHints } from '../model.js';
import { ACCESS_LOG_PATTERNS, parseAccessLog } from './access-log.js';
import { buildEvent, type Draft, errorEvent, MAX_DEPTH, nestsDeeperThan } from './build.js';
import { CONTAINER_PATTERNS, type ContainerWrapper, unwrapCri, unwrapDocker } from './container.js';
import { DETECT_PATTERNS, detectFormat } from './detect.js';
import { mapJsonLogger } from './json.js';
import { LOGFMT_PATTERNS, parseLogfmt } from './logfmt.js';
import type { ParseContext } from './origin.js';
import { addStructuredData, parseSyslog, SYSLOG_PATTERNS, syslogDraft } from './syslog.js';
import { parseText, TEXT_PATTERNS } from './text.js';
import { TIMESTAMP_PATTERNS } from './timestamp.js';

export type { SyslogMessage } from './syslog.js';
export { FACILITIES, parseSyslog, SEVERITIES } from './syslog.js';

/** Every regular expression the parsers run on input, by module, for the ReDoS test. */
export const PATTERNS: Record<string, Record<string, RegExp>> = {
  accessLog: ACCESS_LOG_PATTERNS,
  container: CONTAINER_PATTERNS,
  detect: DETECT_PATTERNS,
  logfmt: LOGFMT_PATTERNS,
  syslog: SYSLOG_PATTERNS,
  text: TEXT_PATTERNS,
  timestamp: TIMESTAMP_PATTERNS,
};

const BOM = '\uFEFF';

/**
 * Turns a raw line into an event; never throws. The format comes from the source's
 * hints or is detected per line; a line that cannot be parsed becomes an event whose
 * message is the line, flagged with `vigie.parse_error`.
 */
export function parseLine(line: RawLine): LogEvent {
  const context: ParseContext = {
    origin: line.origin,
    receivedAt: line.receivedAt,
    hints: line.hints,
    truncated: line.truncated,
  };
  let text = typeof line.text === 'string' ? line.text : String(line.text);
  if (text.startsWith(BOM)) text = text.slice(1);
  if (text.endsWith('\n')) text = text.slice(0, -1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  try {
    if (text.trim() === '') return errorEvent(text, 'empty line', context);
    return parseFormat(text, line.hints?.format ?? 'auto', context, undefined);
  } catch (err) {
    // A parser bug must cost one line, not the batch: the line is kept as it came.
    return errorEvent(text, `parser failure: ${(err as Error)?.name ?? 'unknown'}`, context);
  }
}

/**
 * Turns an event that arrived already as a JSON object (HTTP /ingest, Elasticsearch
 * _bulk documents) into a valid event, mapping logger field names like JSON lines;
 * never throws.
 */
export function parseObject(
  value: unknown,
  context: { origin: InputOrigin; receivedAt: number; hints?: SourceHints },
): LogEvent {
  const parseContext: ParseContext = { ...context };
  try {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return errorEvent(preview(value), 'not a JSON object', parseContext);
    }
    if (nestsDeeperThan(value, MAX_DEPTH)) {
      return errorEvent(preview(value), `nested deeper than ${MAX_DEPTH} levels`, parseContext);
    }
    const draft = mapJsonLogger(value as Record<string, unknown>);
    // The preview (the whole object as JSON) is only needed if the event cannot be made valid.
    return buildEvent(draft, () => preview(value), parseContext);
  } catch (err) {
    return errorEvent(preview(value), `parser failure: ${(err as Error)?.name ?? 'unknown'}`, parseContext);
  }
}

function parseFormat(
  text: string,
  format: LineFormat,
  context: ParseContext,
  wrapper: ContainerWrapper | undefined,
): LogEvent {
  const detected = format === 'auto' ? detectFormat(text) : format;
  // A wrapper's inner line is never unwrapped again: one level is what runtimes write.
  const finish = (draft: Draft, addExact?: (event: LogEvent) => void) =>
    buildEvent(wrapper ? withWrapper(draft, wrapper) : draft, text, context, addExact);
  switch (detected) {
    case 'json':
      return parseJsonLine(text, context, wrapper);
    case 'docker': {
      const value = parseJsonObject(text);
      const docker = typeof value === 'object' && !wrapper ? unwrapDocker(value) : undefined;
      if (!docker) return errorEvent(text, 'not a docker json-file line', context);
      return parseFormat(docker.inner, 'auto', context, docker);
    }
    case 'cri': {
      const cri = wrapper ? undefined : unwrapCri(text);
      if (!cri) return errorEvent(text, 'not a CRI line', context);
      return parseFormat(cri.inner, 'auto', context, cri);
    }
    case 'logfmt': {
      const draft = parseLogfmt(text);
      return draft ? finish(draft) : errorEvent(text, 'no key=value pair', context);
    }
    case 'nginx':
    case 'apache': {
      const draft = parseAccessLog(text, format === 'auto' ? undefined : detected);
      return draft ? finish(draft) : errorEvent(text, 'not a combined access log line', context);
    }
    case 'syslog': {
      const message = parseSyslog(text);
      if (!message) return errorEvent(text, 'not a syslog message', context);
      const draft = syslogDraft(message, !context.hints?.service);
      return finish(draft, (expanded) => addStructuredData(message, expanded));
    }
    case 'text':
      return finish(parseText(text));
    default:
      return errorEvent(text, 'unknown format', context);
  }
}

function parseJsonLine(text: string, context: ParseContext, wrapper: ContainerWrapper | undefined): LogEvent {
  const value = parseJsonObject(text);
  if (value === 'invalid') return errorEvent(text, 'invalid JSON', context);
  if (value === 'not-object') return errorEvent(text, 'JSON value is not an object', context);
  if (nestsDeeperThan(value, MAX_DEPTH)) {
    return errorEvent(text, `JSON nested deeper than ${MAX_DEPTH} levels`, context);
  }
  const docker = wrapper ? undefined : unwrapDocker(value);
  if (docker) return parseFormat(docker.inner, 'auto', context, docker);
  const draft = mapJsonLogger(value);
  return buildEvent(wrapper ? withWrapper(draft, wrapper) : draft, text, context);
}

function parseJsonObject(text: string): Record<string, unknown> | 'invalid' | 'not-object' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'invalid';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not-object';
  return value as Record<string, unknown>;
}

/** The runtime's time applies when the line has none; its stream and split flag go to attributes. */
function withWrapper(draft: Draft, wrapper: ContainerWrapper): Draft {
  const out: Draft = { ...draft };
  if (out['@timestamp'] === undefined) out['@timestamp'] = wrapper.time;
  out['attributes.container.stream'] = wrapper.stream;
  if (wrapper.partial) out['attributes.container.partial'] = true;
  return out;
}

// A message made from an object the parser could not use: its JSON, cut to a size
// that keeps the event small.
function preview(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  const text = json ?? String(value);
  return text.length > 64 * 1024 ? text.slice(0, 64 * 1024) : text;
}
