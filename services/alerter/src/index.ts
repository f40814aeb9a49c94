// The alerter: anomalies become incidents, incidents become notifications that reach the
// on-call through their incident tools, delivered from a persisted outbox.
export type { AlerterConfigCheck } from './config-check.js';
export { checkAlerterConfig, requireValidAlerterConfig } from './config-check.js';
export * from './delivery/index.js';
export * from './digest/index.js';
export * from './evidence/index.js';
export * from './incidents/index.js';
export * from './receivers/index.js';
export * from './routing/index.js';
export * from './rules/index.js';
export type { AlerterOptions, BackgroundJob } from './service/alerter.js';
export { Alerter } from './service/alerter.js';
export type { IncidentFlowOptions } from './service/incident-flow.js';
export { IncidentFlow } from './service/incident-flow.js';
export type { AlerterEngines, RunningAlerter } from './service/run.js';
export { runAlerter } from './service/run.js';
