import type { Anomaly, Feedback } from '@vigie/common';
import { sampleAnomaly } from '@vigie/testkit';
import { beforeAll, expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { useUi } from './support/harness.js';

// The Detector review tab of the Anomalies page in real Chromium over the real API and
// Elasticsearch: anomalies written to the anomalies index, feedback to the alert store
// (as the feedback route would), then read through the UI. One service name is a payload.

const ui = useUi('detector-review', { alerting: true });
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function anomaly(id: string, overrides: Partial<Anomaly>): Anomaly {
  const start = Date.now() - 48 * HOUR;
  return { ...sampleAnomaly(0), id, start: iso(start), updated: iso(start + 60_000), ...overrides };
}

let serial = 0;
function verdict(anomalyId: string, overrides: Partial<Feedback>, hoursAgo = 2): Feedback {
  serial++;
  return {
    id: `review-fb-${serial}`,
    anomalyId,
    verdict: 'false_alarm',
    service: 'checkout',
    kind: 'error_spike',
    dimension: { field: 'url.path', value: '/pay' },
    createdAt: iso(Date.now() - hoursAgo * HOUR),
    expiresAt: iso(Date.now() + 24 * HOUR),
    createdBy: 'sam',
    comment: '',
    ...overrides,
  };
}

beforeAll(async () => {
  const hostile = ui.seeded.hostileService;
  // With the seeded checkout error spike (started minutes ago): three error spikes.
  await ui.store.writeAnomalies([
    anomaly('review-1', { kind: 'error_spike', service: 'checkout' }),
    anomaly('review-2', { kind: 'error_spike', service: 'checkout' }),
    anomaly('review-3', { kind: 'latency', service: hostile, dimension: { field: 'url.path', value: '/x' } }),
    anomaly('review-4', { kind: 'scan', service: 'edge' }),
    // Another kind of the same service: the scope's link must leave it out.
    anomaly('review-5', { kind: 'volume_high', service: hostile }),
  ]);
  await ui.store.refresh();
  for (const record of [
    verdict('review-1', {}),
    verdict('review-2', { verdict: 'expected' }),
    // Called expected first, a false alarm later: the later verdict counts.
    verdict(
      'review-3',
      {
        verdict: 'expected',
        kind: 'latency',
        service: hostile,
        dimension: { field: 'url.path', value: '/x' },
      },
      3,
    ),
    verdict('review-3', { kind: 'latency', service: hostile, dimension: { field: 'url.path', value: '/x' } }),
    verdict('rule-1:auth', { kind: 'log_rule', service: 'auth', dimension: {} }),
  ]) {
    await ui.alerts.saveFeedback(record);
  }
});

const kindRow = (kind: string) => ui.page.getByTestId('detector-review').locator(`tr[data-kind="${kind}"]`);
const cells = async (kind: string) =>
  Object.fromEntries(
    await Promise.all(
      ['raised', 'reviewed', 'expected', 'false-alarms', 'false-alarm-rate', 'review-rate'].map(
        async (cell) => [
          cell,
          ((await kindRow(kind).locator(`[data-cell="${cell}"]`).textContent()) ?? '').trim(),
        ],
      ),
    ),
  );

it('shows per kind what was raised, reviewed and called a false alarm over the last 30 days', async () => {
  await ui.open('#/anomalies');
  await ui.page.getByRole('tab', { name: 'Detector review' }).click();
  await expect.poll(() => ui.hashParams().get('tab')).toBe('review');
  await expect.poll(() => kindRow('error_spike').count()).toBe(1);
  expect(await cells('error_spike')).toEqual({
    raised: '3',
    reviewed: '2',
    expected: '1',
    'false-alarms': '1',
    'false-alarm-rate': '50%',
    'review-rate': '67%',
  });
  expect(await cells('latency')).toMatchObject({ raised: '1', reviewed: '1', 'false-alarm-rate': '100%' });
  expect(await cells('scan')).toMatchObject({
    raised: '1',
    reviewed: '0',
    'false-alarm-rate': '–',
    'review-rate': '0%',
  });
  // Log rules' anomalies are not in the anomalies index: no raised count.
  expect(await cells('log_rule')).toMatchObject({ raised: '–', reviewed: '1', 'false-alarms': '1' });
  // The rate has its bar, 30 of 60 px for 50%.
  expect(await kindRow('error_spike').locator('rect.fill').getAttribute('width')).toBe('30');
  await screenshot(ui.page, 'detector-review');
});

it('lists the noisiest scopes, a hostile service name as text, linked to the anomalies of that service and kind', async () => {
  await ui.open('#/anomalies?tab=review');
  const scopes = ui.page.getByTestId('noisiest-scopes');
  await expect.poll(() => scopes.locator('tbody tr').count()).toBe(3);
  const hostile = ui.seeded.hostileService;
  const row = scopes.locator('tbody tr', { hasText: 'latency' });
  expect(await row.locator('td').first().textContent()).toBe(hostile);
  expect(await row.locator('td').nth(2).textContent()).toBe('url.path=/x');
  expect(await scopes.locator('img').count()).toBe(0);
  await row.getByRole('link').click();
  await expect.poll(() => ui.hashParams().get('kind')).toBe('latency');
  expect(ui.hashParams().get('service')).toBe(hostile);
  expect(ui.hashParams().get('tab')).toBeNull();
  const list = ui.page.getByTestId('anomaly-list');
  await expect.poll(() => list.locator('tbody tr').count()).toBe(1);
  expect(await list.locator('tbody tr td').nth(2).textContent()).toBe(hostile);
  expect(await list.locator('tbody tr td').nth(1).textContent()).toBe('latency');
  // Without the kind filter, the service's other anomaly is back.
  await ui.page.getByRole('button', { name: 'All kinds' }).click();
  await expect.poll(() => list.locator('tbody tr').count()).toBe(2);
});

it('reads the range of the time picker: the last hour holds the seeded spike and no verdict', async () => {
  await ui.open('#/anomalies?tab=review');
  await expect.poll(async () => (await cells('error_spike')).raised).toBe('3');
  await ui.page.getByTestId('time-range').click();
  await ui.page
    .getByRole('dialog', { name: 'Time range' })
    .getByRole('button', { name: 'Last hour' })
    .click();
  await expect.poll(() => ui.hashParams().get('from')).toBe('now-1h');
  expect(ui.hashParams().get('tab')).toBe('review');
  await expect.poll(async () => (await cells('error_spike')).raised).toBe('1');
  expect(await cells('error_spike')).toMatchObject({
    reviewed: '0',
    'false-alarm-rate': '–',
    'review-rate': '0%',
  });
  expect(await ui.page.getByText('No false alarm reported in this range.').count()).toBe(1);
});
