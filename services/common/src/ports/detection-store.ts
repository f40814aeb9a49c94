import type { Anomaly, AnomalyKind, AnomalyState, BucketMetric } from '../schema/anomaly.js';
import type { WriteOutcome } from './log-store.js';

/** A saved detection state: the engine snapshot of one partition and where it stands. */
export interface SavedState {
  /** JSON of the engine snapshot. */
  state: string;
  /** Offset of the last record the state includes, as a decimal string. */
  offset: string;
  /** When it was saved, epoch ms. */
  savedAt: number;
}

/** Which anomalies to list; every filter is optional. */
export interface AnomalyFilter {
  service?: string;
  kind?: AnomalyKind;
  state?: AnomalyState;
  /** Only anomalies updated at or after this time, epoch ms. */
  since?: number;
  limit?: number;
}

/**
 * Where detection keeps its output and its state: anomalies (the latest version of each
 * id), bucket metrics for the charts, and engine snapshots so a restarted processor,
 * or the new owner of a partition, resumes where the previous one stopped. Writes are
 * idempotent by id, like the log store's.
 */
export interface DetectionStore {
  /** Installs templates or tables; safe to call on every start. */
  setupDetection(): Promise<void>;
  /** Writes anomaly records; a record replaces the earlier version of the same id. */
  writeAnomalies(anomalies: Anomaly[]): Promise<WriteOutcome[]>;
  /** Writes bucket metrics (id: series and bucket start, so a replay overwrites). */
  writeMetrics(metrics: BucketMetric[]): Promise<WriteOutcome[]>;
  /** Anomalies, most recently updated first. */
  listAnomalies(filter?: AnomalyFilter): Promise<Anomaly[]>;
  getAnomaly(id: string): Promise<Anomaly | undefined>;
  /** Replaces the saved state under `key` (e.g. `group/topic/partition`). */
  saveState(key: string, state: SavedState): Promise<void>;
  loadState(key: string): Promise<SavedState | undefined>;
}

/** Deterministic id of a bucket metric document. */
export function metricId(metric: BucketMetric): string {
  return [metric.service, metric.field ?? '', metric.value ?? '', metric['@timestamp']].join('|');
}
