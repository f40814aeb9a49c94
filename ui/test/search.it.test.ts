import { expect, it } from 'vitest';
import { useUi } from './support/harness.js';
import { event, HOSTILE_MESSAGES, HOSTILE_SERVICE } from './support/seed.js';

// The Search page of the built UI in real Chromium, against the API contract over the real
// Elasticsearch (see support/harness.ts).

const ui = useUi('search');
const rows = () => ui.page.locator('[data-testid=results] tr.row');

it('runs a query and shows the matching rows', async () => {
  await ui.open('#/search?from=now-1h');
  await ui.page.getByLabel('Query').fill('service.name:checkout');
  await ui.page.getByLabel('Query').press('Enter');
  await expect.poll(() => rows().count()).toBe(ui.seeded.checkoutCount);
  expect(new Set(await rows().locator('td.service').allTextContents())).toEqual(new Set(['checkout']));
  expect(ui.hashParams().get('q')).toBe('service.name:checkout');
  await expect.poll(() => ui.page.getByTestId('histogram').locator('rect.bar').count()).toBeGreaterThan(0);
});

it('highlights free-text hits with <mark> elements', async () => {
  await ui.open('#/search?from=now-1h&q=zebrafish');
  await expect.poll(() => rows().count()).toBe(ui.seeded.checkoutErrors);
  expect(await rows().first().locator('mark').allTextContents()).toEqual(['zebrafish']);
});

it('shows a syntax error inline at its position', async () => {
  await ui.open('#/search?from=now-1h');
  await ui.page.getByLabel('Query').fill('service.name:checkout AND (log.level:error');
  await ui.page.getByLabel('Query').press('Enter');
  const error = ui.page.locator('#query-error');
  await expect.poll(() => error.isVisible()).toBe(true);
  expect(await error.locator('.message').textContent()).toMatch(/column/);
  expect(await error.locator('mark.at').count()).toBe(1);
  expect(await ui.page.getByLabel('Query').getAttribute('aria-invalid')).toBe('true');
});

it('filters in and out from the field sidebar', async () => {
  await ui.open('#/search?from=now-1h&q=service.name:checkout');
  await expect.poll(() => rows().count()).toBe(ui.seeded.checkoutCount);
  await ui.page.locator('button[data-field="log.level"]').click();
  await ui.page
    .locator('li[data-value="error"]')
    .getByRole('button', { name: 'Filter for this value' })
    .click();
  await expect.poll(() => ui.hashParams().get('q')).toBe('service.name:checkout AND log.level:"error"');
  await expect.poll(() => rows().count()).toBe(ui.seeded.checkoutErrors);
  await ui.page
    .locator('li[data-value="error"]')
    .getByRole('button', { name: 'Filter out this value' })
    .click();
  await expect
    .poll(() => ui.hashParams().get('q'))
    .toBe('service.name:checkout AND log.level:"error" AND NOT log.level:"error"');
  await expect.poll(() => ui.page.getByText('No events match').isVisible()).toBe(true);
});

it('expands an event into all its fields and opens its context', async () => {
  await ui.open('#/search?from=now-1h&q=service.name:checkout');
  await rows().first().click();
  const detail = ui.page.getByTestId('event-detail');
  await expect.poll(() => detail.isVisible()).toBe(true);
  const names = await detail.locator('th').allTextContents();
  expect(names).toEqual(
    expect.arrayContaining(['@timestamp', 'message', 'service.name', 'http.response.status_code']),
  );
  expect(ui.hashParams().get('event')).toBe('checkout-29');
  await detail.getByRole('button', { name: 'View surrounding lines' }).click();
  const lines = ui.page.getByTestId('context-view').locator('li');
  await expect.poll(() => lines.count()).toBe(21);
  expect(await ui.page.getByTestId('context-view').locator('li.anchor').getAttribute('data-id')).toBe(
    'checkout-29',
  );
});

it('shows hostile log content as text and runs none of it', async () => {
  await ui.open('#/search?from=now-1h&q=labels.suite:hostile');
  await expect.poll(() => rows().count()).toBe(HOSTILE_MESSAGES.length);
  expect(new Set(await rows().locator('td.message').allTextContents())).toEqual(new Set(HOSTILE_MESSAGES));
  expect(new Set(await rows().locator('td.service').allTextContents())).toEqual(new Set([HOSTILE_SERVICE]));
  // Each event's detail shows the payloads of message, field values and field names as text.
  for (const [i, row] of (await rows().all()).entries()) {
    await row.click();
    const detail = ui.page.getByTestId('event-detail');
    const text = await detail.textContent();
    const message = await row.locator('td.message').textContent();
    expect(text).toContain(message);
    expect(text).toContain(HOSTILE_SERVICE);
    expect(await detail.locator('th').allTextContents()).toContain(
      `labels.<svg onload="window.__vigieCanary='key${HOSTILE_MESSAGES.length - 1 - i}'">`,
    );
  }
  await ui.page.getByTestId('event-detail').getByRole('button', { name: 'View surrounding lines' }).click();
  await expect
    .poll(() => ui.page.getByTestId('context-view').locator('li').count())
    .toBe(HOSTILE_MESSAGES.length);
  await ui.page.locator('button[data-field="service.name"]').click();
  await expect.poll(() => ui.page.locator('.top .value').allTextContents()).toEqual([HOSTILE_SERVICE]);
  // Nothing from the payloads became an element.
  const injected = 'main img, main script, main iframe, main svg circle, main a[href^="javascript"], main b';
  expect(await ui.page.locator(injected).count()).toBe(0);
});

it('restores the same view from the URL after a reload', async () => {
  await ui.open('#/search?from=now-1h&q=service.name:payments');
  await expect.poll(() => rows().count()).toBe(20);
  await rows().nth(2).click();
  const selected = ui.hashParams().get('event');
  expect(selected).toMatch(/^payments-/);
  await ui.page.reload();
  await expect.poll(() => ui.page.getByTestId('event-detail').isVisible()).toBe(true);
  expect(await ui.page.getByLabel('Query').inputValue()).toBe('service.name:payments');
  expect(await ui.page.locator('tr.row.open').getAttribute('data-id')).toBe(selected);
  expect(await rows().count()).toBe(20);
});

it('zooms the time range by dragging over the histogram', async () => {
  await ui.open('#/search?from=now-1h&q=service.name:checkout');
  await expect.poll(() => rows().count()).toBe(ui.seeded.checkoutCount);
  const box = await ui.page.getByTestId('histogram').boundingBox();
  if (!box) throw new Error('the histogram is not displayed');
  await ui.page.mouse.move(box.x + box.width * 0.85, box.y + 40);
  await ui.page.mouse.down();
  await ui.page.mouse.move(box.x + box.width * 0.9, box.y + 40, { steps: 5 });
  await ui.page.mouse.move(box.x + box.width * 0.95, box.y + 40, { steps: 5 });
  await ui.page.mouse.up();
  await expect.poll(() => ui.hashParams().get('from')).toMatch(/^\d{4}-\d\d-\d\dT/);
  const from = Date.parse(ui.hashParams().get('from') ?? '');
  const to = Date.parse(ui.hashParams().get('to') ?? '');
  // A tenth of the hour, from about 9 to 3 minutes ago: the checkout events of 9 to 5 minutes ago.
  expect(to - from).toBeGreaterThan(4 * 60_000);
  expect(to - from).toBeLessThan(8 * 60_000);
  await expect.poll(() => rows().count()).toBeLessThan(ui.seeded.checkoutCount);
  expect(await rows().count()).toBeGreaterThan(0);
});

it('loads more rows with the next cursor, without repeats', async () => {
  await ui.open('#/search?from=now-1h');
  await expect.poll(() => rows().count()).toBe(100);
  await ui.page.getByRole('button', { name: 'Load more' }).click();
  await expect.poll(() => rows().count()).toBe(ui.seeded.total);
  const ids = await rows().evaluateAll((elements) =>
    elements.map((element) => element.getAttribute('data-id')),
  );
  expect(new Set(ids).size).toBe(ui.seeded.total);
  expect(await ui.page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  // Opening an event of the second page keeps both pages loaded.
  await rows().nth(120).click();
  await expect.poll(() => ui.page.getByTestId('event-detail').isVisible()).toBe(true);
  expect(await rows().count()).toBe(ui.seeded.total);
});

it('adds new matching events on top while live tail is on', async () => {
  await ui.open('#/search?from=now-1h&q=service.name:tailed&tail=1');
  await expect.poll(() => ui.page.getByText('No events match').isVisible()).toBe(true);
  await expect.poll(() => ui.page.getByText('· tailing').isVisible()).toBe(true);
  await ui.store.writeLogs([
    {
      id: 'tailed-1',
      event: event(Date.now(), 'tailed', 'info', 'fresh <b>line</b>'),
      partitionTime: Date.now(),
    },
    { id: 'other-1', event: event(Date.now(), 'other', 'info', 'not matching'), partitionTime: Date.now() },
  ]);
  await ui.store.refresh();
  await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(1);
  expect(await rows().first().locator('td.message').textContent()).toBe('fresh <b>line</b>');
  await ui.page.getByLabel('Live tail').uncheck();
  expect(ui.hashParams().get('tail')).toBeNull();
});

it('copies an event as JSON and sets an absolute time range', async () => {
  await ui.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.url });
  await ui.open('#/search?from=now-1h&q=service.name:payments');
  await expect.poll(() => rows().count()).toBe(20);
  await rows().first().click();
  await ui.page.getByRole('button', { name: 'Copy as JSON' }).click();
  await expect.poll(() => ui.page.getByRole('button', { name: 'Copied' }).count()).toBe(1);
  const copied = JSON.parse(await ui.page.evaluate(() => navigator.clipboard.readText()));
  expect(copied).toMatchObject({ message: 'retry 19 on gateway', service: { name: 'payments' } });

  await ui.page.getByTestId('time-range').click();
  const dialog = ui.page.getByRole('dialog', { name: 'Time range' });
  await dialog.getByLabel('From').fill('2020-01-01T00:00:00');
  await dialog.getByLabel('To').fill('2020-01-02T00:00:00');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => ui.hashParams().get('to')).toBe(new Date('2020-01-02T00:00:00').toISOString());
  expect(ui.hashParams().get('from')).toBe(new Date('2020-01-01T00:00:00').toISOString());
  await expect.poll(() => ui.page.getByText('No events match').isVisible()).toBe(true);
  await ui.page.getByTestId('time-range').click();
  await dialog.getByRole('button', { name: 'Last hour' }).click();
  await expect.poll(() => rows().count()).toBe(20);
  expect(ui.hashParams().get('from')).toBe('now-1h');
});
