export { BackpressureError } from './errors.js';
export type {
  EventLines,
  EventSink,
  InputOrigin,
  LineFormat,
  LineProblem,
  LineSink,
  RawLine,
  SerializedEvent,
  SourceContext,
  SourceHints,
} from './model.js';
export { parseLine, parseObject, parseSyslog } from './parse/index.js';
export type { CollectorPipelineOptions, ParseWorkersOptions } from './pipeline.js';
export { CollectorPipeline, PARSE_BUDGET_MS, WORKER_MIN_LINES } from './pipeline.js';
export type { Redactor } from './redact/index.js';
export { createRedactor } from './redact/index.js';
export type { CollectorRunOptions, RunningCollector } from './run.js';
export { runCollector } from './run.js';
export { KafkaEventSink } from './sink/index.js';
export type { DemoSourceOptions } from './sources/demo/index.js';
export { DemoSource } from './sources/demo/index.js';
export { FileSource } from './sources/file/index.js';
export { buildHttpApp, HttpSource } from './sources/http/index.js';
export { StdinSource } from './sources/stdin/index.js';
export { SyslogSource } from './sources/syslog/index.js';
