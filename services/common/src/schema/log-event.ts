import { type Static, Type } from '@sinclair/typebox';

/**
 * The normalised log event: a subset of the Elastic Common Schema (ECS), in its
 * nested form. Collectors produce it, the processor validates it again (the bus may be
 * written by anyone) and stores it as it is.
 *
 * Fields outside this subset are never dropped: `normalizeEvent` moves them under
 * `attributes`, which storage maps as one `flattened` field so that any number of
 * distinct keys stays searchable without growing the mapping.
 */

const text = (description: string) => Type.String({ description });
const opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);

export const LogEventSchema = Type.Object(
  {
    '@timestamp': Type.String({ description: 'When the event happened, ISO 8601 in UTC.' }),
    message: Type.String({ description: 'The human-readable log message.' }),
    log: opt(
      Type.Object(
        {
          level: opt(text('Severity, lower case: trace, debug, info, warn, error, fatal.')),
          logger: opt(text('Name of the logger that wrote the event.')),
          file: opt(Type.Object({ path: opt(text('File the line was read from.')) })),
          offset: opt(Type.Integer({ minimum: 0, description: 'Byte offset of the line in its file.' })),
          syslog: opt(
            Type.Object(
              {
                priority: opt(Type.Integer({ minimum: 0, maximum: 191, description: 'Syslog PRI value.' })),
                facility: opt(
                  Type.Object(
                    { code: opt(Type.Integer({ minimum: 0 })), name: opt(text('Facility name.')) },
                    { additionalProperties: false },
                  ),
                ),
                severity: opt(
                  Type.Object(
                    { code: opt(Type.Integer({ minimum: 0 })), name: opt(text('Severity name.')) },
                    { additionalProperties: false },
                  ),
                ),
                hostname: opt(text('HOSTNAME field of the syslog header.')),
                appname: opt(text('APP-NAME (RFC 5424) or TAG (RFC 3164).')),
                procid: opt(text('PROCID.')),
                msgid: opt(text('MSGID.')),
                version: opt(text('Syslog protocol version (1 for RFC 5424).')),
                structured_data: opt(
                  Type.Record(Type.String(), Type.Record(Type.String(), Type.String()), {
                    description: 'RFC 5424 structured data: SD-ID to its parameters.',
                  }),
                ),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    service: Type.Object(
      {
        name: Type.String({ minLength: 1, description: 'Service that wrote the event.' }),
        environment: opt(text('Deployment environment such as production or staging.')),
        version: opt(text('Version of the service that wrote the event.')),
      },
      { additionalProperties: false },
    ),
    host: opt(Type.Object({ name: opt(text('Host name.')) }, { additionalProperties: false })),
    container: opt(
      Type.Object(
        { id: opt(text('Container id.')), name: opt(text('Container name.')) },
        { additionalProperties: false },
      ),
    ),
    http: opt(
      Type.Object(
        {
          request: opt(
            Type.Object(
              { method: opt(text('HTTP method.')), referrer: opt(text('Referrer header.')) },
              { additionalProperties: false },
            ),
          ),
          response: opt(
            Type.Object(
              {
                status_code: opt(Type.Integer({ minimum: 100, maximum: 999, description: 'HTTP status.' })),
                body: opt(
                  Type.Object(
                    { bytes: opt(Type.Integer({ minimum: 0, description: 'Response body size.' })) },
                    { additionalProperties: false },
                  ),
                ),
              },
              { additionalProperties: false },
            ),
          ),
          version: opt(text('HTTP version, e.g. 1.1.')),
        },
        { additionalProperties: false },
      ),
    ),
    url: opt(
      Type.Object(
        { path: opt(text('Request path.')), query: opt(text('Query string, without the ?.')) },
        { additionalProperties: false },
      ),
    ),
    user_agent: opt(
      Type.Object({ original: opt(text('User-Agent header.')) }, { additionalProperties: false }),
    ),
    process: opt(
      Type.Object(
        {
          pid: opt(Type.Integer({ minimum: 0, description: 'Process id.' })),
          name: opt(text('Process name.')),
        },
        { additionalProperties: false },
      ),
    ),
    event: opt(
      Type.Object(
        {
          duration: opt(Type.Integer({ minimum: 0, description: 'Duration in nanoseconds.' })),
          original: opt(text('The raw line as received.')),
          ingested: opt(text('When Vigie received the event, ISO 8601.')),
          dataset: opt(text('Source dataset, such as nginx.access.')),
          sequence: opt(
            Type.Integer({
              minimum: 0,
              description: 'Position of the event in its stream (syslog connection, HTTP request).',
            }),
          ),
          action: opt(text('What happened, e.g. user-login or password-change (ECS event.action).')),
          category: opt(
            Type.Array(Type.String(), {
              description: 'ECS categories such as authentication, web, network (ECS event.category).',
            }),
          ),
          outcome: opt(text('success, failure or unknown (ECS event.outcome).')),
        },
        { additionalProperties: false },
      ),
    ),
    trace: opt(Type.Object({ id: opt(text('Trace id.')) }, { additionalProperties: false })),
    span: opt(Type.Object({ id: opt(text('Span id.')) }, { additionalProperties: false })),
    error: opt(
      Type.Object(
        {
          type: opt(text('Exception or error class.')),
          message: opt(text('Error message.')),
          stack_trace: opt(text('Stack trace, as text.')),
        },
        { additionalProperties: false },
      ),
    ),
    source: opt(Type.Object({ ip: opt(text('Client address.')) }, { additionalProperties: false })),
    user: opt(Type.Object({ name: opt(text('User name.')) }, { additionalProperties: false })),
    labels: opt(
      Type.Record(Type.String(), Type.String(), { description: 'Free-form key/value labels (strings).' }),
    ),
    attributes: opt(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'Every field outside the schema, kept as sent and searchable as keywords.',
      }),
    ),
    vigie: opt(
      Type.Object(
        {
          truncated: opt(Type.Boolean({ description: 'The message was cut to the size limit.' })),
          parse_error: opt(text('Why the raw line could not be parsed; the line is in event.original.')),
          timestamp_fallback: opt(
            Type.Boolean({
              description: 'The event had no usable time: @timestamp is when Vigie received it.',
            }),
          ),
          source: opt(text('Id of the collector source that read the event, e.g. file, syslog-tcp, http.')),
          stream: opt(text('Connection or stream the event came in on, for context around it.')),
          redactions: opt(Type.Integer({ minimum: 0, description: 'Secrets masked in this event.' })),
        },
        { additionalProperties: false, description: 'Flags set by Vigie while processing.' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** A normalised log event. */
export type LogEvent = Static<typeof LogEventSchema>;

/** Severity names, lowest first; anything at `error` or above counts as an error. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
