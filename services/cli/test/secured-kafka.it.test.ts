import { rmSync } from 'node:fs';
import { ElasticsearchStore } from '@vigie/storage';
import {
  deletePrefix,
  ENGINES,
  freePort,
  SecuredKafka,
  testLogger,
  uniqueName,
  VigieProcess,
  waitFor,
} from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `vigie collector` and `vigie processor` configured through the environment for a broker
// whose only listener is SASL_SSL, with a CA of its own.
describe('vigie collector and processor on Kafka over TLS + SASL', () => {
  const prefix = uniqueName('secured');
  const topic = uniqueName('secured-logs');
  const dataDir = `/tmp/${prefix}`;
  let kafka: SecuredKafka;
  const processes: VigieProcess[] = [];
  const store = new ElasticsearchStore({
    url: ENGINES.elasticsearchUrl,
    indexPrefix: prefix,
    requestTimeoutMs: 10_000,
    totalFieldsLimit: 1000,
    logger: testLogger(),
  });

  beforeAll(async () => {
    kafka = await SecuredKafka.start();
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(processes.map((p) => p.kill('SIGKILL')));
    await kafka?.stop();
    await store.close();
    await deletePrefix(prefix);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  function secured(user: { username: string; password: string }, mechanism: string) {
    return {
      VIGIE_KAFKA_BROKERS: kafka.broker,
      VIGIE_KAFKA_LOGS_TOPIC: topic,
      VIGIE_KAFKA_PARTITIONS: '1',
      VIGIE_KAFKA_SSL_ENABLED: 'true',
      VIGIE_KAFKA_SSL_CA_FILE: kafka.certificates.caFile,
      VIGIE_KAFKA_USERNAME: user.username,
      VIGIE_KAFKA_PASSWORD: user.password,
      VIGIE_KAFKA_SASL_MECHANISM: mechanism,
      VIGIE_ELASTICSEARCH_URL: ENGINES.elasticsearchUrl,
      VIGIE_ELASTICSEARCH_INDEX_PREFIX: prefix,
      VIGIE_OPS_PORT: '0',
    };
  }

  function start(role: 'collector' | 'processor' | 'all', env: Record<string, string>): VigieProcess {
    const vigie = new VigieProcess([role], env);
    processes.push(vigie);
    return vigie;
  }

  /** Failed SASL handshakes the broker logged so far. */
  async function failedAuthentications(): Promise<number> {
    return ((await kafka.log()).match(/Failed authentication with/g) ?? []).length;
  }

  it('carries a line posted to the collector (SCRAM-SHA-512) to the processor (PLAIN) and into Elasticsearch', async () => {
    const httpPort = await freePort();
    const collector = start('collector', {
      ...secured(kafka.scramUser, 'scram-sha-512'),
      VIGIE_COLLECTOR_HTTP_PORT: String(httpPort),
      VIGIE_COLLECTOR_DATA_DIR: `${dataDir}/collector`,
    });
    const processor = start('processor', {
      ...secured(kafka.plainUser, 'plain'),
      VIGIE_PROCESSOR_GROUP_ID: uniqueName('secured'),
      VIGIE_DETECTION_ENABLED: 'false',
    });
    await collector.opsUrl();
    const post = () =>
      fetch(`http://127.0.0.1:${httpPort}/ingest?service=tls-check`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: '{"level":"info","msg":"over TLS and SASL"}',
      }).then((r) => r.status);
    expect(await waitFor('the collector accepting', post, (status) => status === 200, 30_000, 500)).toBe(200);
    const count = async () => {
      await store.refresh();
      return store.countLogs({ serviceName: 'tls-check' });
    };
    expect(await waitFor('the line indexed', count, (n) => n >= 1, 90_000, 500)).toBe(1);
    // Nothing went through the spool: the collector reached the broker directly.
    expect(collector.stdout).not.toContain('Could not create or check the logs topic');
    for (const vigie of [collector, processor]) {
      const output = vigie.stdout + vigie.stderr;
      expect(output).not.toContain(kafka.scramUser.password);
      expect(output).not.toContain(kafka.plainUser.password);
    }
    await Promise.all([collector.kill(), processor.kill()]);
  });

  for (const role of ['processor', 'collector', 'all'] as const) {
    it(`stops vigie ${role} with a clear message when Kafka refuses its password, without retrying`, async () => {
      const wrong = 'wrong-password-7d2a9c';
      const before = await failedAuthentications();
      const startedAt = Date.now();
      const vigie = start(role, {
        ...secured({ username: kafka.scramUser.username, password: wrong }, 'scram-sha-512'),
        VIGIE_PROCESSOR_GROUP_ID: uniqueName('secured-refused'),
        VIGIE_COLLECTOR_HTTP_PORT: String(await freePort()),
        VIGIE_COLLECTOR_DATA_DIR: `${dataDir}/refused-${role}`,
        VIGIE_API_PORT: '0',
        VIGIE_API_KEYS_FILE: `${dataDir}/refused-${role}/keys.json`,
        VIGIE_API_AUDIT_FILE: `${dataDir}/refused-${role}/audit.log`,
      });
      const exitCode = await Promise.race([
        vigie.exited,
        new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000)),
      ]);
      const seconds = (Date.now() - startedAt) / 1000;
      expect(exitCode).toBe(2);
      expect(vigie.stderr).toContain(
        `vigie: Kafka refused the credentials of user "${kafka.scramUser.username}" (SASL SCRAM-SHA-512): check kafka.username, kafka.password and kafka.saslMechanism`,
      );
      expect(vigie.stdout + vigie.stderr).not.toContain(wrong);
      // The broker saw a handful of attempts (kafkajs's own connections, one client per
      // role in `vigie all`), not a loop.
      const attempts = (await failedAuthentications()) - before;
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThanOrEqual(role === 'all' ? 10 : 5);
      process.stdout.write(
        `${role}: exited ${exitCode} after ${seconds.toFixed(1)} s, ${attempts} failed SASL handshakes\n`,
      );
    });
  }
});
