import type { ReceiverConfig } from '@vigie/common';

// One configuration per receiver type, with made-up secrets the tests look for in logs.

const common = { rateLimitPerMinute: 60, timeoutMs: 10_000 };

export const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';
export const OPSGENIE_KEY = 'eb243592-faa2-4ba2-a551-1afdf565c889';
export const WEBHOOK_SECRET = 'whsec-0123456789abcdef';
export const SLACK_URL = 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX';
export const TEAMS_URL = 'https://example.webhook.office.com/webhookb2/abc@def/IncomingWebhook/0123/4567';

/** Receiver configurations pointing at the vendors, or at `base` URLs (test peers) when given. */
export function receiverConfigs(
  base: Partial<Record<ReceiverConfig['type'], string>> = {},
): ReceiverConfig[] {
  return [
    {
      ...common,
      type: 'pagerduty',
      name: 'pd',
      routingKey: ROUTING_KEY,
      url: base.pagerduty ?? 'https://events.pagerduty.com/v2/enqueue',
    },
    { ...common, type: 'slack', name: 'slack', url: base.slack ?? SLACK_URL },
    {
      ...common,
      type: 'opsgenie',
      name: 'opsgenie',
      apiKey: OPSGENIE_KEY,
      url: base.opsgenie ?? 'https://api.opsgenie.com',
      responders: [
        { type: 'team', name: 'payments' },
        { type: 'user', name: 'oncall@example.com' },
      ],
    },
    {
      ...common,
      type: 'alertmanager',
      name: 'am',
      url: base.alertmanager ?? 'http://127.0.0.1:9093/',
      username: 'vigie',
      password: 'am-password',
    },
    { ...common, type: 'teams', name: 'teams', url: base.teams ?? TEAMS_URL },
    {
      ...common,
      type: 'webhook',
      name: 'hook',
      url: base.webhook ?? 'https://hooks.example.com/vigie?token=abc',
      secret: WEBHOOK_SECRET,
    },
  ];
}
