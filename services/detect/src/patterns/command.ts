import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { stringify } from 'csv-stringify/sync';
import { TemplateMiner } from './template-miner.js';

/**
 * `vigie patterns`: one message per line on input, CSV `line,pattern_id,template` on
 * output (line = 1-based line number). Uses the default miner, the same as the live
 * "new error pattern" detector, so offline results show what the live side would see.
 * Resolves when the input ends and everything has been handed to the output.
 */
export async function runPatternsCommand(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<void> {
  const miner = new TemplateMiner();
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  await write(output, stringify([['line', 'pattern_id', 'template']]));
  let line = 0;
  for await (const message of lines) {
    line++;
    const match = miner.add(message);
    await write(output, stringify([[line, match.templateId, match.template]]));
  }
}

/** Writes and waits for the output to drain when its buffer is full (backpressure). */
async function write(output: NodeJS.WritableStream, text: string): Promise<void> {
  if (!output.write(text)) await once(output, 'drain');
}
