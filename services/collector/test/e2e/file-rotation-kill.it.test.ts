import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBus } from '@vigie/bus';
import type { LogEvent, Subscription } from '@vigie/common';
import { ENGINES, testLogger, uniqueName, VigieProcess, waitFor } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { numbered } from '../sources/file/helpers.js';
import { LogWriter, type Rotation } from '../sources/file/writer.js';

const TOTAL = 200_000;
const BATCH = 1000;
/** Rotation made before writing the batch of that index: 5 in all, both kinds. */
const ROTATIONS = new Map<number, Rotation>([
  [30, 'rename'],
  [70, 'rename'],
  [100, 'copytruncate'],
  [140, 'copytruncate'],
  [170, 'rename'],
]);
/**
 * SIGKILL after these batches and restart DOWN_FOR batches later: the rotations at 70
 * and 140 happen while no collector runs. Each kill waits until the collector has seen
 * the file generation begun by the last rotation (its first line is in Kafka): content
 * that no collector process ever saw, rotated away under a pattern that does not match
 * the rotated names, cannot be found again by anyone (with copytruncate the copy is a
 * new inode that no checkpoint names).
 */
const KILLS = [60, 130];
const DOWN_FOR = 20;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many times each number 1..TOTAL arrived, and from which files. */
class Arrivals {
  private readonly counts = new Uint16Array(TOTAL + 1);
  readonly paths = new Set<string>();
  received = 0;

  has(n: number): boolean {
    return (this.counts[n] ?? 0) > 0;
  }

  add(event: LogEvent): void {
    const match = /^n=(\d{7}) /.exec(event.message);
    if (!match) throw new Error(`unexpected message: ${event.message.slice(0, 80)}`);
    const n = Number(match[1]);
    this.counts[n] = (this.counts[n] ?? 0) + 1;
    this.received++;
    if (event.log?.file?.path) this.paths.add(event.log.file.path);
  }

  /** The missing numbers as ranges `a-b`, to tell where they were lost. */
  missingRanges(): string[] {
    const ranges: string[] = [];
    let start = 0;
    for (let n = 1; n <= TOTAL + 1; n++) {
      const absent = n <= TOTAL && (this.counts[n] ?? 0) === 0;
      if (absent && start === 0) start = n;
      if (!absent && start !== 0) {
        ranges.push(`${start}-${n - 1}`);
        start = 0;
      }
    }
    return ranges;
  }

  tally(): { missing: number; twice: number } {
    let missing = 0;
    let twice = 0;
    for (let n = 1; n <= TOTAL; n++) {
      const count = this.counts[n] ?? 0;
      if (count === 0) missing++;
      if (count > 1) twice++;
    }
    return { missing, twice };
  }
}

/** What the file source of each process logged (files followed, rotations): where lines went. */
function fileSourceLog(processes: VigieProcess[]): string {
  return processes
    .map((p, i) => {
      const lines = p.stdout.split('\n').filter((l) => l.includes('"component":"file-source"'));
      const entries = lines.map((l) => {
        const { time, path, offset, msg } = JSON.parse(l) as Record<string, unknown>;
        return `  ${time} ${msg} ${path}${offset === undefined ? '' : ` @${offset}`}`;
      });
      return [`collector #${i + 1}:`, ...entries].join('\n');
    })
    .join('\n');
}

/**
 * The acceptance test of the file source: the real `vigie collector` process follows a
 * file that is rotated and is itself killed, and what it sent is read back from Kafka.
 */
describe('file source through rotations and SIGKILLs, collector process to Kafka', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-rotation-kill-'));
  const topic = uniqueName('rotation-kill');
  const bus = new KafkaBus({ brokers: ENGINES.kafkaBrokers, clientId: 'vigie-test', logger: testLogger() });
  let collector: VigieProcess | undefined;
  /** Every collector process started, for the file source's log when a number is missing. */
  const started: VigieProcess[] = [];
  let subscription: Subscription | undefined;

  afterAll(async () => {
    await collector?.kill('SIGKILL');
    await subscription?.stop();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const path = join(dir, 'app.log');
  const env = {
    VIGIE_KAFKA_BROKERS: ENGINES.kafkaBrokers.join(','),
    VIGIE_KAFKA_LOGS_TOPIC: topic,
    VIGIE_COLLECTOR_DATA_DIR: join(dir, 'data'),
    VIGIE_COLLECTOR_FILES: JSON.stringify([{ paths: [path], format: 'text' }]),
    VIGIE_COLLECTOR_HTTP_ENABLED: 'false',
    VIGIE_OPS_PORT: '0',
  };

  /** A collector process, once its sources run. */
  async function startCollector(): Promise<VigieProcess> {
    const proc = new VigieProcess(['collector'], env);
    started.push(proc);
    const failed = proc.exited.then((code) => {
      throw new Error(`the collector exited (${code}) at start: ${proc.stderr.slice(-2000)}`);
    });
    await Promise.race([
      waitFor('the collector to start', async () => proc.stdout.includes('Collector started.'), Boolean),
      failed,
    ]);
    failed.catch(() => undefined);
    return proc;
  }

  it('gets every one of 200,000 lines into Kafka through 5 rotations and 2 kills', async () => {
    await bus.ensureTopic(topic, 3);
    const arrivals = new Arrivals();
    const groupId = uniqueName('reader');
    subscription = await bus.subscribe({
      topic,
      groupId,
      handleBatch: async (batch) => {
        for (const record of batch.records) arrivals.add(JSON.parse(record.value.toString()) as LogEvent);
      },
    });
    const began = Date.now();
    const writer = await LogWriter.open(path);
    collector = await startCollector();
    let kills = 0;
    /** First number written to the current file generation. */
    let generation = 1;
    for (let b = 0; b < TOTAL / BATCH; b++) {
      const first = b * BATCH + 1;
      const rotation = ROTATIONS.get(b);
      if (rotation === 'rename') {
        // Half the batch goes to the renamed file: the application has not reopened yet.
        await writer.rotate('rename', numbered(first, BATCH / 2));
        await writer.append(numbered(first + BATCH / 2, BATCH / 2));
        generation = first + BATCH / 2;
      } else {
        if (rotation) await writer.rotate(rotation);
        await writer.append(numbered(first, BATCH));
        if (rotation) generation = first;
      }
      if (KILLS.includes(b)) {
        const seen = generation;
        await waitFor(`line ${seen} in Kafka`, async () => arrivals.has(seen), Boolean, 30_000, 20);
        expect(await collector.kill('SIGKILL')).toBeNull();
        kills++;
      }
      if (KILLS.includes(b - DOWN_FOR)) collector = await startCollector();
      await pause(15);
    }
    await writer.close();
    const written = Date.now();

    await waitFor(
      'every number in Kafka',
      async () => arrivals.tally(),
      (t) => t.missing === 0,
      120_000,
      500,
    ).catch((err: Error) => {
      const where = arrivals.missingRanges().slice(0, 20).join(', ');
      throw new Error(`${err.message}; missing: ${where}; file source log:\n${fileSourceLog(started)}`);
    });
    const delivered = Date.now();
    // A clean stop, then everything the topic holds read: the duplicates are all counted.
    expect(await collector.kill('SIGTERM')).toBe(0);
    await waitFor(
      'the reader to reach the end of the topic',
      async () => [...(await bus.consumerLag(topic, groupId)).values()],
      (lags) => lags.every((lag) => lag === 0),
      30_000,
      200,
    );
    const { missing, twice } = arrivals.tally();
    console.log(
      `rotation + SIGKILL to Kafka: ${TOTAL} lines written in ${written - began} ms, all in Kafka after ${delivered - began} ms; ${arrivals.received} received, ${twice} arrived twice, ${missing} missing`,
    );
    expect(kills).toBe(2);
    expect(missing).toBe(0);
    expect(arrivals.received).toBeGreaterThanOrEqual(TOTAL + twice);
    // The rotations made while the collector was down were followed: the rest of the file
    // renamed at batch 70 came from app.log.2, that of the copy made at batch 140 from app.log.4.
    expect(arrivals.paths).toContain(`${path}.2`);
    expect(arrivals.paths).toContain(`${path}.4`);
  }, 170_000);
});
