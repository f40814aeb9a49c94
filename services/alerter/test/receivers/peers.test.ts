import type { Notification } from '@vigie/common';
import {
  AlertmanagerPeer,
  OpsgeniePeer,
  PagerDutyPeer,
  SlackPeer,
  TeamsPeer,
  type VendorPeer,
  WebhookPeer,
} from '@vigie/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiver, type HttpRequestSpec, type Receiver } from '../../src/receivers/index.js';
import { OPSGENIE_KEY, ROUTING_KEY, receiverConfigs, WEBHOOK_SECRET } from './configs.js';
import { hostileNotification, worstCaseNotification } from './hostile-notification.js';

// Every receiver's requests, hostile notification included, sent to local peers that
// validate them the way each vendor documents; the peers refuse invalid requests, and
// their failures (429 with Retry-After, 5xx, no answer) reach the receivers' verdicts.

type Type = 'pagerduty' | 'slack' | 'opsgenie' | 'alertmanager' | 'teams' | 'webhook';

const peers = {
  pagerduty: new PagerDutyPeer({ routingKey: ROUTING_KEY }),
  slack: new SlackPeer(),
  opsgenie: new OpsgeniePeer(OPSGENIE_KEY),
  alertmanager: new AlertmanagerPeer({ username: 'vigie', password: 'am-password' }),
  teams: new TeamsPeer('connector'),
  webhook: new WebhookPeer(WEBHOOK_SECRET),
} satisfies Record<Type, VendorPeer>;
const TYPES = Object.keys(peers) as Type[];
const receivers = new Map<Type, Receiver>();

async function send(spec: HttpRequestSpec, timeoutMs = 5000) {
  const response = await fetch(spec.url, {
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}

async function deliver(type: Type, notification: Notification, outboxId?: string) {
  const receiver = receivers.get(type);
  if (!receiver) throw new Error(type);
  const now = Date.now();
  const answer = await send(receiver.build(notification, now, outboxId ? { outboxId } : {}));
  return { answer, verdict: receiver.interpret(answer.status, answer.headers, answer.body, now) };
}

function digest(): Notification {
  const base = hostileNotification('trigger');
  const item = { ...base, incidentId: 'vigie-2', link: 'https://vigie.example/#/incidents?incident=vigie-2' };
  return {
    ...base,
    action: 'digest',
    dedupKey: 'digest-1',
    incidentId: 'digest-1',
    evidence: [],
    digest: [base, item],
  };
}

beforeAll(async () => {
  for (const peer of Object.values(peers)) await peer.start();
  const urls = {
    pagerduty: peers.pagerduty.eventsUrl,
    slack: peers.slack.webhookUrl,
    opsgenie: peers.opsgenie.url,
    alertmanager: `${peers.alertmanager.url}/`,
    teams: peers.teams.webhookUrl,
    webhook: peers.webhook.hookUrl,
  };
  for (const config of receiverConfigs(urls)) receivers.set(config.type, createReceiver(config));
});

afterAll(async () => {
  for (const peer of Object.values(peers)) await peer.stop();
});

describe('vendor peers accept what the receivers send', () => {
  for (const type of TYPES) {
    it(`${type}: trigger, acknowledge, resolve and digest of hostile notifications are accepted`, async () => {
      const before = peers[type].accepted.length;
      for (const action of ['trigger', 'acknowledge', 'resolve'] as const) {
        const { answer, verdict } = await deliver(type, hostileNotification(action), `${type}|${action}`);
        expect(verdict, `${action}: ${answer.status} ${answer.body}`).toEqual({ kind: 'delivered' });
      }
      const { answer, verdict } = await deliver(type, digest(), `${type}|digest`);
      expect(verdict, `digest: ${answer.status} ${answer.body}`).toEqual({ kind: 'delivered' });
      expect(peers[type].accepted.length - before).toBe(4);
      expect(peers[type].refused).toEqual([]);
    });
  }

  for (const type of TYPES) {
    it(`${type}: a notification past every size limit is cut to fit and accepted`, async () => {
      const { answer, verdict } = await deliver(type, worstCaseNotification(), `${type}|worst`);
      expect(verdict, `${answer.status} ${answer.body}`).toEqual({ kind: 'delivered' });
      expect(peers[type].refused).toEqual([]);
    });
  }

  it('Opsgenie ends with the alert created P1, acknowledged, then closed, by alias', () => {
    expect(peers.opsgenie.alerts.get('vigie-0123456789abcdef')).toMatchObject({
      priority: 'P1',
      acknowledged: true,
      status: 'closed',
    });
  });

  it('Alertmanager: firing at the incident severity only, nothing active after the resolve', async () => {
    const peer = new AlertmanagerPeer({ username: 'vigie', password: 'am-password' });
    await peer.start();
    try {
      const config = receiverConfigs({ alertmanager: peer.url }).find((c) => c.type === 'alertmanager');
      if (!config) throw new Error('no config');
      const receiver = createReceiver(config);
      const now = Date.now();
      await send(receiver.build(hostileNotification('trigger'), now));
      expect(peer.active(now + 1000).map((a) => a.labels.severity)).toEqual(['critical']);
      await send(
        receiver.build(
          { ...hostileNotification('resolve'), openedAt: new Date(now - 60_000).toISOString() },
          now + 2000,
        ),
      );
      expect(peer.active(now + 3000)).toEqual([]);
    } finally {
      await peer.stop();
    }
  });

  it('the webhook peer verifies the signature and counts a retried Idempotency-Key once', async () => {
    const before = peers.webhook.accepted.length;
    await deliver('webhook', hostileNotification('trigger'), 'hook|retry-me');
    const { verdict } = await deliver('webhook', hostileNotification('trigger'), 'hook|retry-me');
    expect(verdict).toEqual({ kind: 'delivered' });
    expect(peers.webhook.accepted.length - before).toBe(1);
    expect(peers.webhook.duplicates).toBeGreaterThanOrEqual(1);
  });
});

describe('vendor peers refuse what the vendor would refuse', () => {
  const tamper: Record<Type, (spec: HttpRequestSpec) => HttpRequestSpec> = {
    pagerduty: (spec) => {
      const event = JSON.parse(spec.body) as { payload: { summary: string; severity: string } };
      event.payload.summary = 'x'.repeat(1025);
      event.payload.severity = 'high';
      return { ...spec, body: JSON.stringify(event) };
    },
    slack: (spec) => {
      const message = JSON.parse(spec.body) as { blocks: Array<{ text?: { text: string } }> };
      const header = message.blocks[0];
      if (header?.text) header.text.text = 'x'.repeat(151);
      return { ...spec, body: JSON.stringify(message) };
    },
    opsgenie: (spec) => {
      const alert = JSON.parse(spec.body) as { message: string; priority: string };
      alert.message = 'x'.repeat(131);
      alert.priority = 'P0';
      return { ...spec, body: JSON.stringify(alert) };
    },
    alertmanager: (spec) => {
      const alerts = JSON.parse(spec.body) as Array<{ labels: Record<string, string> }>;
      if (alerts[0]) alerts[0].labels['app.kubernetes.io/name'] = 'checkout';
      return { ...spec, body: JSON.stringify(alerts) };
    },
    teams: (spec) => {
      const message = JSON.parse(spec.body) as { attachments: Array<{ content: { actions: unknown[] } }> };
      message.attachments[0]?.content.actions.push({ type: 'Action.Submit', title: 'Run' });
      return { ...spec, body: JSON.stringify(message) };
    },
    webhook: (spec) => ({ ...spec, body: spec.body.replace('Error spike', 'All clear') }),
  };

  for (const type of TYPES) {
    it(`${type}: an invalid request is refused and the receiver calls it rejected`, async () => {
      const receiver = receivers.get(type);
      if (!receiver) throw new Error(type);
      const now = Date.now();
      const answer = await send(
        tamper[type](receiver.build(hostileNotification('trigger'), now, { outboxId: 'bad' })),
      );
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      const verdict = receiver.interpret(answer.status, answer.headers, answer.body, now);
      expect(verdict.kind).toBe('rejected');
      expect(peers[type].refused.length).toBeGreaterThan(0);
    });
  }

  it('Opsgenie refuses a wrong GenieKey with 401', async () => {
    const spec = receivers.get('opsgenie')?.build(hostileNotification('trigger'), Date.now());
    if (!spec) throw new Error('no spec');
    const answer = await send({ ...spec, headers: { ...spec.headers, authorization: 'GenieKey wrong' } });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ message: 'Could not authenticate' });
  });

  it('the webhook peer refuses a stale timestamp (replay)', async () => {
    const receiver = receivers.get('webhook');
    if (!receiver) throw new Error('no webhook');
    const answer = await send(
      receiver.build(hostileNotification('trigger'), Date.now() - 10 * 60_000, { outboxId: 'old' }),
    );
    expect(answer).toMatchObject({ status: 401, body: 'timestamp outside tolerance' });
  });
});

describe('vendor peers fail on demand', () => {
  for (const type of TYPES) {
    it(`${type}: 429 with Retry-After, then 503, then no answer, then delivered`, async () => {
      peers[type].failNext(1, { kind: 'status', status: 429, retryAfter: '3' });
      peers[type].failNext(1, { kind: 'status', status: 503, body: 'unavailable' });
      peers[type].failNext(1, { kind: 'hang' });
      const notification = hostileNotification('trigger');
      expect((await deliver(type, notification, `${type}|faults`)).verdict).toEqual({
        kind: 'retry',
        afterMs: 3000,
        reason: 'HTTP 429',
      });
      expect((await deliver(type, notification, `${type}|faults`)).verdict).toEqual({
        kind: 'retry',
        reason: 'HTTP 503: unavailable',
      });
      const receiver = receivers.get(type);
      if (!receiver) throw new Error(type);
      await expect(send(receiver.build(notification, Date.now()), 300)).rejects.toThrow(/timeout|aborted/i);
      expect((await deliver(type, notification, `${type}|faults-after`)).verdict).toEqual({
        kind: 'delivered',
      });
    });
  }
});
