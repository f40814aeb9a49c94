import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, EngineAuthError, loadConfig, redactConfig } from '@vigie/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaConnectionFromConfig } from '../src/index.js';
import { kafkaRefusal } from '../src/kafka/connection.js';

describe('kafkaConnectionFromConfig', () => {
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigie-kafka-connection-'));
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, '-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fromEnv = (env: Record<string, string>) => loadConfig({ env }).config.kafka;

  it('reads TLS and SASL from the VIGIE_KAFKA_* variables, the CA file read at once', () => {
    const connection = kafkaConnectionFromConfig(
      fromEnv({
        VIGIE_KAFKA_BROKERS: 'b1:9093,b2:9093',
        VIGIE_KAFKA_SSL_ENABLED: 'true',
        VIGIE_KAFKA_SSL_CA_FILE: caFile,
        VIGIE_KAFKA_USERNAME: 'vigie',
        VIGIE_KAFKA_PASSWORD: 's3cret',
        VIGIE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      }),
    );
    expect(connection).toEqual({
      brokers: ['b1:9093', 'b2:9093'],
      sasl: { mechanism: 'scram-sha-512', username: 'vigie', password: 's3cret' },
      tls: { rejectUnauthorized: true, ca: expect.any(Buffer) },
    });
    expect(connection.tls?.ca?.toString()).toContain('not checked here');
  });

  it('presents a client certificate for mTLS, with its passphrase', () => {
    const connection = kafkaConnectionFromConfig(
      fromEnv({
        VIGIE_KAFKA_SSL_ENABLED: 'true',
        VIGIE_KAFKA_SSL_CERT_FILE: caFile,
        VIGIE_KAFKA_SSL_KEY_FILE: caFile,
        VIGIE_KAFKA_SSL_KEY_PASSWORD: 'pass',
        VIGIE_KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
      }),
    );
    expect(connection.tls).toEqual({
      rejectUnauthorized: false,
      cert: expect.any(Buffer),
      key: expect.any(Buffer),
      passphrase: 'pass',
    });
    expect(connection.sasl).toBeUndefined();
  });

  it('connects in plain text without credentials by default', () => {
    expect(kafkaConnectionFromConfig(fromEnv({}))).toEqual({ brokers: ['127.0.0.1:9092'] });
  });

  it('reports every inconsistent or unreadable setting in one error, naming keys and paths', () => {
    const missing = join(dir, 'missing-ca.pem');
    const section = fromEnv({
      VIGIE_KAFKA_PASSWORD: 'x',
      VIGIE_KAFKA_SSL_ENABLED: 'true',
      VIGIE_KAFKA_SSL_CA_FILE: missing,
      VIGIE_KAFKA_SSL_CERT_FILE: caFile,
    });
    expect(() => kafkaConnectionFromConfig(section)).toThrow(ConfigError);
    expect(() => kafkaConnectionFromConfig(section)).toThrow(
      `Invalid configuration: kafka.password is set without kafka.username; kafka.ssl.certFile and kafka.ssl.keyFile go together; kafka.ssl.caFile: cannot read ${missing} (ENOENT)`,
    );
    expect(() => kafkaConnectionFromConfig(fromEnv({ VIGIE_KAFKA_SSL_CA_FILE: caFile }))).toThrow(
      'kafka.ssl files are set but kafka.ssl.enabled is false',
    );
  });

  it('refuses an unknown SASL mechanism when the configuration loads, and never logs the key passphrase', () => {
    expect(() => loadConfig({ env: { VIGIE_KAFKA_SASL_MECHANISM: 'gssapi' } })).toThrow(
      'VIGIE_KAFKA_SASL_MECHANISM (kafka.saslMechanism): expected one of plain, scram-sha-256, scram-sha-512, got "gssapi"',
    );
    const { config } = loadConfig({ env: { VIGIE_KAFKA_SSL_KEY_PASSWORD: 'passphrase-1' } });
    expect(JSON.stringify(redactConfig(config))).not.toContain('passphrase-1');
  });

  it('turns a SASL refusal into an EngineAuthError naming the user and mechanism, however deep kafkajs wrapped it', () => {
    const refusal = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: bad'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const wrapped = new Error('KafkaJSNonRetriableError', { cause: refusal });
    const connection = {
      brokers: ['b:9093'],
      sasl: { mechanism: 'scram-sha-512' as const, username: 'vigie', password: 'p' },
    };
    const error = kafkaRefusal(wrapped, connection);
    expect(error).toBeInstanceOf(EngineAuthError);
    expect(error?.message).toBe(
      'Kafka refused the credentials of user "vigie" (SASL SCRAM-SHA-512): check kafka.username, kafka.password and kafka.saslMechanism',
    );
    expect(error?.code).toBe('VIGIE_ERR_ENGINE_AUTH');
    expect(kafkaRefusal(new Error('Connection error: connect ECONNREFUSED'), connection)).toBeUndefined();
  });
});
