import { type Static, Type } from '@sinclair/typebox';

// The alerter's settings: how anomalies group into incidents, where notifications go
// (receivers and routes), and how delivery behaves. Receiver secrets (routing keys,
// tokens, webhook URLs that embed a token) are marked `secret`: never logged, never
// returned by the API.

const secret = { secret: true } as const;

const receiverCommon = {
  name: Type.String({
    pattern: '^[A-Za-z0-9_.-]{1,64}$',
    description: 'Unique name that routes refer to (1-64 letters, digits, `_`, `.`, `-`).',
  }),
  rateLimitPerMinute: Type.Integer({
    minimum: 1,
    default: 60,
    description: 'Notifications a minute to this receiver; beyond it they wait in the outbox.',
  }),
  timeoutMs: Type.Integer({
    minimum: 100,
    default: 10000,
    description: 'Timeout of one delivery attempt (connection, request and answer), in milliseconds.',
  }),
};

const SeverityName = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')], {
  description: 'Minimum severity: info, warning or critical.',
});

export const ReceiverConfigSchema = Type.Union([
  Type.Object(
    {
      ...receiverCommon,
      type: Type.Literal('pagerduty', { description: 'PagerDuty Events API v2.' }),
      routingKey: Type.String({
        minLength: 1,
        description: "Integration key of the service's Events API v2 integration (routing_key).",
        ...secret,
      }),
      url: Type.String({
        default: 'https://events.pagerduty.com/v2/enqueue',
        description: 'Events API v2 endpoint (EU accounts: https://events.eu.pagerduty.com/v2/enqueue).',
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      ...receiverCommon,
      type: Type.Literal('slack', { description: 'Slack incoming webhook (Block Kit message).' }),
      url: Type.String({
        description: 'Incoming webhook URL, https://hooks.slack.com/services/… (holds the token).',
        ...secret,
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      ...receiverCommon,
      type: Type.Literal('opsgenie', {
        description: 'Opsgenie Alert API (create, acknowledge, close by alias).',
      }),
      apiKey: Type.String({
        minLength: 1,
        description: 'Key of an Opsgenie API integration (sent as `Authorization: GenieKey …`).',
        ...secret,
      }),
      url: Type.String({
        default: 'https://api.opsgenie.com',
        description: 'API base URL (EU accounts: https://api.eu.opsgenie.com).',
      }),
      responders: Type.Array(
        Type.Object(
          {
            type: Type.Union(
              [
                Type.Literal('team'),
                Type.Literal('user'),
                Type.Literal('escalation'),
                Type.Literal('schedule'),
              ],
              { description: 'team, user, escalation or schedule.' },
            ),
            name: Type.String({
              minLength: 1,
              description: "The team's, escalation's or schedule's name; a user's username (e-mail).",
            }),
          },
          { additionalProperties: false },
        ),
        {
          default: [],
          description: 'Who Opsgenie notifies of the alerts Vigie creates (none: its own rules).',
        },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      ...receiverCommon,
      type: Type.Literal('alertmanager', { description: 'Prometheus Alertmanager API v2.' }),
      url: Type.String({
        description:
          'Alertmanager base URL, e.g. https://alertmanager.example.com; alerts go to /api/v2/alerts.',
      }),
      username: Type.Optional(
        Type.String({ description: 'Basic-auth user name, when Alertmanager asks for one.' }),
      ),
      password: Type.Optional(Type.String({ description: 'Basic-auth password.', ...secret })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      ...receiverCommon,
      type: Type.Literal('teams', { description: 'Microsoft Teams webhook (Adaptive Card message).' }),
      url: Type.String({
        description: 'Teams incoming webhook or Workflows (Power Automate) webhook URL (holds the token).',
        ...secret,
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      ...receiverCommon,
      type: Type.Literal('webhook', {
        description: 'Generic webhook: signed JSON (see Webhook signatures).',
      }),
      url: Type.String({ description: 'URL the JSON is POSTed to.' }),
      secret: Type.String({
        minLength: 16,
        description: 'HMAC-SHA256 key of the X-Vigie-Signature header (16 characters or more).',
        ...secret,
      }),
    },
    { additionalProperties: false },
  ),
]);

export const RouteConfigSchema = Type.Object(
  {
    match: Type.Object(
      {
        service: Type.Optional(
          Type.Array(Type.String(), { description: 'Services (service.name) matched.' }),
        ),
        environment: Type.Optional(
          Type.Array(Type.String(), { description: 'Environments matched (alerter.environment).' }),
        ),
        kind: Type.Optional(
          Type.Array(Type.String(), {
            description:
              'Matches when any anomaly of the incident has one of these kinds: error_spike, latency, volume_high, volume_low, new_pattern, brute_force, password_spraying, scan, log_rule.',
          }),
        ),
        group: Type.Optional(
          Type.Array(Type.String(), {
            description:
              'Incident families matched: availability (error, latency, volume, pattern anomalies), security (brute force, spraying, scan), rule (log alert rules).',
          }),
        ),
        severity: Type.Optional(SeverityName),
        labels: Type.Optional(
          Type.Record(Type.String(), Type.String(), {
            description: 'Labels the incident must carry with these exact values.',
          }),
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description:
          'Every given field must match; `severity` is a minimum; lists match any of their values.',
      },
    ),
    receivers: Type.Array(Type.String(), {
      minItems: 1,
      description: 'Names of the receivers that get the matching incidents.',
    }),
    continue: Type.Boolean({ default: false, description: 'Keep evaluating later routes after a match.' }),
    digestMs: Type.Optional(
      Type.Integer({
        minimum: 10000,
        description: 'Digest mode: one message per receiver summarising the incidents of each window.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const AlerterConfigSchema = Type.Object(
  {
    groupId: Type.String({ minLength: 1, default: 'vigie-alerter', description: 'Kafka consumer group.' }),
    publicUrl: Type.String({
      pattern: '^https?://',
      default: 'http://127.0.0.1:8080',
      description: 'Base URL of the Vigie UI, for the drill-down links in notifications.',
    }),
    groupWindowMs: Type.Integer({
      minimum: 0,
      default: 15 * 60_000,
      description:
        'Related anomalies of one service within this window join one incident; a resolved one reopens.',
    }),
    resolveAfterMs: Type.Integer({
      minimum: 0,
      default: 5 * 60_000,
      description:
        'Quiet time (every anomaly closed) before an incident resolves: hysteresis against flapping.',
    }),
    flapTransitions: Type.Integer({
      minimum: 2,
      default: 6,
      description: 'Anomaly open/close transitions within flapWindowMs that mark an incident as flapping.',
    }),
    flapWindowMs: Type.Integer({
      minimum: 60_000,
      default: 60 * 60_000,
      description: 'Window of flapping detection.',
    }),
    feedbackTtlMs: Type.Integer({
      minimum: 60_000,
      default: 7 * 24 * 60 * 60_000,
      description:
        'How long "expected" or "false alarm" feedback suppresses its service, kind and dimension.',
    }),
    rulesIntervalMs: Type.Integer({
      minimum: 1000,
      default: 30_000,
      description: 'Evaluation period of log alert rules.',
    }),
    environment: Type.Optional(
      Type.String({ description: 'Environment label of the incidents (e.g. production).' }),
    ),
    labels: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Labels added to every incident, for routing and for Alertmanager.',
    }),
    receivers: Type.Array(ReceiverConfigSchema, {
      default: [],
      description: 'Where notifications can go (JSON array in the environment).',
    }),
    routes: Type.Array(RouteConfigSchema, {
      default: [],
      description: 'First matching route wins (unless `continue`); no match → no notification.',
    }),
    delivery: Type.Object(
      {
        retryMinMs: Type.Integer({
          minimum: 10,
          default: 1000,
          description: 'First retry delay (exponential, with jitter).',
        }),
        retryMaxMs: Type.Integer({
          minimum: 10,
          default: 5 * 60_000,
          description: 'Longest retry delay (at least retryMinMs).',
        }),
        maxAgeMs: Type.Integer({
          minimum: 60_000,
          default: 24 * 60 * 60_000,
          description:
            'A notification still undelivered after this long is marked dead (and shown in the delivery log).',
        }),
        breakerFailures: Type.Integer({
          minimum: 1,
          default: 5,
          description: 'Consecutive failures that open the circuit of a receiver.',
        }),
        breakerCooldownMs: Type.Integer({
          minimum: 100,
          default: 30_000,
          description: 'Wait after the circuit opened before one trial delivery (half-open).',
        }),
        pollMs: Type.Integer({
          minimum: 10,
          default: 500,
          description: 'How often the outbox is read for due notifications, in milliseconds.',
        }),
        allowHttp: Type.Boolean({
          default: false,
          description: 'Allow plain-http receiver URLs (https only by default).',
        }),
        allowedNetworks: Type.Array(Type.String(), {
          default: [],
          description:
            'CIDRs (or single addresses) receivers may reach although private, loopback or link-local (e.g. 127.0.0.1/32 for a local Alertmanager); refused otherwise. Checked on every connection, after name resolution.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export type AlerterConfig = Static<typeof AlerterConfigSchema>;
export type ReceiverConfig = Static<typeof ReceiverConfigSchema>;
export type RouteConfig = Static<typeof RouteConfigSchema>;
