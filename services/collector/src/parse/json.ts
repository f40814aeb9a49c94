import type { Draft } from './build.js';
import { exceptionOf } from './text.js';

/**
 * Maps the field names of common JSON loggers onto the schema before `normalizeEvent`,
 * which already reads ECS (nested or dotted) and `msg`/`level`/`time`/`ts`:
 * - pino / bunyan: numeric `level`, `hostname`, `pid`, `name`, `err`;
 * - winston: `level`, `message`, `timestamp`, `stack`;
 * - zap: `ts` (float seconds), `msg`, `logger`, `caller`, `stacktrace`, `error`;
 * - logrus: `msg`, `level`, `time`, `error`;
 * - structlog: `event` (the message), `logger`, `exception`;
 * - log4j2 JsonLayout: `instant`/`timeMillis`, `loggerName`, `thread`, `thrown`.
 * Everything not mapped stays where it is, and ends up under attributes.
 */
export function mapJsonLogger(input: Record<string, unknown>): Draft {
  const draft: Draft = { ...input };
  mapTimestamp(draft);
  mapMessage(draft);
  move(draft, 'hostname', 'host.name', isText);
  move(draft, 'pid', 'process.pid', isCount);
  move(draft, 'loggerName', 'log.logger', isText);
  move(draft, 'logger', 'log.logger', isText);
  move(draft, 'name', 'log.logger', isText);
  move(draft, 'lvl', 'level', isScalar);
  // zap's development-panic level logs like an error in production.
  if (draft.level === 'dpanic') draft.level = 'error';
  for (const key of ['level', 'severity']) {
    if (draft[key] !== undefined && !isScalar(draft[key])) move(draft, key, `attributes.${key}`, () => true);
  }
  move(draft, 'trace_id', 'trace.id', isText);
  move(draft, 'traceId', 'trace.id', isText);
  move(draft, 'span_id', 'span.id', isText);
  move(draft, 'spanId', 'span.id', isText);
  mapError(draft);
  return draft;
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isScalar = (v: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof v);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Moves `from` to the dotted path `to` when `to` is free and the value fits. */
function move(draft: Draft, from: string, to: string, fits: (v: unknown) => boolean): void {
  const value = draft[from];
  if (value === undefined || !fits(value) || hasPath(draft, to)) return;
  draft[to] = value;
  delete draft[from];
}

function hasPath(draft: Draft, dotted: string): boolean {
  if (draft[dotted] !== undefined) return true;
  const [head, ...rest] = dotted.split('.');
  let node: unknown = draft[head as string];
  for (const part of rest) node = isObject(node) ? node[part] : undefined;
  return node !== undefined;
}

function mapTimestamp(draft: Draft): void {
  if (draft['@timestamp'] !== undefined) return;
  for (const key of ['timestamp', 'time', 'ts', 'timeMillis', 'datetime', 'date']) {
    if (draft[key] !== undefined && isScalar(draft[key])) {
      draft['@timestamp'] = draft[key];
      delete draft[key];
      return;
    }
  }
  // log4j2 JsonLayout: {"instant": {"epochSecond": 1795000000, "nanoOfSecond": 123456789}}
  const instant = draft.instant;
  if (isObject(instant) && typeof instant.epochSecond === 'number') {
    const nanos = typeof instant.nanoOfSecond === 'number' ? instant.nanoOfSecond : 0;
    draft['@timestamp'] = instant.epochSecond * 1000 + Math.floor(nanos / 1e6);
    delete draft.instant;
  }
}

function mapMessage(draft: Draft): void {
  if (draft.message === undefined && draft.msg === undefined && typeof draft.event === 'string') {
    draft.message = draft.event; // structlog names the message `event`; ECS `event` is an object
    delete draft.event;
  }
  for (const key of ['message', 'msg']) {
    const value = draft[key];
    if (value !== undefined && value !== null && typeof value === 'object') {
      draft[key] = JSON.stringify(value);
    }
  }
}

/** Error objects (pino/bunyan `err`, log4j `thrown`) and stack fields become error.*. */
function mapError(draft: Draft): void {
  for (const key of ['err', 'error', 'thrown', 'exception']) {
    const value = draft[key];
    if (!isObject(value)) continue;
    const type = value.type ?? value.name ?? value.class;
    if (isText(type)) draft['error.type'] = type;
    const message = value.message ?? value.localizedMessage;
    if (isText(message)) draft['error.message'] = message;
    const stack = value.stack ?? value.stack_trace ?? stackText(value.extendedStackTrace ?? value.stackTrace);
    if (isText(stack)) draft['error.stack_trace'] = stack;
    const { type: _t, name: _n, message: _m, stack: _s, ...rest } = value;
    delete draft[key];
    if (Object.keys(rest).length > 0) draft[`attributes.${key}`] = rest;
    return;
  }
  // zap and logrus write the error as text (`"error": "open x: no such file"`).
  for (const key of ['error', 'err']) move(draft, key, 'error.message', isText);
  for (const key of ['stack', 'stacktrace', 'exception']) {
    if (isText(draft[key]) && !hasPath(draft, 'error.stack_trace')) {
      const trace = draft[key] as string;
      draft['error.stack_trace'] = trace;
      delete draft[key];
      const thrown = exceptionOf(trace);
      if (thrown?.type && !hasPath(draft, 'error.type')) draft['error.type'] = thrown.type;
      if (thrown?.message && !hasPath(draft, 'error.message')) draft['error.message'] = thrown.message;
    }
  }
}

/** log4j2 stack frames as Java prints them. */
function stackText(frames: unknown): string | undefined {
  if (!Array.isArray(frames)) return undefined;
  const lines = frames.filter(isObject).map((f) => {
    const where = f.file === undefined ? 'Unknown Source' : `${f.file}:${f.line}`;
    return `\tat ${f.class}.${f.method}(${where})`;
  });
  return lines.length > 0 ? lines.join('\n') : undefined;
}
