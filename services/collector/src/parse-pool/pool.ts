import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '@vigie/common';
import type { EventLines, RawLine } from '../model.js';
import { batchSize, sliceBatch, stuckAt } from './batch.js';
import type { EventLine, EventLinesOutcome, ParseOutcome, SerializedRun } from './outcome.js';
import { decodeRun, StuckLine } from './outcome.js';
import type {
  ParseBatch,
  ParseTask,
  ParseWorkerConfig,
  ParseWorkerData,
  ParseWorkerMessage,
} from './protocol.js';
import { SLOT_COUNT, Slot } from './protocol.js';
import type { TaskProgress } from './watchdog.js';
import { overrunStep } from './watchdog.js';

/** Options of `ParsePool`. */
export interface ParsePoolOptions {
  /** Parser and redaction settings the workers are built from. */
  config: ParseWorkerConfig;
  /** Worker threads (default: the number of cores, at most 4). */
  size?: number;
  /** Time one line may take to parse, and again to redact, fit and serialise, ms. */
  budgetMs: number;
  /** Fewest lines sent to a worker at once when a batch is spread over workers (default 64). */
  minChunk?: number;
  /** Called with the masked-secret counts of each task, by redaction rule. */
  onRedactions?: (counts: Array<[string, number]>) => void;
  /** Called each time a stuck or crashed worker is replaced. */
  onReplace?: () => void;
}

/** What a task gives back, in line order. */
type TaskOutcome = SerializedRun | StuckLine<RawLine | EventLine>;

interface Task {
  batch: ParseBatch;
  /** The task was already given to a worker that died before its first line. */
  retried?: boolean;
  resolve: (outcomes: TaskOutcome[]) => void;
  reject: (err: Error) => void;
}

interface Running extends TaskProgress {
  task: Task;
}

interface Slotted {
  worker: Worker;
  board: Int32Array;
  ready: Promise<void>;
  isReady: boolean;
  /** Rejects `ready`: the worker ended before it could load. */
  failLoad: (err: Error) => void;
  running?: Running;
  retired: boolean;
  /** OS thread id of the worker (Linux), to read its CPU time. */
  tid?: number;
}

/**
 * Worker threads that parse, redact and fit lines under a hard time budget, so that no
 * line can block the event loop. Each worker publishes which line it is on, and whether
 * it parses or redacts it, through a `SharedArrayBuffer`; a watchdog on the event loop
 * checks that every busy worker moves on to its next step within the budget (parse and
 * redaction have one budget each; on Linux, a budget of CPU time as well as of wall time,
 * so that a busy machine does not get lines cut short). A worker stuck in a line is terminated and
 * replaced; that line comes back as a `StuckLine`, and the lines around it are parsed
 * again by the other workers, so that outcomes keep the order of the lines.
 *
 * The budget applies per line rather than per batch: a batch-wide timer scaled by size
 * would let one slow line of a large batch take the whole batch's allowance.
 *
 * Lifecycle: `start()` spawns the workers and waits until they are ready (so that a
 * worker that cannot load fails at boot); `parse()` starts them if needed; `stop()`
 * terminates them, is idempotent and safe without `start()`.
 */
export class ParsePool {
  private readonly workers: Slotted[] = [];
  private readonly queue: Task[] = [];
  private readonly size: number;
  private nextId = 1;
  private watchdog: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: ParsePoolOptions) {
    this.size = Math.max(1, options.size ?? Math.min(4, availableParallelism()));
  }

  /** Spawns the workers and resolves when all are ready; rejects when one cannot load. */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the parse pool is stopped'));
    this.starting ??= (async () => {
      for (let i = 0; i < this.size; i++) this.workers.push(this.spawn());
      this.settle();
      await Promise.all(this.workers.map((w) => w.ready));
    })();
    return this.starting;
  }

  /** Parses lines into events (or stuck lines), in their order. */
  async parse(lines: RawLine[]): Promise<ParseOutcome[]> {
    const outcomes = await this.parseSerialized(lines);
    return outcomes.flatMap((outcome): ParseOutcome[] =>
      outcome instanceof StuckLine ? [outcome] : decodeRun(outcome),
    );
  }

  /** `parse`, with the events left serialised for the sink. */
  async parseSerialized(lines: RawLine[]): Promise<Array<SerializedRun | StuckLine>> {
    return (await this.spread({ kind: 'lines', lines })) as Array<SerializedRun | StuckLine>;
  }

  /**
   * Turns the NDJSON lines of one HTTP request into serialised events (`lineEvent`,
   * redaction, fit), in their order; the events stay serialised for the sink.
   */
  async parseEventLines(lines: EventLines): Promise<EventLinesOutcome[]> {
    const outcomes = await this.spread({ kind: 'event-lines', texts: lines.texts, context: lines.context });
    return outcomes as EventLinesOutcome[];
  }

  private async spread(batch: ParseBatch): Promise<TaskOutcome[]> {
    const size = batchSize(batch);
    if (size === 0) return [];
    await this.start();
    // Spread the batch over the workers: one file's batch then uses every core.
    const chunk = Math.max(this.options.minChunk ?? 64, Math.ceil(size / this.size));
    const parts: Array<Promise<TaskOutcome[]>> = [];
    for (let at = 0; at < size; at += chunk) parts.push(this.run(sliceBatch(batch, at, at + chunk)));
    return (await Promise.all(parts)).flat();
  }

  /** Terminates the workers; tasks still waiting are rejected. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.watchdog);
    for (const task of this.queue.splice(0)) task.reject(new Error('the parse pool is stopped'));
    await Promise.allSettled(this.workers.map((w) => this.retire(w, new Error('the parse pool is stopped'))));
  }

  private run(batch: ParseBatch, urgent = false, retried = false): Promise<TaskOutcome[]> {
    if (batchSize(batch) === 0) return Promise.resolve([]);
    if (this.stopped) return Promise.reject(new Error('the parse pool is stopped'));
    return new Promise((resolve, reject) => {
      const task: Task = { batch, resolve, reject, retried };
      // What is left of a task cut by a stuck line goes first: its caller waits already.
      if (urgent) this.queue.unshift(task);
      else this.queue.push(task);
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.workers.length > 0 && this.workers.every((w) => w.retired)) {
      // Replacements could not load either: fail the lines rather than hold them forever.
      for (const task of this.queue.splice(0)) task.reject(new Error('no parse worker is running'));
    }
    for (const slot of this.workers) {
      if (this.queue.length === 0) break;
      if (!slot.isReady || slot.running || slot.retired) continue;
      const task = this.queue.shift() as Task;
      const id = this.nextId++;
      slot.running = { task, id, started: Atomics.load(slot.board, Slot.started), seenAt: performance.now() };
      slot.worker.postMessage({ id, batch: task.batch } satisfies ParseTask);
    }
    this.settle();
  }

  /**
   * Runs the watchdog and keeps the process alive while workers load or lines wait or
   * are parsed; an idle pool holds nothing open.
   */
  private settle(): void {
    const busy = this.queue.length > 0 || this.workers.some((w) => w.running || (!w.isReady && !w.retired));
    for (const slot of this.workers) {
      if (busy) slot.worker.ref();
      else slot.worker.unref();
    }
    if (busy && !this.watchdog && !this.stopped) {
      this.watchdog = setInterval(() => this.check(), Math.max(5, this.options.budgetMs / 4));
    } else if (!busy && this.watchdog) {
      clearInterval(this.watchdog);
      this.watchdog = undefined;
    }
  }

  private spawn(): Slotted {
    const progress = new SharedArrayBuffer(SLOT_COUNT * Int32Array.BYTES_PER_ELEMENT);
    const { entry, eval: isCode } = workerEntry(import.meta.url, 'worker');
    const worker = new Worker(entry, {
      eval: isCode,
      workerData: { config: this.options.config, progress } satisfies ParseWorkerData,
      // A line that makes the parser allocate without bound kills its worker, not the collector.
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    let markReady: () => void = () => {};
    let failLoad: (err: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failLoad = reject;
    });
    const slot: Slotted = {
      worker,
      board: new Int32Array(progress),
      ready,
      isReady: false,
      failLoad,
      retired: false,
    };
    // `start()` reports a failed load; a replacement's failure is handled in `crashed`.
    slot.ready.catch(() => {});
    worker.on('message', (message: ParseWorkerMessage) => {
      if (message.type === 'ready') {
        if (message.tid !== undefined) slot.tid = message.tid;
        slot.isReady = true;
        markReady();
        this.dispatch();
      } else this.finish(slot, message);
    });
    const crashed = (err: Error) => {
      if (slot.retired) return;
      if (!slot.isReady) {
        // A worker that cannot even load is a bug or a broken install: not a line's fault.
        slot.retired = true;
        slot.failLoad(err);
        this.dispatch();
        return;
      }
      this.replace(slot, 'crash', `parser crashed: ${err.message}`.slice(0, 200));
    };
    worker.on('error', crashed);
    worker.on('exit', (code) => crashed(new Error(`worker exited with code ${code}`)));
    return slot;
  }

  private finish(slot: Slotted, message: Extract<ParseWorkerMessage, { type: 'done' }>): void {
    const running = slot.running;
    if (!running || running.id !== message.id) return;
    slot.running = undefined;
    if (message.redactions.length > 0) this.options.onRedactions?.(message.redactions);
    const { bytes, ends, keys, problems } = message;
    running.task.resolve([{ bytes, ends, keys, problems }]);
    this.dispatch();
  }

  /** Replaces every worker that has not moved on to its next step within the budget. */
  private check(): void {
    const now = performance.now();
    const budget = this.options.budgetMs;
    for (const slot of [...this.workers]) {
      const running = slot.running;
      if (!running || slot.retired) continue;
      const overrun = overrunStep(slot.board, running, slot.tid, budget, now);
      if (overrun) {
        this.replace(
          slot,
          'over_budget',
          `${overrun.step} exceeded its ${budget} ms time budget`,
          overrun.line,
        );
      }
    }
  }

  /**
   * Terminates a stuck or crashed worker and starts a fresh one; the line it was on
   * becomes a `StuckLine` and the rest of its task is parsed again.
   */
  private replace(slot: Slotted, cause: StuckLine['cause'], reason: string, line?: number): void {
    const running = slot.running;
    void this.retire(slot, new Error(reason));
    const index = this.workers.indexOf(slot);
    if (!this.stopped && index >= 0) this.workers[index] = this.spawn();
    this.options.onReplace?.();
    this.settle();
    if (!running) return;
    const { batch } = running.task;
    const size = batchSize(batch);
    const begun = Atomics.load(slot.board, Slot.task) === running.id;
    const at = begun ? (line ?? Atomics.load(slot.board, Slot.line)) : -1;
    if (at < 0 || at >= size) {
      // It died before its first line: try the lines once more, then give up on them
      // (a task whose mere receipt kills a worker would otherwise kill them forever).
      if (running.task.retried) {
        running.task.resolve(Array.from({ length: size }, (_, i) => stuckAt(batch, i, cause, reason)));
      } else this.run(batch, true, true).then(running.task.resolve, running.task.reject);
      return;
    }
    const stuck = stuckAt(batch, at, cause, reason);
    Promise.all([
      this.run(sliceBatch(batch, 0, at), true),
      this.run(sliceBatch(batch, at + 1, size), true),
    ]).then(([before, after]) => running.task.resolve([...before, stuck, ...after]), running.task.reject);
  }

  private async retire(slot: Slotted, err: Error): Promise<void> {
    if (slot.retired) return;
    slot.retired = true;
    const running = slot.running;
    slot.running = undefined;
    if (running && this.stopped) running.task.reject(err);
    if (!slot.isReady) slot.failLoad(err);
    await slot.worker.terminate();
  }
}
