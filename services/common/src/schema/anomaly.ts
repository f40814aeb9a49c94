// The anomaly record and the bucket metric document are shared by the processor that
// writes them, the stores that keep them, and the API and alerter that read them.

/**
 * `event.dataset` of deploy markers (`POST /api/deploys`): they travel as log events of
 * the service, so they reach its partition in order with its logs.
 */
export const DEPLOY_DATASET = 'vigie.deploy';

/** What the detectors look for, in the order lists and reviews show them. */
export const ANOMALY_KINDS = [
  'error_spike',
  'latency',
  'volume_high',
  'volume_low',
  'new_pattern',
  'brute_force',
  'password_spraying',
  'scan',
] as const;

/** What a detector looks for. */
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** How loud an anomaly is; derived from its score. */
export type Severity = 'info' | 'warning' | 'critical';

/** The slice of a service an anomaly is about. `service` alone when `field` is absent. */
export interface Dimension {
  /** ECS field that splits the service, e.g. `url.path`, `host.name`, `source.ip`, `template`. */
  field?: string;
  value?: string;
}

/** One value that accounts for part of what is anomalous, against its baseline. */
export interface Contributor {
  field: string;
  value: string;
  observed: number;
  expected: number;
  /** Share of the excess over the baseline that this value explains, 0..1. */
  share: number;
}

/** Where an anomaly stands. */
export type AnomalyState = 'open' | 'closed';

/**
 * An anomaly as stored (`vigie-anomalies`) and published (`vigie.anomalies`). The same
 * id is written on open, on every update and on close, so the latest version wins.
 */
export interface Anomaly {
  id: string;
  kind: AnomalyKind;
  service: string;
  dimension: Dimension;
  state: AnomalyState;
  /** Event time of the first anomalous bucket, ISO 8601. */
  start: string;
  /** Event time when it closed; absent while ongoing. */
  end?: string;
  /** Event time of the latest evaluation. */
  updated: string;
  score: number;
  severity: Severity;
  /** What was measured in the latest anomalous window and what the baseline expected. */
  observed: number;
  expected: number;
  lower: number;
  upper: number;
  /** Unit of observed/expected: `events`, `ratio`, `ms`, `failures`, `paths`. */
  unit: string;
  /** Width of the evaluated window in ms. */
  windowMs: number;
  explanation: string;
  contributors: Contributor[];
  sampleEventIds: string[];
  /** A query for the search page that shows the events behind the anomaly. */
  query: string;
  /** The version change the anomaly followed, if it started soon after one. */
  change?: ChangeMarker;
}

/**
 * The order of an anomaly's versions, for stores that keep only the latest: later
 * `updated` first, and at the same `updated` a close wins over an open. A processor that
 * lost its partition can still write an older version after the new owner wrote a newer
 * one; stores compare this number and keep the newer.
 */
export function anomalyVersion(anomaly: Pick<Anomaly, 'updated' | 'state'>): number {
  return Date.parse(anomaly.updated) * 2 + (anomaly.state === 'closed' ? 1 : 0);
}

/** A new version of a service seen in the logs or posted as a deploy marker. */
export interface ChangeMarker {
  service: string;
  version: string;
  /** Epoch ms. */
  at: number;
  source: 'logs' | 'deploy';
}

/**
 * One closed bucket of one series with the band its detectors expected, as indexed into
 * `vigie-metrics` for the charts (observed against expected).
 */
export interface BucketMetric {
  service: string;
  /** `url.path` or `host.name` for a route or host series; absent for the service. */
  field?: string;
  value?: string;
  /** Bucket start, ISO 8601. */
  '@timestamp': string;
  bucketMs: number;
  count: number;
  errors: number;
  errorRatio: number;
  status: { '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  latency?: { samples: number; p50: number; p95: number; p99: number };
  expected: {
    errorRatio?: number;
    errorRatioUpper?: number;
    /** Events per window of the volume detector (see `windowMs`). */
    count?: number;
    countLower?: number;
    countUpper?: number;
    p95?: number;
    p95Lower?: number;
    p95Upper?: number;
    windowMs: number;
  };
}
