/**
 * Runs a FileSource alone in a process, so tests can SIGKILL it: `node --import tsx
 * harness.ts` with VIGIE_FILE_HARNESS set to the JSON of `HarnessConfig`. Lines go to
 * `out` as JSON lines, fsynced before `submitLines` resolves (a durable sink). SIGTERM
 * stops the source cleanly.
 */
import { open } from 'node:fs/promises';
import { createLogger, createRegistry, type FileSourceConfig, type LogEvent } from '@vigie/common';
import type { LineSink, RawLine } from '../../../src/model.js';
import { type CheckpointStep, FileSource } from '../../../src/sources/file/index.js';

/** What the harness runs. */
export interface HarnessConfig {
  files: FileSourceConfig[];
  dataDir: string;
  out: string;
  /** SIGKILL the process itself right after this step of a checkpoint save... */
  crashAt?: CheckpointStep;
  /** ...of the n-th save (1 = the first). */
  crashOnSave?: number;
}

/** One received line in the output file. */
export interface HarnessLine {
  text: string;
  offset: number;
  path: string;
}

const config = JSON.parse(process.env.VIGIE_FILE_HARNESS ?? '{}') as HarnessConfig;
const out = await open(config.out, 'a');
const sink: LineSink = {
  async submitLines(_source: string, lines: RawLine[]) {
    const body = lines
      .map((l) => `${JSON.stringify({ text: l.text, offset: l.origin.offset, path: l.origin.filePath })}\n`)
      .join('');
    await out.appendFile(body);
    await out.sync();
  },
  async submitEvents(_source: string, _events: LogEvent[]) {
    throw new Error('not used');
  },
};

let saves = 0;
const source = new FileSource({
  files: config.files,
  dataDir: config.dataDir,
  maxLineBytes: 1024 * 1024,
  pollIntervalMs: 20,
  rescanIntervalMs: 100,
  finishIdleMs: 500,
  sink,
  logger: createLogger({ level: process.env.VIGIE_TEST_LOG_LEVEL ?? 'warn', role: 'file-harness' }),
  registry: createRegistry(),
  hostName: 'harness',
  onCheckpointStep: (step) => {
    if (step === 'temp-written') saves++;
    if (step === config.crashAt && saves >= (config.crashOnSave ?? 1)) process.kill(process.pid, 'SIGKILL');
  },
});
process.on('SIGTERM', () => {
  void source.stop().then(async () => {
    await out.close();
    process.exit(0);
  });
});
await source.start();
process.stdout.write('ready\n');
