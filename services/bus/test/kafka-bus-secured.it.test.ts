import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineAuthError, type KafkaConfig } from '@vigie/common';
import {
  describeLogBusContract,
  makeTestCertificates,
  SecuredKafka,
  testLogger,
  uniqueName,
  waitFor,
} from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaBus, kafkaConnectionFromConfig } from '../src/index.js';

// One broker for the whole file: its start (format + JVM) is most of the file's time.
let kafka: SecuredKafka;
const buses: KafkaBus[] = [];

beforeAll(async () => {
  kafka = await SecuredKafka.start();
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(buses.map((bus) => bus.close()));
  await kafka?.stop();
}, 60_000);

/** The `kafka` section a user would write for the secured broker. */
function kafkaSection(overrides: Partial<KafkaConfig> = {}): KafkaConfig {
  return {
    brokers: [kafka.broker],
    clientId: 'vigie-test',
    logsTopic: 'vigie.logs',
    anomaliesTopic: 'vigie.anomalies',
    partitions: 1,
    replicationFactor: 1,
    username: kafka.scramUser.username,
    password: kafka.scramUser.password,
    saslMechanism: 'scram-sha-512',
    ssl: { enabled: true, caFile: kafka.certificates.caFile, rejectUnauthorized: true },
    ...overrides,
  };
}

function busFor(section: KafkaConfig): KafkaBus {
  const bus = new KafkaBus({
    ...kafkaConnectionFromConfig(section),
    clientId: 'vigie-test',
    logger: testLogger(),
  });
  buses.push(bus);
  return bus;
}

describeLogBusContract('KafkaBus over SASL_SSL, SCRAM-SHA-512', async () => busFor(kafkaSection()));

describe('KafkaBus on a TLS + SASL listener', () => {
  async function roundTrip(bus: KafkaBus): Promise<string[]> {
    const topic = uniqueName('secured');
    await bus.ensureTopic(topic, 1);
    await bus.publish(topic, [{ key: 'k', value: Buffer.from('over tls') }]);
    const received: string[] = [];
    const subscription = await bus.subscribe({
      topic,
      groupId: uniqueName('secured-group'),
      fromBeginning: true,
      handleBatch: async (batch) => {
        received.push(...batch.records.map((r) => r.value.toString()));
      },
    });
    await waitFor(
      'the record back',
      async () => received.length,
      (n) => n > 0,
      30_000,
    );
    await subscription.stop();
    return received;
  }

  it('publishes and consumes with SASL PLAIN', async () => {
    const bus = busFor(
      kafkaSection({
        username: kafka.plainUser.username,
        password: kafka.plainUser.password,
        saslMechanism: 'plain',
      }),
    );
    expect(await roundTrip(bus)).toEqual(['over tls']);
  });

  it('publishes and consumes with SASL SCRAM-SHA-256', async () => {
    expect(await roundTrip(busFor(kafkaSection({ saslMechanism: 'scram-sha-256' })))).toEqual(['over tls']);
  });

  it('reports refused credentials at once, naming the user and mechanism but not the password', async () => {
    const wrong = 'not-the-password-4f1c';
    const bus = busFor(kafkaSection({ password: wrong }));
    const started = Date.now();
    const error = await bus.healthcheck().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(EngineAuthError);
    expect((error as Error).message).toBe(
      `Kafka refused the credentials of user "${kafka.scramUser.username}" (SASL SCRAM-SHA-512): check kafka.username, kafka.password and kafka.saslMechanism`,
    );
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(wrong);
    // Not retried: the broker's answer is final.
    expect(Date.now() - started).toBeLessThan(5000);
    // The PLAIN user does not exist for SCRAM either.
    const plainAsScram = busFor(
      kafkaSection({ username: kafka.plainUser.username, password: kafka.plainUser.password }),
    );
    await expect(plainAsScram.publish('any', [{ key: 'k', value: Buffer.from('x') }])).rejects.toBeInstanceOf(
      EngineAuthError,
    );
  });

  it('refuses a broker whose certificate another CA signed, saying the certificate is not trusted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigie-other-ca-'));
    try {
      const other = await makeTestCertificates(dir, 'other');
      const bus = busFor(
        kafkaSection({ ssl: { enabled: true, caFile: other.caFile, rejectUnauthorized: true } }),
      );
      const error = await bus.healthcheck().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(EngineAuthError);
      expect((error as Error).message).toMatch(
        /^Kafka's TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
