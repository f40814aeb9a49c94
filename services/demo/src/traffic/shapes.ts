import type { LogEvent } from '@vigie/common';

/**
 * One log file on one host: `event.sequence` counts its lines and `log.offset` is where
 * each line starts, so that "show the lines around this one" works on generated data.
 */
export class HostLog {
  sequence = 0;
  offset = 0;

  constructor(
    readonly name: string,
    readonly file: string,
  ) {}

  /** Reserves the next line of `bytes` bytes; returns its offset (the sequence is read before). */
  advance(bytes: number): number {
    const at = this.offset;
    this.sequence++;
    this.offset += bytes + 1;
    return at;
  }
}

/** What every event of a service carries. */
export interface Origin {
  timestamp: string;
  service: string;
  version: string;
  environment: string;
  host: HostLog;
}

/** A finished HTTP request. */
export interface Request {
  method: string;
  path: string;
  status: number;
  ms: number;
  ip: string;
}

/** A logged error. */
export interface Failure {
  type: string;
  message: string;
  stackTrace?: string;
}

// JSON application logs carry roughly this much around the message (timestamp, level, ids).
const JSON_ENVELOPE_BYTES = 160;

function level(status: number): string {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

function nanos(ms: number): number {
  return Math.round(ms * 1e6);
}

/** An nginx access-log line (combined format plus request time) and its parsed fields. */
export function accessEvent(o: Origin, r: Request, bytes: number, userAgent: string, time: string): LogEvent {
  const message = `${r.ip} - - [${time}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${bytes} "-" "${userAgent}" ${(r.ms / 1000).toFixed(3)}`;
  const sequence = o.host.sequence;
  return {
    '@timestamp': o.timestamp,
    message,
    log: { level: level(r.status), file: { path: o.host.file }, offset: o.host.advance(message.length) },
    service: { name: o.service, version: o.version, environment: o.environment },
    host: { name: o.host.name },
    http: {
      request: { method: r.method },
      response: { status_code: r.status, body: { bytes } },
      version: '1.1',
    },
    url: { path: r.path },
    user_agent: { original: userAgent },
    source: { ip: r.ip },
    event: {
      dataset: 'nginx.access',
      duration: nanos(r.ms),
      sequence,
      category: ['web'],
      outcome: r.status >= 400 ? 'failure' : 'success',
    },
  };
}

/** A JSON log line of an API, one per request; failed requests carry their error. */
export function apiEvent(o: Origin, r: Request, traceId: string, failure?: Failure): LogEvent {
  const ms = Math.round(r.ms);
  const message = failure
    ? `${r.method} ${r.path} failed with ${r.status} after ${ms} ms: ${failure.message}`
    : `${r.method} ${r.path} completed with ${r.status} in ${ms} ms`;
  const sequence = o.host.sequence;
  const bytes = message.length + JSON_ENVELOPE_BYTES + (failure?.stackTrace?.length ?? 0);
  const event: LogEvent = {
    '@timestamp': o.timestamp,
    message,
    log: {
      level: level(r.status),
      logger: 'http',
      file: { path: o.host.file },
      offset: o.host.advance(bytes),
    },
    service: { name: o.service, version: o.version, environment: o.environment },
    host: { name: o.host.name },
    http: { request: { method: r.method }, response: { status_code: r.status } },
    url: { path: r.path },
    source: { ip: r.ip },
    event: {
      dataset: 'app.http',
      duration: nanos(r.ms),
      sequence,
      category: ['web'],
      outcome: r.status >= 400 ? 'failure' : 'success',
    },
    trace: { id: traceId },
  };
  if (failure) event.error = errorField(failure);
  return event;
}

/** An authentication audit line: a login, logout or token refresh. */
export function authEvent(
  o: Origin,
  r: Request,
  action: string,
  user: string,
  outcome: 'success' | 'failure',
  failure?: Failure,
): LogEvent {
  const what = actionLabel(action);
  const message = failure
    ? `${what} error for user ${user} from ${r.ip}: ${failure.message}`
    : outcome === 'failure'
      ? `${what} failed for user ${user} from ${r.ip}: invalid credentials`
      : `${what} succeeded for user ${user} from ${r.ip}`;
  const sequence = o.host.sequence;
  const event: LogEvent = {
    '@timestamp': o.timestamp,
    message,
    log: {
      level: failure ? 'error' : outcome === 'failure' ? 'warn' : 'info',
      logger: 'auth.audit',
      file: { path: o.host.file },
      offset: o.host.advance(message.length + JSON_ENVELOPE_BYTES),
    },
    service: { name: o.service, version: o.version, environment: o.environment },
    host: { name: o.host.name },
    http: { request: { method: r.method }, response: { status_code: r.status } },
    url: { path: r.path },
    source: { ip: r.ip },
    user: { name: user },
    event: {
      dataset: 'auth.audit',
      action,
      duration: nanos(r.ms),
      sequence,
      category: ['authentication'],
      outcome: failure ? 'failure' : outcome,
    },
  };
  if (failure) event.error = errorField(failure);
  return event;
}

/** A background job's completion or failure. */
export function jobEvent(o: Origin, job: string, id: number, ms: number, failure?: Failure): LogEvent {
  const rounded = Math.round(ms);
  const message = failure
    ? `Job ${job} #${id} failed after ${rounded} ms: ${failure.message}`
    : `Job ${job} #${id} completed in ${rounded} ms`;
  const sequence = o.host.sequence;
  const bytes = message.length + JSON_ENVELOPE_BYTES + (failure?.stackTrace?.length ?? 0);
  const event: LogEvent = {
    '@timestamp': o.timestamp,
    message,
    log: {
      level: failure ? 'error' : 'info',
      logger: 'jobs',
      file: { path: o.host.file },
      offset: o.host.advance(bytes),
    },
    service: { name: o.service, version: o.version, environment: o.environment },
    host: { name: o.host.name },
    event: {
      dataset: 'app.worker',
      action: job,
      duration: nanos(ms),
      sequence,
      outcome: failure ? 'failure' : 'success',
    },
  };
  if (failure) event.error = errorField(failure);
  return event;
}

/** An uncaught exception logged on its own (no request fields), as Java services do. */
export function exceptionEvent(o: Origin, dataset: string, failure: Failure): LogEvent {
  const message = `Unhandled exception: ${failure.type}: ${failure.message}`;
  const sequence = o.host.sequence;
  return {
    '@timestamp': o.timestamp,
    message,
    log: {
      level: 'error',
      logger: 'uncaught',
      file: { path: o.host.file },
      offset: o.host.advance(message.length + JSON_ENVELOPE_BYTES + (failure.stackTrace?.length ?? 0)),
    },
    service: { name: o.service, version: o.version, environment: o.environment },
    host: { name: o.host.name },
    event: { dataset, sequence, outcome: 'failure' },
    error: errorField(failure),
  };
}

/** A plain informational line, such as a start-up banner. */
export function infoEvent(o: Origin, dataset: string, message: string): LogEvent {
  const sequence = o.host.sequence;
  return {
    '@timestamp': o.timestamp,
    message,
    log: {
      level: 'info',
      file: { path: o.host.file },
      offset: o.host.advance(message.length + JSON_ENVELOPE_BYTES),
    },
    service: { name: o.service, version: o.version, environment: o.environment },
    host: { name: o.host.name },
    event: { dataset, sequence },
  };
}

function errorField(failure: Failure): NonNullable<LogEvent['error']> {
  return failure.stackTrace
    ? { type: failure.type, message: failure.message, stack_trace: failure.stackTrace }
    : { type: failure.type, message: failure.message };
}

const ACTION_LABELS = new Map<string, string>();

/** `user-login` reads `Login`, `token-refresh` reads `Token refresh` (cached: one per action). */
function actionLabel(action: string): string {
  let label = ACTION_LABELS.get(action);
  if (label === undefined) {
    const words = action.replace(/^user-/, '').replaceAll('-', ' ');
    label = words.charAt(0).toUpperCase() + words.slice(1);
    ACTION_LABELS.set(action, label);
  }
  return label;
}
