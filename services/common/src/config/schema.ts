import { type Static, Type } from '@sinclair/typebox';
import { AlerterConfigSchema } from './alerter.js';
import { CollectorConfigSchema } from './collector.js';
import { EmbeddedConfigSchema } from './embedded.js';
import { ElasticsearchConfigSchema, KafkaConfigSchema } from './engines.js';

/**
 * Vigie's whole configuration. Every leaf can be set in the config file (YAML or JSON)
 * or by an environment variable named after its path: `kafka.brokers` is
 * `VIGIE_KAFKA_BROKERS`, `processor.groupId` is `VIGIE_PROCESSOR_GROUP_ID`.
 * Fields marked `secret` are never logged. The configuration reference in README.md is
 * generated from these descriptions (`npm run docs:config`).
 */

export const ConfigSchema = Type.Object(
  {
    log: Type.Object(
      {
        level: Type.Union(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info', description: 'Minimum level of the service logs.' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    kafka: KafkaConfigSchema,
    elasticsearch: ElasticsearchConfigSchema,
    processor: Type.Object(
      {
        groupId: Type.String({
          minLength: 1,
          default: 'vigie-processor',
          description: 'Kafka consumer group.',
        }),
        concurrency: Type.Integer({
          minimum: 1,
          maximum: 64,
          default: 3,
          description: 'Partitions processed at the same time by one processor.',
        }),
        fetchMaxBytes: Type.Integer({
          minimum: 65536,
          default: 4 * 1024 * 1024,
          description: 'Most bytes fetched from one partition at once: bounds memory and bulk size.',
        }),
        retryMinMs: Type.Integer({
          minimum: 1,
          default: 200,
          description: 'First retry delay after a failure.',
        }),
        retryMaxMs: Type.Integer({ minimum: 1, default: 10000, description: 'Longest retry delay.' }),
      },
      { additionalProperties: false, default: {} },
    ),
    detection: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Run detection in the processor.' }),
        bucketSeconds: Type.Integer({
          minimum: 1,
          maximum: 3600,
          default: 10,
          description: 'Width of the event-time buckets of every series.',
        }),
        allowedLatenessSeconds: Type.Integer({
          minimum: 0,
          maximum: 3600,
          default: 5,
          description: 'How late an event may arrive and still count in its bucket (the watermark lag).',
        }),
        snapshotSeconds: Type.Integer({
          minimum: 1,
          default: 30,
          description: 'How often each partition saves its detection state, so a restart resumes from it.',
        }),
        idleSeconds: Type.Integer({
          minimum: 1,
          default: 20,
          description:
            'After this long without events on a partition, its event time follows the wall clock, so silence is still detected.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    collector: CollectorConfigSchema,
    api: Type.Object(
      {
        host: Type.String({
          default: '127.0.0.1',
          description:
            'Address the search API and UI listen on. Anything but a loopback address needs access control configured.',
        }),
        port: Type.Integer({
          minimum: 0,
          maximum: 65535,
          default: 8080,
          description: 'Port of the search API and UI (0 picks a free one).',
        }),
        uiDir: Type.String({
          default: 'ui/dist',
          description:
            'Directory of the built UI served at /, relative to the working directory; not served when it does not exist.',
        }),
        tailIntervalMs: Type.Integer({
          minimum: 200,
          maximum: 60_000,
          default: 1000,
          description: 'How often a live tail (GET /api/tail) looks for new matching events.',
        }),
        maxTailClients: Type.Integer({
          minimum: 1,
          maximum: 1000,
          default: 50,
          description: 'Live tails served at once; more are refused with 503 so polling stays bounded.',
        }),
        keysFile: Type.String({
          default: 'data/api/keys.json',
          description:
            'API keys file managed by `vigie keys` (hashed keys only, mode 0600). Without any key the API serves loopback only, without asking for one.',
        }),
        auditFile: Type.String({
          default: 'data/api/audit.log',
          description:
            'JSON-lines audit log of searches and exports (who, query, time range, hits); empty to record in the audit index only.',
        }),
        auditIndex: Type.Boolean({
          default: true,
          description: 'Also record the audit log in the `<elasticsearch.indexPrefix>-audit` index.',
        }),
        rateLimitPerMinute: Type.Integer({
          minimum: 1,
          maximum: 1_000_000,
          default: 600,
          description:
            'Requests a minute per API key (per client address without a valid key); beyond it, 429 with Retry-After.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    alerter: AlerterConfigSchema,
    embedded: EmbeddedConfigSchema,
    ops: Type.Object(
      {
        host: Type.String({
          default: '127.0.0.1',
          description: 'Address of the /metrics, /health and /ready endpoints.',
        }),
        port: Type.Optional(
          Type.Integer({
            minimum: 0,
            maximum: 65535,
            description:
              'Port of the /metrics, /health and /ready endpoints (0 picks a free one). Default: 9464 for the processor, 9465 for the collector, 9466 for the alerter, 9467 for the API, so they fit on one host.',
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

/** The validated configuration. */
export type VigieConfig = Static<typeof ConfigSchema>;

/** The collector role's validated settings. */
export type CollectorConfig = VigieConfig['collector'];
/** One entry of `collector.files`. */
export type FileSourceConfig = CollectorConfig['files'][number];

/** Default port of each role's ops endpoints when `ops.port` is not set. */
export const DEFAULT_OPS_PORTS = { processor: 9464, collector: 9465, alerter: 9466, api: 9467 } as const;
