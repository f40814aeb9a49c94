import type { Registry } from '@vigie/common';
import { Counter, Gauge } from '@vigie/common';

/** The file source's counters, registered once per source on the collector's registry. */
export interface FileSourceMetrics {
  filesWatched: Gauge;
  bytesRead: Counter;
  linesRead: Counter;
  rotations: Counter;
  truncations: Counter;
  checkpointWrites: Counter;
  checkpointFailures: Counter;
  backpressureWaits: Counter;
}

/** Creates the file source's metrics on `registry`. */
export function createFileSourceMetrics(registry: Registry): FileSourceMetrics {
  const registers = [registry];
  return {
    filesWatched: new Gauge({
      name: 'vigie_file_watched_files',
      help: 'Files the file source has open, rotated ones being finished included.',
      registers,
    }),
    bytesRead: new Counter({
      name: 'vigie_file_read_bytes_total',
      help: 'Bytes read from followed files.',
      registers,
    }),
    linesRead: new Counter({
      name: 'vigie_file_read_lines_total',
      help: 'Records (lines, or joined multiline records) read from followed files.',
      registers,
    }),
    rotations: new Counter({
      name: 'vigie_file_rotations_total',
      help: 'Followed files renamed, deleted or copied away by log rotation.',
      registers,
    }),
    truncations: new Counter({
      name: 'vigie_file_truncations_total',
      help: 'Followed files found shorter than the read offset or rewritten from the start.',
      registers,
    }),
    checkpointWrites: new Counter({
      name: 'vigie_file_checkpoint_writes_total',
      help: 'Read offsets persisted to the checkpoint file.',
      registers,
    }),
    checkpointFailures: new Counter({
      name: 'vigie_file_checkpoint_failures_total',
      help: 'Checkpoint writes that failed (full disk...); tailing pauses until one succeeds.',
      registers,
    }),
    backpressureWaits: new Counter({
      name: 'vigie_file_backpressure_waits_total',
      help: 'Times a batch was refused downstream and its file paused before a retry.',
      registers,
    }),
  };
}
