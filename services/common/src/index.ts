export { compareCodeUnits } from './code-unit-order.js';
export type { AlerterConfig, ReceiverConfig, RouteConfig } from './config/alerter.js';
export { AlerterConfigSchema, ReceiverConfigSchema, RouteConfigSchema } from './config/alerter.js';
export { CollectorConfigSchema, LineFormatSchema } from './config/collector.js';
export type { ElasticsearchConfig, ElasticsearchRetentionConfig, KafkaConfig } from './config/engines.js';
export {
  ElasticsearchConfigSchema,
  KafkaConfigSchema,
  KafkaSslConfigSchema,
} from './config/engines.js';
export { readConfiguredFile } from './config/files.js';
export type { ConfigKey, LoadConfigOptions, LoadedConfig } from './config/load.js';
export { configKeys, loadConfig, redactConfig } from './config/load.js';
export type { CollectorConfig, FileSourceConfig, VigieConfig } from './config/schema.js';
export { ConfigSchema, DEFAULT_OPS_PORTS } from './config/schema.js';
export type { ErrorSummary } from './errors.js';
export {
  ConfigError,
  EngineAuthError,
  isRetriable,
  summarizeError,
  UnavailableError,
  VigieError,
} from './errors.js';
export type { Logger } from './logger.js';
export { createLogger } from './logger.js';
export type { Registry } from './observability/metrics.js';
export { Counter, createRegistry, Gauge, Histogram } from './observability/metrics.js';
export type { OpsServerOptions, Readiness, RoleOps } from './observability/ops-server.js';
export { startOpsServer, startRoleOps } from './observability/ops-server.js';
export type { Component, Sink } from './pipeline.js';
export type { AlertStore, AttemptFilter, FeedbackFilter, IncidentFilter } from './ports/alert-store.js';
export { ConflictError } from './ports/alert-store.js';
export type { AnomalyFilter, DetectionStore, SavedState } from './ports/detection-store.js';
export { metricId } from './ports/detection-store.js';
export type {
  BatchContext,
  BusRecord,
  ConsumedRecord,
  LogBus,
  RecordBatch,
  SubscribeOptions,
  Subscription,
} from './ports/log-bus.js';
export type {
  AnomalyCount,
  AnomalyQuery,
  ContextSource,
  ContextSourceKind,
  EventContext,
  EventHistogram,
  FieldInfo,
  LogSearch,
  MetricQuery,
  RouteLatency,
  RouteLatencyQuery,
  SearchCursor,
  SearchHit,
  SearchPage,
  SearchRequest,
  SearchScope,
  ServiceBucket,
  ServiceSeen,
  ServiceSeries,
  TimeRange,
  TopValues,
} from './ports/log-search.js';
export {
  FIELD_INFO_TYPES,
  HIGHLIGHT_END,
  HIGHLIGHT_START,
  latencyChange,
  mergeServiceBucket,
  WEEK_MS,
} from './ports/log-search.js';
export type { DeadLetter, LogStore, StoredLog, WriteOutcome } from './ports/log-store.js';
export * from './query/index.js';
export type {
  Anomaly,
  AnomalyKind,
  AnomalyState,
  BucketMetric,
  ChangeMarker,
  Contributor,
  Dimension,
  Severity,
} from './schema/anomaly.js';
export { ANOMALY_KINDS, anomalyVersion, DEPLOY_DATASET } from './schema/anomaly.js';
export type {
  AlertRule,
  DeliveryAttempt,
  Feedback,
  FeedbackVerdict,
  Incident,
  IncidentAnomaly,
  IncidentGroup,
  IncidentStatus,
  Notification,
  NotificationAction,
  NotificationEvidence,
  NotifiedDetails,
  NotifiedState,
  OutboxEntry,
  OutboxStatus,
  RuleCondition,
  Silence,
  SilenceMatcher,
  TimelineEntry,
  TimelineEntryType,
} from './schema/incident.js';
export type { LogEvent } from './schema/log-event.js';
export { LOG_LEVELS, LogEventSchema } from './schema/log-event.js';
export type { NormalizeOptions, NormalizeResult, RejectReason } from './schema/normalize.js';
export { expandDottedKeys, normalizeEvent, UNKNOWN_SERVICE } from './schema/normalize.js';
export { untrustedCertificateCode } from './tls-errors.js';
export { untilAvailable } from './until-available.js';
export { workerEntry } from './worker-entry.js';
