/**
 * Entry point of a parse worker thread: parses, redacts and fits the lines of each task
 * it is sent and posts the events back serialised, in one buffer it hands over. Before each line it publishes
 * where it is on the shared progress board, so that the pool can tell which line is stuck
 * when the worker overruns its time budget, and terminate it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LogEvent } from '@vigie/common';
import { Counter, createRegistry } from '@vigie/common';
import type { RawLine } from '../model.js';
import { parseLine } from '../parse/index.js';
import { createRedactor } from '../redact/index.js';
import type { EventContext } from '../sources/http/event.js';
import { lineEvent } from '../sources/http/line-event.js';
import { fitEvent, MAX_EVENT_BYTES } from '../transform/fit.js';
import type { ParseBatch, ParseTask, ParseWorkerData, ParseWorkerMessage } from './protocol.js';
import { Slot } from './protocol.js';
import { currentThreadId } from './thread-cpu.js';

const port = parentPort;
if (!port) throw new Error('the parse worker must run in a worker thread');

const data = workerData as ParseWorkerData;
const progress = new Int32Array(data.progress);
// The worker's own registry only collects the redaction counts of a task; the pool adds
// them to the collector's registry.
const registry = createRegistry();
const redact = createRedactor({ ...data.config.redaction, registry });
interface Parsers {
  parseLine: (line: RawLine) => LogEvent;
  lineEvent: (text: string, context: EventContext) => LogEvent;
}
const replaced = data.config.parserModule
  ? ((await import(data.config.parserModule)) as Partial<Parsers>)
  : {};
const parse = replaced.parseLine ?? parseLine;
const parseEventLine = replaced.lineEvent ?? lineEvent;

/** Parser of line `i` of a batch. */
function parserOf(batch: ParseBatch): (i: number) => LogEvent {
  if (batch.kind === 'lines') return (i) => parse(batch.lines[i] as RawLine);
  const { texts, context } = batch;
  return (i) => parseEventLine(texts[i] as string, { ...context, sequence: context.sequence + i });
}

async function run(task: ParseTask): Promise<{ message: ParseWorkerMessage; transfer: ArrayBuffer[] }> {
  Atomics.store(progress, Slot.task, task.id);
  const parseAt = parserOf(task.batch);
  const size = task.batch.kind === 'lines' ? task.batch.lines.length : task.batch.texts.length;
  const parts: string[] = [];
  const keys: string[] = [];
  const problems: Array<[number, string]> = [];
  for (let i = 0; i < size; i++) {
    Atomics.store(progress, Slot.line, i);
    Atomics.store(progress, Slot.phase, 0);
    Atomics.add(progress, Slot.started, 1);
    const event = parseAt(i);
    // As the HTTP answer reports it: before redaction.
    const error = event.vigie?.parse_error;
    if (error !== undefined) problems.push([i, error]);
    // Redaction gets a budget of its own: a line that parses in time is not blamed for it.
    Atomics.store(progress, Slot.phase, 1);
    Atomics.add(progress, Slot.started, 1);
    redact(event);
    parts.push(serialise(event));
    keys.push(event.service.name);
  }
  const { bytes, ends } = encode(parts);
  // Published before the result leaves: a watchdog that runs before the result's message
  // is handled must not take the finished task for a stuck one.
  Atomics.store(progress, Slot.done, task.id);
  const redactions = await takeRedactions();
  return {
    message: { type: 'done', id: task.id, bytes, ends, keys, problems, redactions },
    transfer: [bytes.buffer as ArrayBuffer, ends.buffer as ArrayBuffer],
  };
}

/**
 * The events' JSON as UTF-8 in one buffer of its own (not Node's shared pool, so that it
 * can be handed over), with where each ends: the event loop then cuts records out of it
 * without copying or encoding anything.
 */
function encode(parts: string[]): { bytes: Uint8Array; ends: Int32Array } {
  const ends = new Int32Array(parts.length);
  let total = 0;
  for (let i = 0; i < parts.length; i++) {
    total += Buffer.byteLength(parts[i] as string);
    ends[i] = total;
  }
  const bytes = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const part of parts) at += bytes.write(part, at);
  return { bytes, ends };
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
  queue = queue.then(async () => {
    const { message, transfer } = await run(task);
    port.postMessage(message, transfer);
  });
});
port.postMessage({ type: 'ready', tid: currentThreadId() } satisfies ParseWorkerMessage);
