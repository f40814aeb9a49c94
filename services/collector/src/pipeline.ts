import type { LogEvent, Registry } from '@vigie/common';
import { Counter } from '@vigie/common';
import type { EventLines, EventSink, LineProblem, LineSink, RawLine, SerializedEvent } from './model.js';
import { errorEvent } from './parse/build.js';
import type { ParseWorkerConfig, SerializedRun } from './parse-pool/index.js';
import { ParsePool, StuckLine } from './parse-pool/index.js';
import { textEvent } from './sources/http/event.js';
import { lineEvent } from './sources/http/line-event.js';
import { fitEvent } from './transform/fit.js';

/**
 * Time one line may take to parse (with redaction and fitting, in the workers). Every
 * parser pattern is linear-time (checked by a ReDoS test) and lines are bounded, so this
 * catches the pathological rest: such a line goes to the dead-letter path.
 */
export const PARSE_BUDGET_MS = 50;

/**
 * HTTP bodies with fewer lines are parsed on the event loop even when there are workers.
 * A request costs the event loop some 200 µs whatever its size, and each line some 40-60
 * µs more when parsed there, 10 µs when parsed on a worker; the hop to a worker costs
 * some 200 µs of CPU of its own (messages, wake-ups). Under 8 lines, it saves the event
 * loop little and costs the machine more than it saves (measured with
 * `test/sources/http/measure-ingest-cpu.ts` on 2 cores: 1 line, event loop 265 → 240 µs
 * per event, all threads 340 → 550; 8 lines, 87 → 39 and 120 → 170).
 */
export const WORKER_MIN_LINES = 8;

/** Parse worker threads of the pipeline. */
export interface ParseWorkersOptions {
  /** Parser and redaction settings, as data: the same as `parse` and `redact` are built from. */
  config: ParseWorkerConfig;
  /** Worker threads (default: the number of cores, at most 4). */
  size?: number;
  /** Time budget of one line, ms (default `PARSE_BUDGET_MS`). */
  budgetMs?: number;
}

/** What the pipeline is made of. */
export interface CollectorPipelineOptions {
  sink: EventSink;
  /** The parser on the event loop: lines without `workers`. */
  parse: (line: RawLine) => LogEvent;
  /** The redactor on the event loop: events from `submitEvents` and dead-lettered lines. */
  redact: (event: LogEvent) => number;
  registry: Registry;
  /**
   * Parse lines in worker threads under a hard time budget: a line over it is cut short
   * and dead-lettered, and the event loop never waits for it. Without it, lines are
   * parsed on the event loop and a slow parse is only noticed once it has ended.
   */
  workers?: ParseWorkersOptions;
}

/**
 * The collector's path after the sources: parse (with origin) → redact → fit in one
 * Kafka message → sink.
 * Sources hand it lines (files, syslog, stdin) or ready-made events (HTTP); the promise
 * resolves once the events are durable, and rejects with a `BackpressureError` when
 * the source must push back. Lines whose parse overruns its budget are kept as they came
 * (`event.original`), with the reason in `vigie.parse_error`: the dead-letter path.
 *
 * Lifecycle: `start()` starts the parse workers; `stop()` ends them, is idempotent and
 * safe without `start()`.
 */
export class CollectorPipeline implements LineSink {
  private readonly linesIn: Counter;
  private readonly eventsOut: Counter;
  private readonly parseErrors: Counter;
  private readonly overBudget: Counter;
  private readonly pool: ParsePool | undefined;
  private readonly budgetMs: number;

  constructor(private readonly options: CollectorPipelineOptions) {
    const registers = [options.registry];
    this.budgetMs = options.workers?.budgetMs ?? PARSE_BUDGET_MS;
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
      help: `Lines whose parse took over ${this.budgetMs} ms, kept as text with a parse error, by source.`,
      labelNames: ['source'],
      registers,
    });
    if (options.workers) {
      const replaced = new Counter({
        name: 'vigie_collector_parse_workers_replaced_total',
        help: 'Parse worker threads terminated and replaced, after a line overran its budget or crashed them.',
        registers,
      });
      this.pool = new ParsePool({
        config: options.workers.config,
        budgetMs: this.budgetMs,
        ...(options.workers.size !== undefined && { size: options.workers.size }),
        onReplace: () => replaced.inc(),
        onRedactions: (counts) => this.countRedactions(counts),
      });
    }
  }

  /** Starts the parse workers; rejects when they cannot load. */
  async start(): Promise<void> {
    await this.pool?.start();
  }

  /** Ends the parse workers. */
  async stop(): Promise<void> {
    await this.pool?.stop();
  }

  /** Parses lines of one source and writes the events, in the order of the lines. */
  async submitLines(source: string, lines: RawLine[]): Promise<void> {
    if (lines.length === 0) return;
    this.linesIn.inc({ source }, lines.length);
    if (this.pool) {
      // The workers' events go to the sink as they serialised them.
      const outcomes = await this.pool.parseSerialized(lines);
      const { records, problems } = this.collect(outcomes, (stuck) => this.deadLetter(source, stuck));
      const failed = problems.filter(([, error]) => error).length;
      if (failed > 0) this.parseErrors.inc({ source }, failed);
      await this.writeSerialized(source, records);
      return;
    }
    const events = lines.map((line) => this.finish(this.parseHere(source, line)));
    const failed = events.filter((event) => event.vigie?.parse_error).length;
    if (failed > 0) this.parseErrors.inc({ source }, failed);
    await this.write(source, events);
  }

  /** Writes events of one source (already parsed, e.g. from HTTP). */
  async submitEvents(source: string, events: LogEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const event of events) this.finish(event);
    await this.write(source, events);
  }

  /**
   * Turns the NDJSON lines of one HTTP request into events and writes them: on the
   * workers, which hand back events ready for the sink, when there are workers and
   * `WORKER_MIN_LINES` lines or more; otherwise here, as `submitEvents`. A line whose
   * parse overruns its budget on a worker is kept as text with the reason.
   */
  async submitEventLines(source: string, lines: EventLines): Promise<LineProblem[]> {
    const { texts, context } = lines;
    if (texts.length === 0) return [];
    if (!this.pool || texts.length < WORKER_MIN_LINES) {
      const problems: LineProblem[] = [];
      const events = texts.map((text, i) => {
        const event = lineEvent(text, { ...context, sequence: context.sequence + i });
        const error = event.vigie?.parse_error;
        if (error !== undefined) problems.push([i, error]);
        return event;
      });
      await this.submitEvents(source, events);
      return problems;
    }
    const outcomes = await this.pool.parseEventLines(lines);
    const { records, problems } = this.collect(outcomes, (stuck) => {
      if (stuck.cause === 'over_budget') this.overBudget.inc({ source });
      return textEvent(stuck.line.text, stuck.line.context, stuck.reason);
    });
    await this.writeSerialized(source, records);
    return problems;
  }

  /**
   * The workers' events as records for the sink, with the event of each stuck line
   * (`deadLetter`, then redacted and fitted here) among them.
   */
  private collect<Line>(
    outcomes: Array<SerializedRun | StuckLine<Line>>,
    deadLetter: (stuck: StuckLine<Line>) => LogEvent,
  ): { records: SerializedEvent[]; problems: LineProblem[] } {
    const records: SerializedEvent[] = [];
    const problems: LineProblem[] = [];
    for (const outcome of outcomes) {
      if (outcome instanceof StuckLine) {
        problems.push([records.length, outcome.reason]);
        const event = this.finish(deadLetter(outcome));
        records.push({ key: event.service.name, value: Buffer.from(JSON.stringify(event)) });
        continue;
      }
      const first = records.length;
      for (const [i, error] of outcome.problems) problems.push([first + i, error]);
      const bytes = Buffer.from(outcome.bytes.buffer, outcome.bytes.byteOffset, outcome.bytes.byteLength);
      const { ends, keys } = outcome;
      let start = 0;
      for (let i = 0; i < ends.length; i++) {
        const end = ends[i] as number;
        records.push({ key: keys[i] as string, value: bytes.subarray(start, end) });
        start = end;
      }
    }
    return { records, problems };
  }

  private async write(source: string, events: LogEvent[]): Promise<void> {
    await this.options.sink.write(events);
    this.eventsOut.inc({ source }, events.length);
  }

  private async writeSerialized(source: string, records: SerializedEvent[]): Promise<void> {
    const sink = this.options.sink;
    if (sink.writeSerialized) await sink.writeSerialized(records);
    else await sink.write(records.map((record) => JSON.parse(record.value.toString('utf8')) as LogEvent));
    this.eventsOut.inc({ source }, records.length);
  }

  private finish(event: LogEvent): LogEvent {
    this.options.redact(event);
    return fitEvent(event);
  }

  /** Parses on the event loop; a parse over budget can only be noticed once it is over. */
  private parseHere(source: string, line: RawLine): LogEvent {
    const started = performance.now();
    const event = this.options.parse(line);
    const took = performance.now() - started;
    if (took <= this.budgetMs) return event;
    const reason = `parse took ${Math.round(took)} ms, over its ${this.budgetMs} ms time budget`;
    return this.deadLetter(source, new StuckLine(line, 'over_budget', reason));
  }

  /** The dead-letter path of lines: the line kept as it came, with the reason (not yet redacted). */
  private deadLetter(source: string, stuck: StuckLine): LogEvent {
    if (stuck.cause === 'over_budget') this.overBudget.inc({ source });
    const { line } = stuck;
    const event = errorEvent(line.text, stuck.reason, {
      origin: line.origin,
      receivedAt: line.receivedAt,
      hints: line.hints,
      truncated: line.truncated,
    });
    return event;
  }

  /** Adds the workers' masked-secret counts to the redactor's counter on the event loop. */
  private countRedactions(counts: Array<[string, number]>): void {
    const counter = this.options.registry.getSingleMetric('vigie_redactions_total');
    if (!(counter instanceof Counter)) return;
    for (const [rule, count] of counts) counter.inc({ rule }, count);
  }
}
