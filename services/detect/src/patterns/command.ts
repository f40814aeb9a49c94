import { createInterface } from 'node:readline';
import { stringify } from 'csv-stringify/sync';
import { TemplateMiner } from './template-miner.js';

/**
 * `vigie patterns`: one message per line on input, CSV `line,pattern_id,template` on
 * output (line = 1-based line number). Uses the default miner, the same as the live
 * "new error pattern" detector, so offline results show what the live side would see.
 * Resolves when the input ends and everything has been handed to the output, or early
 * when the reader of the output goes away (`vigie patterns < app.log | head`).
 */
export async function runPatternsCommand(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<void> {
  const miner = new TemplateMiner();
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let failure: Error | undefined;
  let closed = false;
  const onError = (err: NodeJS.ErrnoException) => {
    // A closed pipe means the reader has what it wanted; anything else is a failure.
    if (err.code === 'EPIPE') closed = true;
    else failure = err;
    lines.close();
  };
  output.on('error', onError);
  try {
    await write(output, stringify([['line', 'pattern_id', 'template']]));
    // readline's iterator never ends if the interface was closed before it was made.
    if (!closed && !failure) {
      let line = 0;
      for await (const message of lines) {
        if (closed || failure) break;
        line++;
        const match = miner.add(message);
        await write(output, stringify([[line, match.templateId, match.template]]));
      }
    }
  } finally {
    output.off('error', onError);
  }
  if (failure) throw failure;
}

/**
 * Writes and waits for the output to drain when its buffer is full (backpressure). An
 * error ends the wait too; the caller's error listener decides what it means.
 */
async function write(output: NodeJS.WritableStream, text: string): Promise<void> {
  if (output.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      output.off('drain', done);
      output.off('close', done);
      output.off('error', done);
      resolve();
    };
    output.on('drain', done);
    output.on('close', done);
    output.on('error', done);
  });
}
