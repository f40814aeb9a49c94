/**
 * Lifecycle shared by every pipeline stage (source, transform, sink), after the
 * OpenTelemetry Collector's component model: `start()` once, `stop()` idempotent and safe
 * without `start()`. Stages are composed, never subclassed. Backpressure flows upstream:
 * a sink that cannot keep up makes its caller wait; no stage swallows a downstream error.
 */
export interface Component {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A stage that receives items and resolves only once they are durably handled. */
export interface Sink<T> extends Component {
  /** Run at boot: throws when the destination is unreachable. */
  healthcheck(): Promise<void>;
  /** Resolves when every item is stored or dead-lettered; rejects only if `signal` aborts. */
  write(items: T[], signal: AbortSignal): Promise<void>;
}
