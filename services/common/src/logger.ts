import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Paths pino censors wherever they appear in a log record, so secrets never reach the logs. */
const REDACTED_PATHS = [
  'password',
  'apiKey',
  'authorization',
  '*.password',
  '*.apiKey',
  '*.authorization',
  '*.*.password',
  '*.*.apiKey',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
];

/**
 * The one root logger of a process (JSON on stdout). Components take
 * `logger.child({ component })`. Ingested content is attacker-controlled: never pass an
 * event as the merging object; nest it under a key and truncate it.
 */
export function createLogger(options: { level?: string; role?: string } = {}): Logger {
  return pino({
    level: options.level ?? 'info',
    base: { role: options.role, pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
