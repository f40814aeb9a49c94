export {
  acknowledge,
  comment,
  IncidentActionError,
  IncidentStateError,
  recordFeedback,
  reopenByUser,
  resolveByUser,
} from './actions.js';
export type { AppliedAnomaly } from './apply-anomaly.js';
export { applyAnomaly } from './apply-anomaly.js';
export { describeAnomaly, kindLabel, titleOf } from './describe.js';
export type { IncomingAnomaly } from './grouping.js';
export { dedupKeyOf, groupOf, pickIncident, toIncidentAnomaly } from './grouping.js';
export { tick } from './lifecycle.js';
export { escapeMarkdown, incidentMarkdown } from './markdown.js';
export { applyMuting } from './muting.js';
export { nextNotification, outboxId, pendingEntry } from './notify.js';
export type { IncidentPolicy } from './policy.js';
export { maxSeverity, SEVERITIES, severityAtLeast } from './severity.js';
