export { formatValue, headlineAnomaly, summarySentence } from './format.js';
export { anomalyLogsLink, incidentLink, LINK_LEAD_MS } from './links.js';
export {
  buildNotification,
  CONTRIBUTORS_MAX,
  DEFAULT_SAMPLE_TIMEOUT_MS,
  EVIDENCE_MAX,
  type EvidenceDeps,
  evidenceAnomalies,
} from './notification.js';
export {
  defaultSampleRedactor,
  fetchSampleLines,
  SAMPLE_LINE_MAX,
  SAMPLES_PER_ANOMALY,
  type SampleLines,
  sampleLine,
} from './samples.js';
