import type { Notification } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { createReceiver, type HttpRequestSpec, verifyWebhookSignature } from '../../src/receivers/index.js';
import { OPSGENIE_KEY, receiverConfigs, WEBHOOK_SECRET } from './configs.js';
import { HOSTILE, hostileNotification, NOW } from './hostile-notification.js';

// Golden payloads: each receiver's exact request for a notification full of hostile log
// text (golden/<type>-<action>.json), plus checks that the markup is inert in each dialect.

const ACTIONS: Notification['action'][] = ['trigger', 'acknowledge', 'resolve'];

function build(type: string, action: Notification['action']): HttpRequestSpec {
  const config = receiverConfigs().find((c) => c.type === type);
  if (!config) throw new Error(type);
  return createReceiver(config).build(hostileNotification(action), NOW, { outboxId: `${type}|${action}` });
}

/** Every string value under the given keys, anywhere in a JSON document. */
function stringsUnder(value: unknown, keys: string[], out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) stringsUnder(item, keys, out);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === 'string' && keys.includes(key)) out.push(child);
      else stringsUnder(child, keys, out);
    }
  }
  return out;
}

describe('receiver golden payloads', () => {
  for (const type of ['pagerduty', 'slack', 'opsgenie', 'alertmanager', 'teams', 'webhook']) {
    for (const action of ACTIONS) {
      it(`${type} ${action} matches golden/${type}-${action}.json`, async () => {
        const request = build(type, action);
        const golden = { ...request, body: JSON.parse(request.body) as unknown };
        await expect(`${JSON.stringify(golden, null, 2)}\n`).toMatchFileSnapshot(
          `golden/${type}-${action}.json`,
        );
      });
    }
  }
});

describe('hostile log text is inert', () => {
  it('Slack: no raw <, > or & in any text, links only as button URLs', () => {
    const body = JSON.parse(build('slack', 'trigger').body) as { text: string; blocks: unknown[] };
    const texts = [body.text, ...stringsUnder(body.blocks, ['text'])];
    expect(texts.length).toBeGreaterThan(5);
    for (const text of texts) {
      expect(text).not.toMatch(/[<>]/);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    expect(JSON.stringify(body)).toContain('&lt;!channel&gt;');
    const urls = stringsUnder(body.blocks, ['url']);
    expect(urls).toEqual([
      'https://vigie.example/#/incidents?incident=vigie-0123456789abcdef',
      'https://vigie.example/#/search?q=service%3Acheckout%20AND%20level%3Aerror&from=1&to=2',
    ]);
    for (const block of body.blocks as Array<{ type: string; text?: { type: string; text: string } }>) {
      if (block.text) {
        expect(block.text.type).toBe('plain_text');
        expect(block.text.text.length).toBeLessThanOrEqual(block.type === 'header' ? 150 : 3000);
      }
    }
  });

  it('Teams: every Markdown character from logs is backslash-escaped, JSON fragments stay text', () => {
    const body = JSON.parse(build('teams', 'trigger').body) as Record<string, unknown>;
    const texts = stringsUnder(body, ['text', 'value']);
    expect(texts.length).toBeGreaterThan(5);
    for (const text of texts) {
      const unescaped = text.replace(/\\[\s\S]/g, '');
      expect(unescaped).not.toMatch(/[`*_{}[\]<>~]/);
      expect(unescaped).not.toMatch(/^\s*[-+]|^\s*\d+[.)]/m);
    }
    const card = (body.attachments as Array<{ contentType: string; content: { actions: unknown[] } }>)[0];
    expect(card?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card?.content.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Open in Vigie',
        url: 'https://vigie.example/#/incidents?incident=vigie-0123456789abcdef',
      },
      {
        type: 'Action.OpenUrl',
        title: 'Logs of anomaly 1',
        url: 'https://vigie.example/#/search?q=service%3Acheckout%20AND%20level%3Aerror&from=1&to=2',
      },
    ]);
  });

  it('Opsgenie: message and description are HTML-escaped and within limits, key in GenieKey header', () => {
    const request = build('opsgenie', 'trigger');
    const body = JSON.parse(request.body) as {
      message: string;
      description: string;
      alias: string;
      priority: string;
    };
    expect(request.headers.authorization).toBe(`GenieKey ${OPSGENIE_KEY}`);
    expect(body.message.length).toBeLessThanOrEqual(130);
    expect(body.description.length).toBeLessThanOrEqual(15000);
    expect(body.message).not.toMatch(/[<>"']/);
    expect(body.description).not.toMatch(/[<>"']/);
    expect(body.description).toContain('&lt;script&gt;');
    expect(body.priority).toBe('P1');
    expect(body.alias).toBe('vigie-0123456789abcdef');
  });

  it('PagerDuty: summary within 1024, documented enums, no javascript: link', () => {
    const body = JSON.parse(build('pagerduty', 'trigger').body) as {
      payload: { summary: string; severity: string };
      links: Array<{ href: string }>;
    };
    expect(body.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(body.payload.summary).not.toContain('\n');
    expect(['critical', 'error', 'warning', 'info']).toContain(body.payload.severity);
    expect(body.links.map((l) => l.href)).not.toContain('javascript:alert(1)');
    expect(body.links).toHaveLength(2);
  });

  it('Alertmanager: valid label names, hostile text only in values and annotations', () => {
    const alerts = JSON.parse(build('alertmanager', 'resolve').body) as Array<{
      labels: Record<string, string>;
      endsAt: string;
    }>;
    expect(alerts).toHaveLength(3);
    for (const alert of alerts) {
      for (const name of Object.keys(alert.labels)) expect(name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
      expect(alert.endsAt).toBe(new Date(NOW).toISOString());
    }
  });

  it('webhook: the notification verbatim, signed over timestamp and body', () => {
    const request = build('webhook', 'trigger');
    const payload = JSON.parse(request.body) as { id: string; notification: Notification };
    expect(payload.notification.title).toBe(`Error spike on ${HOSTILE}`);
    expect(request.headers['idempotency-key']).toBe('webhook|trigger');
    expect(payload.id).toBe('webhook|trigger');
    const headers = {
      timestamp: request.headers['x-vigie-timestamp'],
      signature: request.headers['x-vigie-signature'],
    };
    expect(verifyWebhookSignature(WEBHOOK_SECRET, headers, request.body, NOW)).toBe(true);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, headers, `${request.body} `, NOW)).toBe(false);
    expect(verifyWebhookSignature('another-secret-0000', headers, request.body, NOW)).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, headers, request.body, NOW + 301_000)).toBe(false);
  });
});
