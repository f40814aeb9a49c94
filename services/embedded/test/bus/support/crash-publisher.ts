/**
 * Child process of the crash test: publishes numbered records in a loop from several
 * concurrent callers and prints `acked <first> <count>` once a publish resolved, until
 * the test kills it with SIGKILL.
 *
 *   node --import tsx crash-publisher.ts <dataDir> <topic>
 */
import { createLogger } from '@vigie/common';
import { FileBus } from '../../../src/index.js';

const [dataDir, topic] = process.argv.slice(2);
if (!dataDir || !topic) throw new Error('usage: crash-publisher.ts <dataDir> <topic>');
const CALLERS = 4;
const BATCH = 50;

const bus = await FileBus.open({
  dataDir,
  logger: createLogger({ level: 'silent', role: 'test' }),
  segmentBytes: 256 * 1024,
});
await bus.ensureTopic(topic, 3);
let next = 0;
await Promise.all(
  Array.from({ length: CALLERS }, async () => {
    for (;;) {
      const first = next;
      next += BATCH;
      const records = Array.from({ length: BATCH }, (_, i) => ({
        key: `k${(first + i) % 11}`,
        value: Buffer.from(JSON.stringify({ n: first + i, pad: 'x'.repeat(200) })),
      }));
      await bus.publish(topic, records);
      process.stdout.write(`acked ${first} ${BATCH}\n`);
    }
  }),
);
