import type { ConsumedRecord, LogBus } from '@vigie/common';
import { waitFor } from '@vigie/testkit';

/** Every record of the topic, read by a fresh group until its lag is 0, with its partition. */
export async function readAll(
  bus: LogBus,
  topic: string,
  groupId = `read-all-${Math.random().toString(36).slice(2)}`,
): Promise<Array<ConsumedRecord & { partition: number }>> {
  const records: Array<ConsumedRecord & { partition: number }> = [];
  const subscription = await bus.subscribe({
    topic,
    groupId,
    handleBatch: async (batch) => {
      for (const record of batch.records) records.push({ ...record, partition: batch.partition });
    },
  });
  const lag = async () => [...(await bus.consumerLag(topic, groupId)).values()].reduce((a, b) => a + b, 0);
  await waitFor('the whole topic read', lag, (n) => n === 0, 60_000, 20);
  await subscription.stop();
  return records;
}
