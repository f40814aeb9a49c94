import type { FastifyInstance } from 'fastify';
import type { AlertingDeps } from './context.js';
import { registerDeliveryRoutes } from './deliveries.js';
import { registerDetectorReviewRoute } from './detector-review.js';
import { registerFeedbackRoutes } from './feedback.js';
import { registerIncidentRoutes } from './incidents.js';
import { registerRuleRoutes } from './rules.js';
import { registerSilenceRoutes } from './silences.js';

export type { AlertingDeps } from './context.js';

/**
 * Every alerting route: incidents, silences, feedback and the detector review, the delivery
 * log, rules, receivers.
 */
export function registerAlertingRoutes(app: FastifyInstance, deps: AlertingDeps): void {
  registerIncidentRoutes(app, deps);
  registerSilenceRoutes(app, deps);
  registerFeedbackRoutes(app, deps);
  registerDetectorReviewRoute(app, deps);
  registerDeliveryRoutes(app, deps);
  registerRuleRoutes(app, deps);
}
