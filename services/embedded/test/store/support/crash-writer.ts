import { sampleEvent } from '@vigie/testkit';
import { SqliteStore } from '../../../src/index.js';

/**
 * Writes batches of 200 events to the SQLite store at `argv[2]` until killed, printing
 * `acked <first> <count>` once each batch's write has resolved, i.e. been acknowledged.
 */
const store = new SqliteStore({ path: process.argv[2] as string });
await store.setup();
for (let first = 0; ; first += 200) {
  const logs = Array.from({ length: 200 }, (_, i) => {
    const n = first + i;
    const event = sampleEvent(n);
    event.message = `${event.message} marker${n}`;
    return { id: `crash-${n}`, event, partitionTime: Date.parse(event['@timestamp']) };
  });
  await store.writeLogs(logs);
  process.stdout.write(`acked ${first} 200\n`);
}
