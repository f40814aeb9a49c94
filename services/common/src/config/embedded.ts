import { Type } from '@sinclair/typebox';

/** The embedded engines of `vigie all` when neither Kafka nor Elasticsearch is configured. */
export const EmbeddedConfigSchema = Type.Object(
  {
    dataDir: Type.String({
      minLength: 1,
      default: 'data/embedded',
      description:
        'Folder of the embedded bus (bus/) and store (vigie.db) that `vigie all` uses when neither kafka.brokers nor elasticsearch.url is set, in the file or the environment.',
    }),
    maxAgeDays: Type.Integer({
      minimum: 1,
      default: 7,
      description: 'Embedded mode: days of events kept, in the store and on the bus.',
    }),
    maxBytes: Type.Integer({
      minimum: 1_048_576,
      default: 10 * 1024 * 1024 * 1024,
      description:
        'Embedded mode: bytes the store keeps before deleting its oldest days; the bus keeps as much per topic.',
    }),
  },
  { additionalProperties: false, default: {} },
);
