import {
  describeDetectionStoreContract,
  describeLogSearchContract,
  describeLogStoreContract,
  MemoryStore,
} from '../src/index.js';

// The test double must behave like the real stores, or tests built on it prove nothing.
describeLogStoreContract('MemoryStore', async () => new MemoryStore());
describeDetectionStoreContract('MemoryStore', async () => new MemoryStore());
describeLogSearchContract('MemoryStore', async () => new MemoryStore());
