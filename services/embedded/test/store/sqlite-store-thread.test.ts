import { describeLogStoreContract } from '@vigie/testkit';
import { afterAll, vi } from 'vitest';
import { removeTempStores, tempStore } from './temp-store.js';

// Each store starts its writer thread, which from TypeScript sources loads tsx first:
// seconds on a busy machine.
vi.setConfig({ testTimeout: 30_000 });
afterAll(removeTempStores);

// The store as `vigie all` runs it: logs written by the writer thread, read on the event loop.
describeLogStoreContract('SqliteStore with its log writer thread', async () =>
  tempStore({ logWriterThread: true }),
);
