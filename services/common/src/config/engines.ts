import { type Static, Type } from '@sinclair/typebox';

const secret = { secret: true } as const;

/** TLS towards the Kafka brokers (`kafka.ssl.*`). */
export const KafkaSslConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'Connect to the brokers over TLS (a SSL or SASL_SSL listener).',
    }),
    caFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'PEM file of the CA certificates to trust for the brokers, instead of the system CAs (a private CA).',
      }),
    ),
    certFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'PEM client certificate, for brokers that authenticate clients by TLS (mTLS); needs keyFile.',
      }),
    ),
    keyFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key of certFile.' })),
    keyPassword: Type.Optional(
      Type.String({ description: 'Passphrase of keyFile, when it is encrypted.', ...secret }),
    ),
    rejectUnauthorized: Type.Boolean({
      default: true,
      description:
        "Refuse brokers whose certificate is not signed by a trusted CA or does not name the broker's host. Turn off for tests only.",
    }),
  },
  { additionalProperties: false, default: {} },
);

/** The `kafka` section: brokers, topics, and how to authenticate. */
export const KafkaConfigSchema = Type.Object(
  {
    brokers: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      default: ['127.0.0.1:9092'],
      description: 'Bootstrap brokers, host:port, comma-separated in the environment.',
    }),
    clientId: Type.String({ default: 'vigie', description: 'Client id sent to the brokers.' }),
    logsTopic: Type.String({ minLength: 1, default: 'vigie.logs', description: 'Topic of log events.' }),
    anomaliesTopic: Type.String({
      minLength: 1,
      default: 'vigie.anomalies',
      description: 'Topic of detected anomalies.',
    }),
    partitions: Type.Integer({
      minimum: 1,
      maximum: 10000,
      default: 6,
      description:
        'Partitions of the topics Vigie creates at start-up (existing topics are left as they are).',
    }),
    replicationFactor: Type.Integer({
      minimum: 1,
      default: 1,
      description: 'Replication factor of the topics Vigie creates.',
    }),
    username: Type.Optional(
      Type.String({ minLength: 1, description: 'SASL user name; SASL is used when it is set.' }),
    ),
    password: Type.Optional(Type.String({ description: 'SASL password.', ...secret })),
    saslMechanism: Type.Union(
      ['plain', 'scram-sha-256', 'scram-sha-512'].map((m) => Type.Literal(m)),
      {
        default: 'plain',
        description:
          'SASL mechanism of username and password. PLAIN sends the password itself: use it over TLS only.',
      },
    ),
    ssl: KafkaSslConfigSchema,
  },
  { additionalProperties: false, default: {} },
);

/** How long one environment's log events are kept, overriding the defaults of `elasticsearch.retention`. */
export const EnvironmentRetentionSchema = Type.Object(
  {
    maxAgeDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "Days of this environment's events kept; default: elasticsearch.retention.maxAgeDays.",
      }),
    ),
    maxBytes: Type.Optional(
      Type.Integer({
        minimum: 1_048_576,
        description:
          "Primary store bytes of this environment's log indices before its oldest days are deleted (today's index is always kept).",
      }),
    ),
  },
  { additionalProperties: false },
);

/** The `elasticsearch.retention` section: when whole daily log indices are deleted. */
export const ElasticsearchRetentionSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description:
        'Let each processor delete old daily log indices (and old dead letters, bucket metrics and closed anomalies). Off when something else manages retention.',
    }),
    maxAgeDays: Type.Integer({
      minimum: 1,
      default: 30,
      description: 'Daily log indices whose whole day is older than this many days are deleted.',
    }),
    maxBytes: Type.Optional(
      Type.Integer({
        minimum: 1_048_576,
        description:
          "Total primary store bytes of all log indices; past it, the oldest days are deleted first, never today's index. No size limit when unset.",
      }),
    ),
    intervalMinutes: Type.Integer({
      minimum: 1,
      maximum: 1440,
      default: 10,
      description: 'How often each processor runs a retention pass.',
    }),
    environments: Type.Record(Type.String({ minLength: 1, maxLength: 100 }), EnvironmentRetentionSchema, {
      default: {},
      description:
        'Per-environment overrides of maxAgeDays and maxBytes, keyed by the exact service.environment value, e.g. `{"staging":{"maxAgeDays":7}}` (JSON in the environment variable). Events of a listed environment are written to indices of their own, `<prefix>-logs-env-<name>-<day>`, still under the `<prefix>-logs` alias.',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** The `elasticsearch` section: where, how to authenticate, which CA to trust, how to name indices. */
export const ElasticsearchConfigSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://',
      default: 'http://127.0.0.1:9200',
      description: 'Elasticsearch URL (8.15 or later, or 9.x); https:// for TLS.',
    }),
    apiKey: Type.Optional(
      Type.String({
        description: 'API key (base64 id:key); used instead of username and password.',
        ...secret,
      }),
    ),
    username: Type.Optional(Type.String({ description: 'Basic-auth user name.' })),
    password: Type.Optional(Type.String({ description: 'Basic-auth password.', ...secret })),
    caFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "PEM file of the CA certificates to trust for an https URL, instead of the system CAs (e.g. Elasticsearch's http_ca.crt).",
      }),
    ),
    tlsRejectUnauthorized: Type.Boolean({
      default: true,
      description:
        'Refuse an https server whose certificate is not signed by a trusted CA or does not name its host. Turn off for tests only.',
    }),
    indexPrefix: Type.String({
      pattern: '^[a-z0-9][a-z0-9_-]*$',
      default: 'vigie',
      description: 'Prefix of every index and template Vigie creates, e.g. vigie-logs-2026.11.28.',
    }),
    requestTimeoutMs: Type.Integer({
      minimum: 100,
      default: 30000,
      description: 'Timeout of one request to Elasticsearch, in milliseconds.',
    }),
    totalFieldsLimit: Type.Integer({
      minimum: 100,
      default: 1000,
      description: 'Mapped fields per log index; dynamic fields past it are kept in _source, not rejected.',
    }),
    logsPrimaryShards: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 1,
      description:
        'Primary shards of each daily log index created from now on; raise it when one day of logs grows past about 50 GB.',
    }),
    retention: ElasticsearchRetentionSchema,
  },
  { additionalProperties: false, default: {} },
);

/** The validated `kafka` section. */
export type KafkaConfig = Static<typeof KafkaConfigSchema>;
/** The validated `elasticsearch` section. */
export type ElasticsearchConfig = Static<typeof ElasticsearchConfigSchema>;
/** The validated `elasticsearch.retention` section. */
export type ElasticsearchRetentionConfig = Static<typeof ElasticsearchRetentionSchema>;
