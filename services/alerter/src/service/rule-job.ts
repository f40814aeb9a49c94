import type { Logger } from '@vigie/common';
import { summarizeError } from '@vigie/common';
import type { RuleEvaluator } from '../rules/index.js';
import type { BackgroundJob } from './alerter.js';
import type { IncidentFlow } from './incident-flow.js';

/**
 * Evaluates the log alert rules every `everyMs` and files what they raise through the
 * same incident flow as detected anomalies, so rules group, route and notify alike.
 */
export function ruleJob(options: {
  rules: RuleEvaluator;
  flow: IncidentFlow;
  everyMs: number;
  logger: Logger;
  now?: () => number;
}): BackgroundJob {
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = (async () => {
        const at = now();
        const anomalies = await options.rules.evaluate(at);
        if (anomalies.length > 0) await options.flow.handleAnomalies(anomalies, at);
      })()
        .catch((err) =>
          options.logger.warn({ err: summarizeError(err) }, 'Log alert rules not evaluated; retrying.'),
        )
        .finally(schedule);
    }, options.everyMs);
  };
  return {
    start: schedule,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
