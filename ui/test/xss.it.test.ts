import type { Anomaly, LogEvent, StoredLog } from '@vigie/common';
import { sampleAnomaly } from '@vigie/testkit';
import { beforeAll, expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { useUi } from './support/harness.js';
import { event } from './support/seed.js';
import { xssCorpus } from './support/xss-corpus.js';

// Several hundred XSS payloads as messages, field values, field names and service names,
// shown in the result list, the event detail, the facets and the anomaly view: every one
// must appear as text, and none may run (the harness checks dialogs, the page canary,
// CSP violations and page errors after each test).

const ui = useUi('xss');
const payloads = xssCorpus();
const rows = () => ui.page.locator('[data-testid=results] tr.row');
// Any element a payload could have created where log content is shown, and any element
// anywhere with an event-handler or script-url attribute.
const CONTAINERS = [
  '[data-testid=results]',
  '[data-testid=anomaly-detail]',
  '.sidebar .top',
  '[data-testid=context-view]',
];
const TAGS = [
  'img',
  'script',
  'iframe',
  'object',
  'video',
  'input',
  'details',
  'form',
  'a',
  'base',
  'meta',
  'style',
  'math',
  'b',
  'body',
];
const INJECTED = [
  ...CONTAINERS.flatMap((container) => TAGS.map((tag) => `${container} ${tag}`)),
  ...['onerror', 'onload', 'onfocus', 'ontoggle', 'formaction', 'srcdoc'].map(
    (attribute) => `[${attribute}]`,
  ),
  '[href^="javascript" i]',
  '[src^="javascript" i]',
].join(', ');

beforeAll(async () => {
  const now = Date.now();
  const logs: StoredLog[] = payloads.map((payload, i) => ({
    id: `xss-${i}`,
    event: event(now - 120_000 + i * 100, i % 4 === 0 ? payload : 'xss-app', 'error', payload, {
      user: { name: payload },
      labels: { suite: 'xss', [`k${i}<img src=x onerror=alert(${i})>`]: payload },
    } as Partial<LogEvent>),
    partitionTime: now,
  }));
  const outcomes = await ui.store.writeLogs(logs);
  expect(outcomes.filter((outcome) => outcome.status !== 'ok')).toEqual([]);
  const anomaly: Anomaly = {
    ...sampleAnomaly(1),
    id: 'xss-anomaly',
    service: payloads[1] ?? '',
    dimension: { field: 'user.name', value: payloads[2] ?? '' },
    start: new Date(now - 120_000).toISOString(),
    updated: new Date(now - 60_000).toISOString(),
    explanation: payloads.slice(0, 40).join(' '),
    contributors: payloads
      .slice(40, 60)
      .map((value, i) => ({ field: 'user.name', value, observed: i, expected: 0, share: 0.05 })),
    sampleEventIds: ['xss-0', 'xss-1', 'xss-2'],
    query: 'labels.suite:xss',
  };
  await ui.store.writeAnomalies([anomaly]);
  await ui.store.refresh();
});

it('shows every payload as text in the result list and the event detail', async () => {
  await ui.open('#/search?from=now-1h&q=labels.suite:xss');
  await expect.poll(() => rows().count()).toBe(100);
  for (let loaded = 100; loaded < payloads.length; loaded += 100) {
    await ui.page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows().count()).toBe(Math.min(payloads.length, loaded + 100));
  }
  // textContent keeps tabs and newlines as they are: compare exactly.
  expect(new Set(await rows().locator('td.message').allTextContents())).toEqual(new Set(payloads));
  expect(await ui.page.locator(INJECTED).count()).toBe(0);
  for (let i = 0; i < payloads.length; i += 13) {
    await rows().nth(i).click();
    const detail = ui.page.getByTestId('event-detail');
    const id = await rows().nth(i).getAttribute('data-id');
    const payload = payloads[Number(id?.slice(4))] ?? '';
    const cells = await detail.locator('td.value').allTextContents();
    expect(cells).toContain(payload);
    expect(
      (await detail.locator('th').allTextContents()).some((name) => name.includes('onerror=alert(')),
    ).toBe(true);
  }
  expect(await ui.page.locator(INJECTED).count()).toBe(0);
});

it('shows payload service names and values as text in the facets', async () => {
  await ui.open('#/search?from=now-1h&q=labels.suite:xss');
  await expect.poll(() => rows().count()).toBe(100);
  await ui.page.locator('button[data-field="service.name"]').click();
  const values = ui.page.locator('.top .value');
  await expect.poll(() => values.count()).toBe(10);
  const shown = await values.allTextContents();
  expect(shown.every((value) => payloads.includes(value) || value === 'xss-app')).toBe(true);
  await ui.page.locator('.top li').nth(1).getByRole('button', { name: 'Filter for this value' }).click();
  await expect.poll(() => rows().count()).toBe(1);
  expect(await ui.page.locator(INJECTED).count()).toBe(0);
});

it('shows payloads as text in the anomaly view', async () => {
  await ui.open('#/anomalies?from=now-1h&anomaly=xss-anomaly');
  const detail = ui.page.getByTestId('anomaly-detail');
  await expect.poll(() => detail.locator('.explanation').textContent()).toBe(payloads.slice(0, 40).join(' '));
  expect(await detail.locator('h2').textContent()).toContain(payloads[1]);
  expect(await detail.locator('tbody td:nth-child(2)').allTextContents()).toEqual(payloads.slice(40, 60));
  await expect.poll(() => detail.locator('.samples li').count()).toBe(3);
  await expect
    .poll(() => ui.page.getByTestId('anomaly-timeline').locator('text.service').count())
    .toBeGreaterThan(0);
  await screenshot(ui.page, 'xss-anomaly');
  expect(await ui.page.locator(INJECTED).count()).toBe(0);
});
