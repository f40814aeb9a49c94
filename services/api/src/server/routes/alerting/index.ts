import type { FastifyInstance } from 'fastify';
import type { AlertingDeps } from './context.js';
import { registerDeliveryRoutes } from './deliveries.js';
import { registerFeedbackRoutes } from './feedback.js';
import { registerIncidentRoutes } from './incidents.js';
import { registerRuleRoutes } from './rules.js';
import { registerSilenceRoutes } from './silences.js';

export type { AlertingDeps } from './context.js';

/** Every alerting route: incidents, silences, feedback, the delivery log, rules, receivers. */
export function registerAlertingRoutes(app: FastifyInstance, deps: AlertingDeps): void {
  registerIncidentRoutes(app, deps);
  registerSilenceRoutes(app, deps);
  registerFeedbackRoutes(app, deps);
  registerDeliveryRoutes(app, deps);
  registerRuleRoutes(app, deps);
}
