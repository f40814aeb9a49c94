import { UnavailableError } from '@vigie/common';
import { describeLogBusContract, ENGINES, testLogger } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { KafkaBus } from '../src/index.js';

describeLogBusContract(
  'KafkaBus',
  async () => new KafkaBus({ brokers: ENGINES.kafkaBrokers, clientId: 'vigie-test', logger: testLogger() }),
);

describe('KafkaBus', () => {
  it('reports an unreachable cluster as unavailable', async () => {
    const bus = new KafkaBus({ brokers: ['127.0.0.1:1'], clientId: 'vigie-test', logger: testLogger() });
    await expect(bus.healthcheck()).rejects.toBeInstanceOf(UnavailableError);
    await bus.close();
  }, 60_000);
});
