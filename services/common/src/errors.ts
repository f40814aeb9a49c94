/**
 * The error base of Vigie. Every error carries a stable code (for docs, metrics and
 * clients), whether retrying the same operation can succeed, and an HTTP status where
 * one applies.
 */
export class VigieError extends Error {
  /** Stable identifier such as `VIGIE_ERR_CONFIG`. */
  readonly code: string;
  /** True when the same operation may succeed later (timeouts, 429, 5xx, broker moves). */
  readonly retriable: boolean;
  /** HTTP status to answer with, when the error reaches an HTTP client. */
  readonly httpStatus: number | undefined;

  constructor(
    code: string,
    message: string,
    options: { retriable?: boolean; httpStatus?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigieError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.httpStatus = options.httpStatus;
  }
}

/** Raised at start-up when the configuration is invalid; the message lists every problem. */
export class ConfigError extends VigieError {
  constructor(message: string, code = 'VIGIE_ERR_CONFIG') {
    super(code, message);
    this.name = 'ConfigError';
  }
}

/**
 * Raised when an engine (Kafka, Elasticsearch) refuses Vigie's credentials, or Vigie
 * does not trust the engine's certificate: waiting cannot help until the configuration
 * changes, so a role fails its start-up with this message (which never holds a secret)
 * instead of retrying.
 */
export class EngineAuthError extends ConfigError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, 'VIGIE_ERR_ENGINE_AUTH');
    this.name = 'EngineAuthError';
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** Raised when a storage or bus backend cannot be reached or answers with a transient failure. */
export class UnavailableError extends VigieError {
  constructor(what: string, cause?: unknown) {
    super('VIGIE_ERR_UNAVAILABLE', `${what} is unavailable`, { retriable: true, httpStatus: 503, cause });
    this.name = 'UnavailableError';
  }
}

/** True for errors worth retrying: Vigie's own retriable errors. */
export function isRetriable(err: unknown): boolean {
  return err instanceof VigieError && err.retriable;
}

/** What is safe and useful to log about an error. */
export interface ErrorSummary {
  type: string;
  message: string;
  code?: string;
  cause?: string;
}

const MAX_LOGGED_MESSAGE = 500;

/**
 * A short, log-safe description of an error and its cause. Client errors can carry the
 * whole request (an Elasticsearch bulk body: megabytes of attacker-controlled log
 * content) in their metadata; this keeps the names and messages only, truncated.
 */
export function summarizeError(err: unknown): ErrorSummary {
  const cut = (text: string) =>
    text.length > MAX_LOGGED_MESSAGE ? `${text.slice(0, MAX_LOGGED_MESSAGE)}…` : text;
  if (!(err instanceof Error)) return { type: typeof err, message: cut(String(err)) };
  const summary: ErrorSummary = { type: err.name, message: cut(err.message) };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') summary.code = code;
  if (err.cause instanceof Error) summary.cause = cut(`${err.cause.name}: ${err.cause.message}`);
  return summary;
}
