import type { KafkaConfig as VigieKafkaConfig } from '@vigie/common';
import { ConfigError, EngineAuthError, readConfiguredFile, untrustedCertificateCode } from '@vigie/common';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** SASL credentials and the mechanism they go with. */
export interface KafkaSaslOptions {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/** TLS towards the brokers: what to trust and, for mTLS, what to present (PEM contents). */
export interface KafkaTlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  passphrase?: string;
  /** Refuse brokers whose certificate is not trusted or does not name them. */
  rejectUnauthorized: boolean;
}

/** Where the brokers are and how to authenticate to them. */
export interface KafkaConnection {
  brokers: string[];
  sasl?: KafkaSaslOptions;
  tls?: KafkaTlsOptions;
}

/**
 * The connection the `kafka` section describes, its files read now: a missing CA or key
 * fails start-up naming the key and the path. Every problem is reported at once.
 */
export function kafkaConnectionFromConfig(kafka: VigieKafkaConfig): KafkaConnection {
  const problems: string[] = [];
  const { ssl } = kafka;
  if (kafka.password !== undefined && kafka.username === undefined)
    problems.push('kafka.password is set without kafka.username');
  if (kafka.username !== undefined && kafka.password === undefined)
    problems.push('kafka.username is set without kafka.password');
  if ((ssl.certFile === undefined) !== (ssl.keyFile === undefined))
    problems.push('kafka.ssl.certFile and kafka.ssl.keyFile go together');
  const tlsFileSet = [ssl.caFile, ssl.certFile, ssl.keyFile].some((file) => file !== undefined);
  if (!ssl.enabled && tlsFileSet) problems.push('kafka.ssl files are set but kafka.ssl.enabled is false');
  const read = (path: string | undefined, key: string): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readConfiguredFile(path, key);
    } catch (err) {
      problems.push((err as Error).message.replace(/^Invalid configuration: /, ''));
      return undefined;
    }
  };
  const ca = read(ssl.caFile, 'kafka.ssl.caFile');
  const cert = read(ssl.certFile, 'kafka.ssl.certFile');
  const key = read(ssl.keyFile, 'kafka.ssl.keyFile');
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);

  const connection: KafkaConnection = { brokers: kafka.brokers };
  if (kafka.username !== undefined) {
    connection.sasl = {
      mechanism: kafka.saslMechanism as KafkaSaslOptions['mechanism'],
      username: kafka.username,
      password: kafka.password ?? '',
    };
  }
  if (ssl.enabled) {
    connection.tls = {
      rejectUnauthorized: ssl.rejectUnauthorized,
      ...(ca && { ca }),
      ...(cert && { cert }),
      ...(key && { key }),
      ...(ssl.keyPassword !== undefined && { passphrase: ssl.keyPassword }),
    };
  }
  return connection;
}

/** The kafkajs settings of a connection. */
export function kafkajsConnection(connection: KafkaConnection): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const settings: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (connection.tls) settings.ssl = { ...connection.tls };
  if (connection.sasl) {
    const { mechanism, username, password } = connection.sasl;
    // kafkajs types each mechanism as its own variant; the three share this shape.
    settings.sasl = { mechanism, username, password } as SASLOptions;
  }
  return settings;
}

/**
 * An `EngineAuthError` when `err` (or an error it wraps) says the brokers refused the
 * credentials or their certificate is not trusted: configuration problems that retrying
 * does not fix. The message names the user and the mechanism, never the password.
 */
export function kafkaRefusal(err: unknown, connection: KafkaConnection): EngineAuthError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    if (e instanceof EngineAuthError) return e;
    if (e.name === 'KafkaJSSASLAuthenticationError') {
      const user = connection.sasl?.username ?? '';
      const mechanism = (connection.sasl?.mechanism ?? 'plain').toUpperCase();
      const message = /not supported by the server/.test(e.message)
        ? `Kafka does not offer SASL ${mechanism} on this listener: check kafka.saslMechanism`
        : `Kafka refused the credentials of user "${user}" (SASL ${mechanism}): check kafka.username, kafka.password and kafka.saslMechanism`;
      return new EngineAuthError(message, { cause: e });
    }
  }
  const code = untrustedCertificateCode(err);
  if (code !== undefined) {
    return new EngineAuthError(
      `Kafka's TLS certificate is not trusted (${code}): check kafka.ssl.caFile and the broker addresses in kafka.brokers`,
      { cause: err },
    );
  }
  return undefined;
}
