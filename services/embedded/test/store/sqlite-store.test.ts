import { describeLogSearchContract, describeLogStoreContract } from '@vigie/testkit';
import { afterAll } from 'vitest';
import { removeTempStores, tempStore } from './temp-store.js';

afterAll(removeTempStores);

describeLogStoreContract('SqliteStore', async () => tempStore());
// Includes the route-latency cases (routeLatencyCases) on metrics written through the store.
describeLogSearchContract('SqliteStore', async () => tempStore());
