import type { Incident, TimelineEntry } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import {
  DIGEST_ITEMS_MAX,
  type DigestSubject,
  digestEntries,
  digestEvents,
  digestNotification,
} from '../../src/digest/index.js';
import { applyAnomaly } from '../../src/incidents/index.js';
import { createReceiver } from '../../src/receivers/index.js';
import { anomaly, iso, MINUTE, policy, T0 } from '../incidents/fixtures.js';

const WINDOW = { start: T0, end: T0 + 5 * MINUTE };

function notified(
  at: number,
  action: 'trigger' | 'acknowledge' | 'resolve',
  extra: { cycle?: number; escalation?: boolean; routes?: number[] } = {},
): TimelineEntry {
  return {
    at: iso(at),
    type: 'notified',
    text: `Queued ${action}.`,
    severity: 'critical',
    notification: {
      action,
      cycle: extra.cycle ?? 1,
      escalation: extra.escalation ?? false,
      digestRoutes: extra.routes ?? [0],
    },
  };
}

function incidentOf(service: string, overrides: Partial<Incident> = {}): Incident {
  return {
    ...applyAnomaly(undefined, anomaly({ service, id: `a-${service}` }), T0, policy).incident,
    ...overrides,
  };
}

describe('digest events', () => {
  it('are the openings, reopenings, escalations and resolutions queued for the route inside the window', () => {
    const incident = incidentOf('checkout', {
      timeline: [
        notified(T0 - 1, 'trigger'), // before the window
        notified(T0, 'trigger', { cycle: 2 }),
        notified(T0 + MINUTE, 'trigger', { cycle: 2, escalation: true }),
        notified(T0 + 2 * MINUTE, 'acknowledge', { cycle: 2 }),
        notified(T0 + 3 * MINUTE, 'resolve', { cycle: 2 }),
        notified(T0 + 4 * MINUTE, 'trigger', { routes: [1] }), // another route
        { at: iso(T0 + 4 * MINUTE), type: 'opened', text: 'Opened.' }, // not queued: muted
        notified(WINDOW.end, 'trigger', { cycle: 3 }), // next window
      ],
    });
    expect(digestEvents(incident, 0, WINDOW).map((e) => [e.kind, e.at - T0])).toEqual([
      ['reopened', 0],
      ['escalated', MINUTE],
      ['resolved', 3 * MINUTE],
    ]);
    expect(digestEvents(incident, 1, WINDOW).map((e) => e.kind)).toEqual(['opened']);
    expect(digestEvents(incident, 2, WINDOW)).toEqual([]);
  });
});

describe('digest notification', () => {
  const subjects: DigestSubject[] = [
    {
      incident: incidentOf('checkout', { severity: 'critical' }),
      events: [{ at: T0 + 1000, kind: 'opened' }],
    },
    {
      incident: incidentOf('cart', { status: 'resolved' }),
      events: [{ at: T0 + 2000, kind: 'resolved' }],
    },
  ];
  const content = {
    routeIndex: 3,
    window: WINDOW,
    subjects,
    publicUrl: 'https://vigie.example/',
    environment: 'production',
    labels: { team: 'payments' },
  };

  it('lists the incidents with their history, under a key of its own per route and window', () => {
    const n = digestNotification(content);
    expect(n).toMatchObject({
      action: 'digest',
      dedupKey: 'vigie-digest-route3-2026-03-02T10:00:00.000Z',
      incidentId: 'vigie-digest-route3-2026-03-02T10:00:00.000Z',
      title: 'Digest: 2 incidents from 2026-03-02T10:00:00Z to 2026-03-02T10:05:00Z',
      service: '2 services',
      environment: 'production',
      severity: 'critical',
      status: 'open',
      summary: '2 incidents in this window: 1 opened, 1 resolved.',
      link: 'https://vigie.example/#/incidents',
      labels: { team: 'payments' },
      evidence: [],
    });
    expect(n.digest?.map((d) => [d.service, d.status, d.summary])).toEqual([
      [
        'checkout',
        'open',
        expect.stringMatching(/^Opened 10:00:01 UTC: Error ratio 20 % vs 1 % expected on checkout/),
      ],
      [
        'cart',
        'resolved',
        expect.stringMatching(/^Resolved 10:00:02 UTC: Error ratio 20 % vs 1 % expected on cart/),
      ],
    ]);
    expect(digestNotification({ ...content, subjects: [subjects[1] as DigestSubject] })).toMatchObject({
      service: 'cart',
      status: 'resolved',
      severity: 'warning',
    });
  });

  it('keeps the count of every incident but lists at most DIGEST_ITEMS_MAX', () => {
    const many = Array.from({ length: DIGEST_ITEMS_MAX + 5 }, (_, i) => ({
      incident: incidentOf(`svc-${i}`),
      events: [{ at: T0 + i, kind: 'opened' as const }],
    }));
    const n = digestNotification({ ...content, subjects: many });
    expect(n.digest).toHaveLength(DIGEST_ITEMS_MAX);
    expect(n.summary).toBe(
      `${DIGEST_ITEMS_MAX + 5} incidents in this window: ${DIGEST_ITEMS_MAX + 5} opened.`,
    );
  });

  it('becomes one outbox entry per receiver, which the receivers render as a digest', () => {
    const entries = digestEntries(['slack', 'hook'], content, T0 + 6 * MINUTE);
    expect(entries.map((e) => [e.id, e.incidentId, e.status, e.nextAttemptAt])).toEqual([
      [
        'slack|digest|3|2026-03-02T10:00:00.000Z',
        'vigie-digest-route3-2026-03-02T10:00:00.000Z',
        'pending',
        T0 + 6 * MINUTE,
      ],
      [
        'hook|digest|3|2026-03-02T10:00:00.000Z',
        'vigie-digest-route3-2026-03-02T10:00:00.000Z',
        'pending',
        T0 + 6 * MINUTE,
      ],
    ]);
    const slack = createReceiver({
      name: 'slack',
      type: 'slack',
      url: 'https://hooks.slack.test/x',
      rateLimitPerMinute: 60,
      timeoutMs: 1000,
    });
    const body = slack.build(entries[0]?.notification ?? digestNotification(content), T0).body;
    expect(body).toContain('DIGEST CRITICAL');
    expect(body).toContain('checkout (checkout, open)');
    expect(body).toContain('incident=vigie-');
  });
});
