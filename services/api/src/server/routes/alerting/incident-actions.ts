// What people do to incidents and silences is decided in @vigie/alerter (pure functions
// shared with the alerter); the routes only read, apply, and save with conflict retry.
export {
  acknowledge,
  comment,
  incidentMarkdown,
  recordFeedback,
  reopenByUser,
  resolveByUser,
  validateSilence,
} from '@vigie/alerter';
