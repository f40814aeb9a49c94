import { KafkaBus } from '@vigie/bus';
import { describeLogBusContract, ENGINES, testLogger } from '@vigie/testkit';

// The collector's producer settings (gzip, idempotent, bounded retries) must keep the
// bus contract on the Kafka version Vigie ships with.
describeLogBusContract(
  'KafkaBus with the collector producer (gzip, idempotent)',
  async () =>
    new KafkaBus({
      brokers: ENGINES.kafkaBrokers,
      clientId: 'vigie-test-collector',
      logger: testLogger(),
      producer: { compression: 'gzip', idempotent: true, retries: 5, maxRetryTimeMs: 2000 },
    }),
);
