import { Value } from '@sinclair/typebox/value';
import type { AlerterConfig } from '@vigie/common';
import { AlerterConfigSchema, UnavailableError } from '@vigie/common';
import { MemoryAlertStore, MemoryStore, sampleAnomaly, testLogger } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../src/incidents/index.js';
import { IncidentFlow } from '../../src/service/incident-flow.js';

const T0 = Date.parse('2026-03-02T10:01:00Z');

function alerterConfig(overrides: Partial<AlerterConfig> = {}): AlerterConfig {
  const defaults = Value.Default(AlerterConfigSchema, {}) as AlerterConfig;
  return {
    ...defaults,
    resolveAfterMs: 60_000,
    receivers: [
      {
        name: 'pd',
        type: 'pagerduty',
        routingKey: 'k'.repeat(32),
        url: 'https://pd.test',
        rateLimitPerMinute: 60,
        timeoutMs: 1000,
      },
      {
        name: 'crit',
        type: 'webhook',
        url: 'https://hook.test',
        secret: 's'.repeat(32),
        rateLimitPerMinute: 60,
        timeoutMs: 1000,
      },
    ],
    routes: [
      { match: { severity: 'critical' }, receivers: ['crit'], continue: false },
      { match: {}, receivers: ['pd'], continue: false },
    ],
    ...overrides,
  };
}

function setup(faults: ConstructorParameters<typeof MemoryAlertStore>[0] = {}) {
  const store = new MemoryAlertStore(faults);
  const flow = new IncidentFlow({
    store,
    search: new MemoryStore(),
    config: alerterConfig(),
    logger: testLogger(),
  });
  return { store, flow };
}

const open = sampleAnomaly(0, { service: 'checkout' });
const closed = {
  ...open,
  state: 'closed' as const,
  end: '2026-03-02T10:04:00Z',
  updated: '2026-03-02T10:04:00Z',
};

describe('IncidentFlow: anomalies to incidents to queued notifications', () => {
  it('queues one trigger per routed receiver, and nothing more when the same anomaly version is replayed', async () => {
    const { store, flow } = setup();
    await flow.handleAnomalies([open], T0);
    await flow.handleAnomalies([open], T0 + 1000);
    await flow.reconcile(T0 + 2000);
    const incidents = await store.listIncidents();
    expect(incidents).toHaveLength(1);
    const outbox = await store.listOutbox();
    expect(outbox.map((e) => [e.receiver, e.notification.action])).toEqual([['pd', 'trigger']]);
    expect(outbox[0]?.notification.link).toContain(`#/incidents?incident=${incidents[0]?.id}`);
    expect(incidents[0]?.notified).toMatchObject({ status: 'open', cycle: incidents[0]?.cycle });
  });

  it('resolves after the quiet period, telling the receivers paged in this cycle even when escalation changed the route', async () => {
    const { store, flow } = setup();
    await flow.handleAnomalies([open], T0);
    const louder = { ...open, severity: 'critical' as const, updated: '2026-03-02T10:02:00Z', score: 0.99 };
    await flow.handleAnomalies([louder], T0 + 60_000);
    await flow.handleAnomalies([closed], T0 + 120_000);
    await flow.reconcile(T0 + 150_000);
    expect((await store.listIncidents())[0]?.status).not.toBe('resolved'); // still within the quiet period
    await flow.reconcile(T0 + 120_000 + 61_000);
    const [incident] = await store.listIncidents();
    expect(incident?.status).toBe('resolved');
    const actions = (await store.listOutbox()).map(
      (e) => `${e.receiver}:${e.notification.action}:${e.notification.severity}`,
    );
    expect(actions.sort()).toEqual([
      'crit:resolve:critical',
      'crit:trigger:critical',
      'pd:resolve:critical',
      'pd:trigger:warning',
    ]);
  });

  it('follows an acknowledgement made through the API on its next pass', async () => {
    const { store, flow } = setup();
    await flow.handleAnomalies([open], T0);
    const [stored] = await store.listIncidents();
    if (!stored) throw new Error('no incident');
    await store.saveIncident(acknowledge(stored, 'alice', 'on it', T0 + 5000));
    await flow.reconcile(T0 + 6000);
    await flow.reconcile(T0 + 7000);
    const actions = (await store.listOutbox()).map((e) => e.notification.action).sort();
    expect(actions).toEqual(['acknowledge', 'trigger']);
  });

  it('queues the trigger once although a store outage interrupted the first attempt after the outbox write', async () => {
    // The outbox write goes through, the incident save fails: the caller (the bus) hands
    // the batch over again, and the deterministic outbox id keeps it to one entry.
    const { store, flow } = setup();
    await flow.handleAnomalies([open], T0);
    const [incident] = await store.listIncidents();
    if (!incident) throw new Error('no incident');
    // Roll the incident back to "not notified yet" as if the save after enqueue was lost.
    await store.saveIncident({ ...incident, notified: undefined });
    await flow.reconcile(T0 + 1000);
    await flow.handleAnomalies([open], T0 + 2000);
    expect(await store.listOutbox()).toHaveLength(1);
    const failing = setup({ unavailableWrites: 1 });
    await expect(failing.flow.handleAnomalies([open], T0)).rejects.toBeInstanceOf(UnavailableError);
    await failing.flow.handleAnomalies([open], T0 + 1000);
    expect(await failing.store.listOutbox()).toHaveLength(1);
  });
});

describe('IncidentFlow: routes in digest mode', () => {
  it('sends their receivers no trigger, acknowledge or resolve, and records the route on each notified entry', async () => {
    const store = new MemoryAlertStore();
    const config = alerterConfig({
      routes: [{ match: {}, receivers: ['pd'], continue: false, digestMs: 60_000 }],
    });
    const flow = new IncidentFlow({ store, search: new MemoryStore(), config, logger: testLogger() });
    await flow.handleAnomalies([open], T0);
    const [stored] = await store.listIncidents();
    if (!stored) throw new Error('no incident');
    await store.saveIncident(acknowledge(stored, 'alice', 'on it', T0 + 5000));
    await flow.reconcile(T0 + 6000);
    await flow.handleAnomalies([closed], T0 + 10_000);
    await flow.reconcile(T0 + 10_000 + 61_000);

    const [incident] = await store.listIncidents();
    expect(incident?.status).toBe('resolved');
    const notified = incident?.timeline.filter((e) => e.type === 'notified') ?? [];
    expect(notified.map((e) => [e.notification?.action, e.notification?.digestRoutes])).toEqual([
      ['trigger', [0]],
      ['acknowledge', [0]],
      ['resolve', [0]],
    ]);
    expect(incident?.updatedAt).toBe(notified.at(-1)?.at);
    const outbox = await store.listOutbox();
    expect(outbox.map((e) => e.notification.action)).toEqual(['digest']);
  });
});
