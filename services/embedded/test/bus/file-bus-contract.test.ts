import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBus } from '@vigie/embedded';
import { describeLogBusContract, testLogger } from '@vigie/testkit';

describeLogBusContract('FileBus', async () =>
  FileBus.open({ dataDir: mkdtempSync(join(tmpdir(), 'vigie-file-bus-')), logger: testLogger() }),
);
