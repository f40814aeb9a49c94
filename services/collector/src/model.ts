import type { LogEvent, Logger, Registry } from '@vigie/common';
import type { EventContext } from './sources/http/event.js';

/**
 * Where a piece of input came from: enough to find the exact lines around it later
 * (same host and file, or same syslog connection / HTTP stream, in writing order).
 */
export interface InputOrigin {
  /** Id of the configured source, e.g. `file`, `syslog-tcp`, `http`, `stdin`. */
  source: string;
  /** Host the input was read on or claims to come from. */
  hostName?: string;
  /** File the line was read from. */
  filePath?: string;
  /** Byte offset of the line's first byte in that file. */
  offset?: number;
  /** Connection, request or process stream, e.g. `tcp:10.0.0.5:51234#3`. */
  stream?: string;
  /** Position of the input in its stream, counting from 0. */
  sequence?: number;
}

/** Format names a source can be told to expect; `auto` detects per line. */
export type LineFormat =
  | 'auto'
  | 'json'
  | 'logfmt'
  | 'nginx'
  | 'apache'
  | 'syslog'
  | 'cri'
  | 'docker'
  | 'text';

/** One line (or one joined multiline record) as read by a source, before parsing. */
export interface RawLine {
  /** The text, decoded as UTF-8 with invalid sequences replaced. */
  text: string;
  /** The line was longer than the limit and was cut. */
  truncated?: boolean;
  origin: InputOrigin;
  /** When the collector read it, epoch ms. */
  receivedAt: number;
  /** What the source's configuration says about this input. */
  hints?: SourceHints;
}

/** Defaults a source applies to what it reads. */
export interface SourceHints {
  service?: string;
  environment?: string;
  format?: LineFormat;
  labels?: Record<string, string>;
}

/**
 * Where parsed events go: Kafka, or the on-disk spool while Kafka is away. `write`
 * resolves once every event is durable (acknowledged by Kafka or fsynced to the spool);
 * it rejects with a `BackpressureError` when neither can take more, and the source must
 * then push back (HTTP 429/503, paused reads) and try again later.
 */
export interface EventSink {
  write(events: LogEvent[]): Promise<void>;
  /**
   * Same as `write`, for events the parse workers already redacted, fitted and
   * serialised: the event loop neither parses nor serialises them again. Optional: the
   * pipeline decodes them for `write` when a sink has no such path.
   */
  writeSerialized?(events: SerializedEvent[]): Promise<void>;
}

/** One event as the bus carries it. */
export interface SerializedEvent {
  /** `service.name`: the bus key, so that a service's events keep their order. */
  key: string;
  /** The event as UTF-8 JSON, at most `MAX_EVENT_BYTES`. */
  value: Buffer;
}

/** NDJSON or text lines of one HTTP request, each to become one event (`lineEvent`). */
export interface EventLines {
  /** The lines, blank ones already left out. */
  texts: string[];
  /** Origin and defaults of the request; `sequence` is that of the first line. */
  context: EventContext;
}

/** A line kept as text because it was not a usable event: its index and `vigie.parse_error`. */
export type LineProblem = [index: number, error: string];

/** What sources hand their input to (the collector pipeline implements it). */
export interface LineSink {
  /**
   * Parses and writes lines read by one source. Resolves when they are durable;
   * rejects with a `BackpressureError` when the source must pause and retry the same
   * lines later (never drop them).
   */
  submitLines(source: string, lines: RawLine[]): Promise<void>;
  /** Same, for events that arrive already structured (HTTP). */
  submitEvents(source: string, events: LogEvent[]): Promise<void>;
  /**
   * Optional: turns the NDJSON lines of one request into events and writes them (on
   * worker threads where it has them), with the same result and the same backpressure
   * as `submitEvents` of the events `lineEvent` makes. Resolves with the lines kept as
   * text, in order, their error as `lineEvent` gave it (before redaction).
   */
  submitEventLines?(source: string, lines: EventLines): Promise<LineProblem[]>;
}

/** What every source is given besides its own settings. */
export interface SourceContext {
  sink: LineSink;
  logger: Logger;
  registry: Registry;
  /** host.name of what this collector reads. */
  hostName: string;
}
