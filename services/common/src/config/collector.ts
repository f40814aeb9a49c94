import { Type } from '@sinclair/typebox';

/** Formats a source can be told to expect; `auto` detects per line. */
export const LineFormatSchema = Type.Union(
  ['auto', 'json', 'logfmt', 'nginx', 'apache', 'syslog', 'cri', 'docker', 'text'].map((f) =>
    Type.Literal(f),
  ),
  {
    default: 'auto',
    description:
      'Format of the lines: auto (detected per line), json, logfmt, nginx, apache, syslog, cri, docker or text.',
  },
);

const FileSourceSchema = Type.Object(
  {
    paths: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Glob patterns of files to follow.',
    }),
    exclude: Type.Optional(
      Type.Array(Type.String(), { description: 'Glob patterns of files to leave alone.' }),
    ),
    service: Type.Optional(Type.String({ description: 'service.name of events that name none.' })),
    environment: Type.Optional(Type.String({ description: 'service.environment of events that name none.' })),
    format: LineFormatSchema,
    multilineStart: Type.Optional(
      Type.String({
        description:
          'Regular expression matching the first line of a record; other lines join the record before them. Default: every line is a record, except stack-trace continuations (indented lines, "Caused by:", "... N more", Python traceback lines), which join the line before.',
      }),
    ),
    labels: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'Labels added to every event.' }),
    ),
  },
  { additionalProperties: false },
);

/** The collector role's settings. */
export const CollectorConfigSchema = Type.Object(
  {
    hostName: Type.Optional(
      Type.String({ description: 'host.name of what this collector reads (default: the machine name).' }),
    ),
    service: Type.String({
      default: 'unknown_service',
      description: 'service.name of events whose source and content name none.',
    }),
    dataDir: Type.String({
      default: 'data/collector',
      description: 'Folder of the file checkpoints and of the spool used while Kafka is away.',
    }),
    parseWorkers: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 64,
        description:
          'Worker threads that parse lines under a 50 ms time budget per line; a line over it is dead-lettered (kept raw with vigie.parse_error) without blocking the collector. 0 parses on the event loop, where a slow line stalls every source until it ends. Default: the number of cores, at most 4.',
      }),
    ),
    maxLineBytes: Type.Integer({
      minimum: 1024,
      default: 1024 * 1024,
      description: 'Longer lines are cut to this size and flagged vigie.truncated, never dropped.',
    }),
    demo: Type.Boolean({
      default: false,
      description:
        'Send simulated traffic of a small shop (labelled labels.demo=true): an hour of history at start, then 50-200 events/s in real time with a day compressed into 20 minutes, and a round of incidents (brute force, error spike, latency regression, new exception, silent service) 30 s in and every 10 minutes. For trying Vigie; keep it off in production.',
    }),
    files: Type.Array(FileSourceSchema, {
      default: [],
      description: 'Files to follow (JSON array in the environment).',
    }),
    syslog: Type.Object(
      {
        enabled: Type.Boolean({
          default: false,
          description: 'Receive syslog (RFC 3164 and 5424) over UDP and TCP.',
        }),
        host: Type.String({ default: '127.0.0.1', description: 'Address the syslog listeners bind to.' }),
        port: Type.Integer({
          minimum: 0,
          maximum: 65535,
          default: 5514,
          description: 'Port of the UDP and TCP listeners.',
        }),
        service: Type.Optional(
          Type.String({ description: 'service.name when the message has no APP-NAME/TAG.' }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    http: Type.Object(
      {
        enabled: Type.Boolean({
          default: true,
          description: 'Receive events over HTTP (/ingest, OTLP, Elasticsearch _bulk, Loki push).',
        }),
        host: Type.String({
          default: '127.0.0.1',
          description: 'Address of the HTTP listener; other than loopback needs a token.',
        }),
        port: Type.Integer({
          minimum: 0,
          maximum: 65535,
          default: 8081,
          description: 'Port of the HTTP listener.',
        }),
        maxBodyBytes: Type.Integer({
          minimum: 1024,
          default: 10 * 1024 * 1024,
          description: 'Larger request bodies get 413.',
        }),
        token: Type.Optional(
          Type.String({
            minLength: 16,
            description: 'Bearer token required from HTTP clients.',
            secret: true,
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    redaction: Type.Object(
      {
        defaults: Type.Boolean({
          default: true,
          description:
            'Mask card numbers (Luhn-checked), bearer tokens, JWTs, password=/secret=/api_key= pairs and AWS keys.',
        }),
        rules: Type.Array(
          Type.Object(
            {
              name: Type.String({ minLength: 1, description: 'Name counted in vigie_redactions_total.' }),
              pattern: Type.String({ minLength: 1, description: 'Regular expression of what to mask.' }),
              replacement: Type.String({ default: '[REDACTED]', description: 'What replaces each match.' }),
            },
            { additionalProperties: false },
          ),
          { default: [], description: 'Extra redaction rules (JSON array in the environment).' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    spoolMaxBytes: Type.Integer({
      minimum: 1024 * 1024,
      default: 1024 * 1024 * 1024,
      description: 'Disk the spool may use while Kafka is away; when full, sources push back.',
    }),
    compression: Type.Union([Type.Literal('none'), Type.Literal('gzip')], {
      default: 'gzip',
      description: 'Compression of the batches sent to Kafka.',
    }),
  },
  { additionalProperties: false, default: {} },
);
