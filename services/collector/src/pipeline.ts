import type { LogEvent, Registry } from '@vigie/common';
import { Counter } from '@vigie/common';
import type { EventSink, LineSink, RawLine } from './model.js';
import { fitEvent } from './transform/fit.js';

/**
 * A line whose parse takes longer than this is kept as plain text with a parse error.
 * Every parser pattern is linear-time (checked by a ReDoS test) and lines are bounded,
 * so this catches the pathological rest and makes it visible in a metric.
 */
export const PARSE_BUDGET_MS = 50;

/** What the pipeline is made of. */
export interface CollectorPipelineOptions {
  sink: EventSink;
  parse: (line: RawLine) => LogEvent;
  redact: (event: LogEvent) => number;
  registry: Registry;
}

/**
 * The collector's path after the sources: parse (with origin) → redact → fit in one
 * Kafka message → sink.
 * Sources hand it lines (files, syslog, stdin) or ready-made events (HTTP); the promise
 * resolves once the events are durable, and rejects with a `BackpressureError` when
 * the source must push back.
 */
export class CollectorPipeline implements LineSink {
  private readonly linesIn: Counter;
  private readonly eventsOut: Counter;
  private readonly parseErrors: Counter;
  private readonly overBudget: Counter;

  constructor(private readonly options: CollectorPipelineOptions) {
    const registers = [options.registry];
    this.linesIn = new Counter({
      name: 'vigie_collector_lines_total',
      help: 'Lines read, by source.',
      labelNames: ['source'],
      registers,
    });
    this.eventsOut = new Counter({
      name: 'vigie_collector_events_total',
      help: 'Events handed to the sink (Kafka or spool), by source.',
      labelNames: ['source'],
      registers,
    });
    this.parseErrors = new Counter({
      name: 'vigie_collector_parse_errors_total',
      help: 'Lines kept unparsed with vigie.parse_error, by source.',
      labelNames: ['source'],
      registers,
    });
    this.overBudget = new Counter({
      name: 'vigie_collector_parse_over_budget_total',
      help: `Lines whose parse took over ${PARSE_BUDGET_MS} ms, kept as text with a parse error, by source.`,
      labelNames: ['source'],
      registers,
    });
  }

  /** Parses lines of one source and writes the events. */
  async submitLines(source: string, lines: RawLine[]): Promise<void> {
    if (lines.length === 0) return;
    this.linesIn.inc({ source }, lines.length);
    const events = lines.map((line) => {
      const started = performance.now();
      let event = this.options.parse(line);
      const took = performance.now() - started;
      if (took > PARSE_BUDGET_MS) {
        this.overBudget.inc({ source });
        event = this.options.parse({ ...line, hints: { ...line.hints, format: 'text' } });
        event.vigie = { ...event.vigie, parse_error: `parse took ${Math.round(took)} ms, over its budget` };
      }
      if (event.vigie?.parse_error) this.parseErrors.inc({ source });
      return event;
    });
    await this.submitEvents(source, events);
  }

  /** Writes events of one source (already parsed, e.g. from HTTP). */
  async submitEvents(source: string, events: LogEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const event of events) {
      this.options.redact(event);
      fitEvent(event);
    }
    await this.options.sink.write(events);
    this.eventsOut.inc({ source }, events.length);
  }
}
