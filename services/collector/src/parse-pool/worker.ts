/**
 * Entry point of a parse worker thread: parses, redacts and fits the lines of each task
 * it is sent and posts the events back as one JSON string. Before each line it publishes
 * where it is on the shared progress board, so that the pool can tell which line is stuck
 * when the worker overruns its time budget, and terminate it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LogEvent } from '@vigie/common';
import { Counter, createRegistry } from '@vigie/common';
import type { RawLine } from '../model.js';
import { parseLine } from '../parse/index.js';
import { createRedactor } from '../redact/index.js';
import { fitEvent, MAX_EVENT_BYTES } from '../transform/fit.js';
import type { ParseTask, ParseWorkerData, ParseWorkerMessage } from './protocol.js';
import { Slot } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('the parse worker must run in a worker thread');

const data = workerData as ParseWorkerData;
const progress = new Int32Array(data.progress);
// The worker's own registry only collects the redaction counts of a task; the pool adds
// them to the collector's registry.
const registry = createRegistry();
const redact = createRedactor({ ...data.config.redaction, registry });
const parse: (line: RawLine) => LogEvent = data.config.parserModule
  ? ((await import(data.config.parserModule)) as { parseLine: (line: RawLine) => LogEvent }).parseLine
  : parseLine;

async function run(task: ParseTask): Promise<ParseWorkerMessage> {
  Atomics.store(progress, Slot.task, task.id);
  const parts: string[] = [];
  for (let i = 0; i < task.lines.length; i++) {
    Atomics.store(progress, Slot.line, i);
    Atomics.store(progress, Slot.phase, 0);
    Atomics.add(progress, Slot.started, 1);
    const event = parse(task.lines[i] as RawLine);
    // Redaction gets a budget of its own: a line that parses in time is not blamed for it.
    Atomics.store(progress, Slot.phase, 1);
    Atomics.add(progress, Slot.started, 1);
    redact(event);
    parts.push(serialise(event));
  }
  // Published before the result leaves: a watchdog that runs before the result's message
  // is handled must not take the finished task for a stuck one.
  Atomics.store(progress, Slot.done, task.id);
  return { type: 'done', id: task.id, events: `[${parts.join(',')}]`, redactions: await takeRedactions() };
}

/**
 * The event as JSON, cut to fit one Kafka message. Serialises once when it fits: a
 * UTF-8 byte is at least one UTF-16 unit and a unit at most three bytes.
 */
function serialise(event: LogEvent): string {
  const json = JSON.stringify(event);
  if (json.length * 3 <= MAX_EVENT_BYTES || Buffer.byteLength(json) <= MAX_EVENT_BYTES) return json;
  return JSON.stringify(fitEvent(event));
}

/** Redactions counted since the last call, by rule. */
async function takeRedactions(): Promise<Array<[string, number]>> {
  const counter = registry.getSingleMetric('vigie_redactions_total');
  if (!(counter instanceof Counter)) return [];
  const { values } = await counter.get();
  counter.reset();
  return values.filter((v) => v.value > 0).map((v) => [String(v.labels.rule), v.value]);
}

// Tasks are handled one at a time, in the order they came.
let queue = Promise.resolve();
port.on('message', (task: ParseTask) => {
  queue = queue.then(async () => port.postMessage(await run(task)));
});
port.postMessage({ type: 'ready' } satisfies ParseWorkerMessage);
