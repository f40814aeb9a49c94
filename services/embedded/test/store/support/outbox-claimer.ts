/**
 * Child process of the cross-process claim test: opens the store file, drains due outbox
 * entries as `owner` (claim a few, mark them delivered) and prints the ids it claimed as
 * one JSON array when nothing is left. It prints `ready` once open and starts on the first
 * line of its stdin, so that the test starts every claimer at once.
 *
 *   node --import tsx outbox-claimer.ts <dbPath> <owner> <now>
 */
import { SqliteAlertStore, SqliteStore } from '../../../src/index.js';

const [path, owner, nowText] = process.argv.slice(2);
if (!path || !owner || !nowText) throw new Error('usage: outbox-claimer.ts <dbPath> <owner> <now>');
const now = Number(nowText);
const store = new SqliteStore({ path });
const alerts = new SqliteAlertStore(store.db);
const claimed: string[] = [];
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();
for (;;) {
  const batch = await alerts.claimDue(now, owner, 600_000, 3);
  if (batch.length === 0) break;
  for (const entry of batch) {
    claimed.push(entry.id);
    await alerts.updateOutbox({ ...entry, status: 'delivered', attempts: 1, deliveredAt: now });
  }
}
await store.close();
process.stdout.write(`${JSON.stringify(claimed)}\n`);
