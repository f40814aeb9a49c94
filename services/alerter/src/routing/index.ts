export type { FeedbackTarget } from './feedback.js';
export { feedbackActive, feedbackMatches } from './feedback.js';
export type { RouteTarget } from './route.js';
export { routeIncident, routeMatches } from './route.js';
export { silenceActive, silenceMatches } from './silence.js';
export type { SilenceValidation, ValidateSilenceOptions } from './validate-silence.js';
export { validateSilence } from './validate-silence.js';
