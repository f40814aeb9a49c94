import { readFile } from 'node:fs/promises';
import type { Incident, IncidentAnomaly } from '@vigie/common';
import { sampleOutboxEntry } from '@vigie/testkit';
import { expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { useUi } from './support/harness.js';
import { HOSTILE_MESSAGES } from './support/seed.js';

// The Incidents page in real Chromium over the real API and Elasticsearch: incidents are
// written straight into the alert store (as the alerter would), then read and acted on
// through the UI. Titles, timelines and sample lines carry hostile text.

const ui = useUi('incidents', { alerting: true });
const iso = (ms: number) => new Date(ms).toISOString();
const hostile = (i: number) => HOSTILE_MESSAGES[i] ?? '';

/** An incident about the seeded checkout error spike (whose samples include a hostile line). */
async function saveIncident(id: string, overrides: Partial<Incident> = {}): Promise<Incident> {
  const a = ui.seeded.anomaly;
  const now = Date.now();
  const anomaly: IncidentAnomaly = {
    id: a.id,
    kind: a.kind,
    dimension: a.dimension,
    state: a.state,
    severity: a.severity,
    start: a.start,
    updated: a.updated,
    observed: 0.4,
    expected: 0.02,
    unit: 'ratio',
    explanation: `${a.explanation} ${hostile(3)}`,
    contributors: a.contributors,
    sampleEventIds: a.sampleEventIds,
    query: a.query,
  };
  return ui.alerts.saveIncident({
    id,
    dedupKey: id,
    service: 'checkout',
    group: 'availability',
    title: `Error spike on checkout ${hostile(0)}`,
    status: 'open',
    severity: 'critical',
    // The alerter opens an incident in cycle 1; each reopening starts the next.
    cycle: 1,
    openedAt: iso(now - 600_000),
    updatedAt: iso(now - 60_000),
    anomalies: [anomaly],
    timeline: [
      { at: iso(now - 600_000), type: 'opened', text: `Opened: ${hostile(2)}`, anomalyId: a.id },
      { at: iso(now - 300_000), type: 'anomaly_updated', text: hostile(4), anomalyId: a.id },
    ],
    labels: {},
    flapping: false,
    transitions: [],
    version: 0,
    ...overrides,
  });
}

const detail = () => ui.page.getByTestId('incident-detail');
const status = () => ui.page.getByTestId('incident-status').textContent();

it('lists incidents, opens one and acknowledges it: the status changes in the detail, the list and the store', async () => {
  const incident = await saveIncident('vigie-ack-1');
  await saveIncident('vigie-ack-2', {
    service: 'payments',
    severity: 'warning',
    title: 'Latency of payments',
  });
  await ui.open('#/incidents');
  const list = ui.page.getByTestId('incident-list');
  await expect.poll(() => list.locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
  // The severity filter keeps only the critical one of the two.
  await ui.page.getByTestId('incident-filters').getByLabel('Severity').selectOption('critical');
  await expect.poll(() => list.locator('tr[data-id="vigie-ack-2"]').count()).toBe(0);
  const row = list.locator('tr[data-id="vigie-ack-1"]');
  await row.getByRole('link').click();
  await expect.poll(() => ui.hashParams().get('incident')).toBe(incident.id);
  await expect.poll(status).toBe('open');
  await detail().getByRole('button', { name: 'Acknowledge' }).click();
  await expect.poll(status).toBe('acknowledged');
  await expect.poll(() => row.locator('td.status').textContent()).toBe('acknowledged');
  const stored = await ui.alerts.getIncident(incident.id);
  expect(stored?.status).toBe('acknowledged');
  expect(stored?.acknowledgedBy).toBe('anonymous@loopback');
  expect(await detail().getByTestId('incident-timeline').locator('li').last().textContent()).toContain(
    'acknowledged',
  );
  await screenshot(ui.page, 'incident-acknowledged');
});

it('adds a comment to the timeline, kept and shown as typed', async () => {
  const incident = await saveIncident('vigie-comment');
  await ui.open(`#/incidents?incident=${incident.id}`);
  const text = `Rolled back 1.4.2 ${hostile(1)}`;
  await detail().getByLabel('Comment').fill(text);
  await detail().getByRole('button', { name: 'Add comment' }).click();
  const last = detail().getByTestId('incident-timeline').locator('li').last();
  await expect.poll(() => last.locator('.text').textContent()).toBe(text);
  expect((await ui.alerts.getIncident(incident.id))?.timeline.at(-1)).toMatchObject({
    type: 'comment',
    text,
  });
  await detail().getByRole('button', { name: 'Resolve' }).click();
  await expect.poll(status).toBe('resolved');
});

it('opens the link of a notification and shows hostile titles, timelines and sample lines as text', async () => {
  const incident = await saveIncident('vigie-hostile');
  await ui.open(`#/incidents?incident=${encodeURIComponent(incident.id)}`);
  await expect.poll(() => ui.page.getByTestId('incident-title').textContent()).toBe(incident.title);
  const anomalies = detail().getByTestId('incident-anomalies');
  // Sample lines are read from the log store: the seeded checkout line and a hostile one.
  await expect.poll(() => anomalies.locator('.samples li').count()).toBe(2);
  const text = (await detail().textContent()) ?? '';
  for (const i of [0, 1, 2, 3, 4]) expect(text).toContain(hostile(i));
  for (const tag of ['img', 'script', 'svg', 'iframe'])
    expect(await detail().locator(tag).count(), tag).toBe(0);
  expect(await detail().locator('a[href^="javascript:"]').count()).toBe(0);
  await screenshot(ui.page, 'incident-hostile');
});

it('says how many times an incident reopened, and nothing for one in its first cycle', async () => {
  const first = await saveIncident('vigie-cycle-1');
  await ui.open(`#/incidents?incident=${first.id}`);
  await expect.poll(() => ui.page.getByTestId('incident-title').textContent()).toBe(first.title);
  expect(await detail().textContent()).not.toContain('reopened');
  const third = await saveIncident('vigie-cycle-3', { cycle: 3, title: 'Third cycle of checkout' });
  await ui.open(`#/incidents?incident=${third.id}`);
  await expect.poll(() => ui.page.getByTestId('incident-title').textContent()).toBe(third.title);
  expect(await detail().textContent()).toContain('reopened 2×');
});

it("shows each service's active incidents on the Services page, linked, first in the list", async () => {
  await saveIncident('vigie-svc-open', {
    service: 'payments',
    severity: 'critical',
    title: 'Payments failing',
  });
  await saveIncident('vigie-svc-acked', { service: 'payments', severity: 'warning', status: 'acknowledged' });
  await saveIncident('vigie-svc-resolved', {
    service: 'payments',
    status: 'resolved',
    resolvedAt: iso(Date.now()),
  });
  await saveIncident('vigie-svc-hostile', { service: ui.seeded.hostileService, title: hostile(0) });
  await ui.open('#/services?from=now-1h');
  const table = ui.page.getByTestId('services');
  const payments = table.locator('tr[data-service="payments"]');
  const linkTo = (id: string) => payments.locator(`a[href*="incident=${id}"]`);
  await expect.poll(() => linkTo('vigie-svc-open').count()).toBe(1);
  expect(await linkTo('vigie-svc-open').textContent()).toContain('critical · open');
  expect(await linkTo('vigie-svc-acked').textContent()).toContain('warning · acknowledged');
  expect(await linkTo('vigie-svc-resolved').count()).toBe(0);
  // Critical first within a service.
  const order = await payments
    .locator('td.incidents a')
    .evaluateAll((links) => links.map((a) => a.textContent ?? ''));
  expect(order[0]).toContain('critical');
  // The hostile service's incident title stays an attribute; nothing of it becomes markup.
  const hostileRow = table.locator('tr', { hasText: ui.seeded.hostileService });
  expect(await hostileRow.locator('td.incidents a').getAttribute('title')).toBe(hostile(0));
  for (const tag of ['img', 'script', 'svg', 'iframe'])
    expect(await table.locator(`td.incidents ${tag}`).count(), tag).toBe(0);
  // Rows with an active incident come before every row without one.
  const hasIncident = await table
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((row) => row.querySelector('td.incidents a') !== null));
  expect(
    hasIncident.indexOf(false) === -1 || hasIncident.lastIndexOf(true) < hasIncident.indexOf(false),
  ).toBe(true);
  await linkTo('vigie-svc-open').click();
  await expect.poll(() => ui.hashParams().get('incident')).toBe('vigie-svc-open');
  await expect.poll(() => ui.page.getByTestId('incident-title').textContent()).toBe('Payments failing');
});

it('links each anomaly to the Anomalies page and to its logs in Search', async () => {
  const incident = await saveIncident('vigie-links');
  await ui.open(`#/incidents?incident=${incident.id}`);
  const card = detail().locator(`[data-anomaly="${ui.seeded.anomaly.id}"]`);
  await expect.poll(() => card.count()).toBe(1);
  expect(await card.getByRole('link', { name: 'Anomaly' }).getAttribute('href')).toContain(
    `anomaly=${ui.seeded.anomaly.id}`,
  );
  await card.getByRole('link', { name: 'Logs' }).click();
  await expect.poll(() => ui.hashParams().get('q')).toBe(ui.seeded.anomaly.query);
  expect(new URL(ui.page.url()).hash).toMatch(/^#\/search\?/);
  await expect
    .poll(() => ui.page.locator('[data-testid=results] tr.row').count())
    .toBe(ui.seeded.checkoutErrors);
});

it('records "false alarm" feedback on an anomaly, scoped to its service and kind', async () => {
  const incident = await saveIncident('vigie-feedback');
  await ui.open(`#/incidents?incident=${incident.id}`);
  const card = detail().locator(`[data-anomaly="${ui.seeded.anomaly.id}"]`);
  await card.getByRole('button', { name: 'False alarm' }).click();
  await expect
    .poll(() => card.locator('.given').first().textContent())
    .toContain('Marked a false alarm by anonymous@loopback');
  const recorded = await ui.alerts.listFeedback({ anomalyId: ui.seeded.anomaly.id });
  expect(recorded[0]).toMatchObject({
    verdict: 'false_alarm',
    service: 'checkout',
    kind: 'error_spike',
    incidentId: incident.id,
  });
});

it('creates a silence from the Silences tab, and expires it', async () => {
  await ui.open('#/incidents?tab=silences');
  const form = ui.page.getByTestId('silence-form');
  await form.getByLabel('Value').fill('payments');
  await form.getByLabel('Comment').fill(`Gateway maintenance ${hostile(5)}`);
  await form.getByRole('button', { name: 'Create silence' }).click();
  const list = ui.page.getByTestId('silence-list');
  const row = list.locator('tbody tr', { hasText: 'service=payments' });
  await expect.poll(() => row.locator('td').first().textContent()).toBe('active');
  expect(await row.locator('.comment').textContent()).toBe(`Gateway maintenance ${hostile(5)}`);
  const [saved] = (await ui.alerts.listSilences()).filter((s) => s.comment.startsWith('Gateway'));
  expect(saved?.matchers).toEqual([{ field: 'service', value: 'payments' }]);
  expect(Date.parse(saved?.endsAt ?? '') - Date.parse(saved?.startsAt ?? '')).toBe(2 * 3_600_000);
  await row.getByRole('button', { name: 'Expire' }).click();
  await expect.poll(() => row.locator('td').first().textContent()).toBe('expired');
});

it('"Silence similar" pre-fills the service and group of the incident', async () => {
  const incident = await saveIncident('vigie-similar');
  await ui.open(`#/incidents?incident=${incident.id}`);
  await detail().getByRole('button', { name: 'Silence similar' }).click();
  const form = detail().getByTestId('silence-form');
  expect(
    await form.getByLabel('Value').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value)),
  ).toEqual(['checkout', 'availability']);
  await form.getByRole('button', { name: 'Create silence' }).click();
  await expect.poll(() => detail().getByTestId('silenced-note').count()).toBe(1);
  const created = (await ui.alerts.listSilences()).find((s) =>
    s.comment.startsWith('Silenced from incident'),
  );
  expect(created?.matchers).toEqual([
    { field: 'service', value: 'checkout' },
    { field: 'group', value: 'availability' },
  ]);
});

it('shows delivery attempts in the incident and in the global delivery log', async () => {
  const incident = await saveIncident('vigie-deliveries');
  const at = Date.now() - 30_000;
  const attempt = {
    outboxId: `pd|${incident.id}|trigger|0|critical`,
    incidentId: incident.id,
    action: 'trigger' as const,
  };
  await ui.alerts.recordAttempt({
    ...attempt,
    id: 'a1',
    receiver: 'pd',
    at,
    ok: false,
    status: 503,
    error: 'HTTP 503 from the receiver',
    durationMs: 120,
  });
  await ui.alerts.recordAttempt({
    ...attempt,
    id: 'a2',
    receiver: 'pd',
    at: at + 2000,
    ok: true,
    status: 202,
    durationMs: 80,
  });
  await ui.open(`#/incidents?incident=${incident.id}`);
  const log = detail().getByTestId('delivery-log');
  await expect.poll(() => log.locator('tbody tr').count()).toBe(2);
  expect(await log.locator('td.result').allTextContents()).toEqual([
    'ok · HTTP 202',
    'failed · HTTP 503 · HTTP 503 from the receiver',
  ]);
  await ui.alerts.enqueue([
    sampleOutboxEntry(1, {
      id: `chat|${incident.id}|trigger|0|critical`,
      receiver: 'chat',
      incidentId: incident.id,
      status: 'dead',
      attempts: 5,
      lastStatus: 404,
      lastError: `rejected: ${hostile(0)}`,
    }),
  ]);
  await ui.page.getByRole('tab', { name: 'Delivery log' }).click();
  const undelivered = ui.page.getByTestId('undelivered').locator('tbody tr', { hasText: incident.id });
  await expect.poll(() => undelivered.locator('td').first().textContent()).toBe('given up');
  expect(await undelivered.locator('td.error').textContent()).toBe(`HTTP 404 rejected: ${hostile(0)}`);
  const global = ui.page.getByTestId('delivery-log');
  await expect.poll(() => global.locator('tbody tr', { hasText: incident.id }).count()).toBe(2);
  await global.locator('tbody tr').first().getByRole('link').click();
  await expect.poll(() => ui.hashParams().get('incident')).toBe(incident.id);
});

it('exports the incident as a Markdown file', async () => {
  const incident = await saveIncident('vigie-export');
  await ui.open(`#/incidents?incident=${incident.id}`);
  await expect.poll(status).toBe('open');
  const [download] = await Promise.all([
    ui.page.waitForEvent('download'),
    detail().getByRole('button', { name: 'Export Markdown' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('incident-vigie-export.md');
  const markdown = await readFile((await download.path()) ?? '', 'utf8');
  expect(markdown).toContain('## Timeline');
  // Log text is escaped in the export: the tag is not live Markdown/HTML.
  expect(markdown).not.toContain(hostile(0));
});
