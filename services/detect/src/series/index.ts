export { parseTimestamp, runDetectSeriesCommand } from './cli.js';
export { SeriesDetector, type SeriesVerdict } from './detector.js';
export { DEFAULT_SERIES_OPTIONS, resolveSeriesOptions, type SeriesDetectorOptions } from './options.js';
export { SERIES_SNAPSHOT_VERSION, type SeriesDetectorSnapshot } from './snapshot.js';
