import type { AlerterConfig } from '@vigie/common';

/**
 * How anomalies become incidents: the part of the alerter's configuration the pure
 * incident functions need. Times are milliseconds.
 */
export type IncidentPolicy = Pick<
  AlerterConfig,
  'groupWindowMs' | 'resolveAfterMs' | 'flapTransitions' | 'flapWindowMs' | 'environment' | 'labels'
>;
