import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Component, Counter, LogEvent, Logger } from '@vigie/common';
import { isRetriable, summarizeError } from '@vigie/common';
import { type DemoOptions, LiveDemoTraffic } from '@vigie/demo';
import type { SourceContext } from '../../model.js';
import { sharedCounter } from '../syslog/metrics.js';

const SOURCE = 'demo';

/** Settings of the demo source (`collector.demo`). */
export interface DemoSourceOptions extends SourceContext {
  /** The simulated shop's settings; `@vigie/demo`'s defaults when absent. */
  demo?: Partial<DemoOptions>;
  /**
   * File remembering up to when events were sent, so that a restart sends the history
   * it missed instead of sending the last hour again. None: every start sends the history.
   */
  stateFile?: string;
  /** Wall clock, epoch ms; tests pass a fake one. */
  now?: () => number;
  /** How often the source sends what the clock reached, ms. Default 250. */
  tickMs?: number;
  /** Most events handed to the pipeline at once. Default 2000. */
  maxBatch?: number;
  /** Wait before sending a batch again when the pipeline pushes back, ms. Default 1000. */
  retryMs?: number;
}

/**
 * Simulated traffic of a small shop, for trying Vigie without applications of one's own:
 * at start an hour of history (so detection has baselines), then events in real time
 * with a round of incidents 30 s in and every 10 minutes (see `LiveDemoTraffic`). Every
 * event carries `labels.demo = "true"`.
 *
 * Events go to `sink.submitEvents('demo', …)` in time order; when the pipeline pushes
 * back the same batch is sent again later, so nothing is skipped, and the traffic
 * catches up afterwards. `stop()` is idempotent and safe without `start()`: it waits
 * for the batch in flight and records how far the source got.
 */
export class DemoSource implements Component {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly events: Counter;
  private traffic: LiveDemoTraffic | undefined;
  private pending: LogEvent[] = [];
  private sentUpTo: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private state: 'idle' | 'running' | 'failed' | 'stopped' = 'idle';
  private stopping: Promise<void> | undefined;
  private lastSaved = 0;

  constructor(private readonly options: DemoSourceOptions) {
    this.logger = options.logger.child({ component: 'demo-source' });
    this.now = options.now ?? Date.now;
    this.events = sharedCounter(
      options.registry,
      'vigie_collector_demo_events_total',
      'Simulated events of the demo source accepted by the pipeline.',
    );
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('DemoSource.start() can only be called once.');
    this.state = 'running';
    const resumeFrom = await this.readState();
    const startAt = this.now();
    this.traffic = new LiveDemoTraffic({
      ...this.options.demo,
      startAt,
      ...(resumeFrom !== undefined && { resumeFrom }),
    });
    this.logger.info(
      {
        historyFrom: new Date(this.traffic.historyStart).toISOString(),
        firstIncidents: new Date(this.traffic.firstRound).toISOString(),
      },
      'Demo traffic started: a simulated shop, labelled labels.demo=true.',
    );
    this.schedule(0);
  }

  /** Resolves once the source has sent every event the clock has reached (tests). */
  async drained(): Promise<void> {
    while (this.state === 'running' && this.traffic && this.traffic.nextEventTime < this.now()) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const wasRunning = this.state === 'running' || this.state === 'failed';
      this.state = 'stopped';
      clearTimeout(this.timer);
      await this.running;
      if (wasRunning) await this.saveState();
    })();
    return this.stopping;
  }

  private schedule(delayMs: number): void {
    if (this.state !== 'running') return;
    this.timer = setTimeout(() => {
      this.running = this.tick().then(
        (delay) => this.schedule(delay),
        (err: unknown) => {
          this.state = 'failed';
          // Only a pipeline that fails for good gets here: the demo stops, the collector goes on.
          this.logger.error({ err: summarizeError(err) }, 'Demo traffic stopped: the pipeline refused it.');
        },
      );
    }, delayMs);
  }

  /** Sends what the clock reached; returns the wait before the next tick. */
  private async tick(): Promise<number> {
    const traffic = this.traffic as LiveDemoTraffic;
    const maxBatch = this.options.maxBatch ?? 2000;
    for (;;) {
      if (this.state !== 'running') return 0;
      if (this.pending.length === 0) this.pending = traffic.take(this.now(), maxBatch);
      const batch = this.pending;
      if (batch.length === 0) break;
      try {
        await this.options.sink.submitEvents(SOURCE, batch);
      } catch (err) {
        // BackpressureError is a retriable VigieError; other retriable errors get the same care.
        if (isRetriable(err)) return this.options.retryMs ?? 1000;
        throw err;
      }
      this.pending = [];
      this.events.inc(batch.length);
      this.sentUpTo = Date.parse((batch.at(-1) as LogEvent)['@timestamp']) + 1;
    }
    if (this.now() - this.lastSaved >= 5000) await this.saveState();
    return this.options.tickMs ?? 250;
  }

  private async readState(): Promise<number | undefined> {
    const file = this.options.stateFile;
    if (file === undefined) return undefined;
    try {
      const saved = JSON.parse(await readFile(file, 'utf8')) as { sentUpTo?: unknown };
      return typeof saved.sentUpTo === 'number' ? saved.sentUpTo : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn({ err: summarizeError(err) }, 'Demo state unreadable: sending the history again.');
      }
      return undefined;
    }
  }

  /** Atomically records how far the source got; a failure only costs a resent history. */
  private async saveState(): Promise<void> {
    const file = this.options.stateFile;
    this.lastSaved = this.now();
    if (file === undefined || this.sentUpTo === undefined) return;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, JSON.stringify({ sentUpTo: this.sentUpTo }));
      await rename(`${file}.tmp`, file);
    } catch (err) {
      this.logger.warn({ err: summarizeError(err) }, 'Could not record how far the demo traffic got.');
    }
  }
}
