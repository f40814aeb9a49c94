import type { Logger } from '@vigie/common';
import { type logCreator, logLevel } from 'kafkajs';

/** Hands kafkajs's log entries to the process's pino logger. */
export function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _kafkaLogger, ...fields } = log;
      const child = { ...fields, kafkaNamespace: namespace };
      if (level === logLevel.ERROR) logger.error(child, message);
      else if (level === logLevel.WARN) logger.warn(child, message);
      else if (level === logLevel.INFO) logger.info(child, message);
      else logger.debug(child, message);
    };
}

/** kafkajs's own threshold matching a pino level; kafkajs's INFO lines are chatty, so they map to debug. */
export function kafkaLogLevel(level: string): logLevel {
  switch (level) {
    case 'trace':
    case 'debug':
      return logLevel.DEBUG;
    case 'info':
    case 'warn':
      return logLevel.WARN;
    case 'silent':
      return logLevel.NOTHING;
    default:
      return logLevel.ERROR;
  }
}
