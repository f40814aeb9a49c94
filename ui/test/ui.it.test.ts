import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deletePrefix, uniqueName } from '@vigie/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launch, openPage, type PageWatch, screenshot } from './support/browser.js';
import { HOSTILE_MESSAGES, type Seeded, seed } from './support/seed.js';
import { CSP, startStandInApi } from './support/stand-in-api.js';

// The built UI in real Chromium against the search API over the real Elasticsearch.

const UI = fileURLToPath(new URL('..', import.meta.url));
const prefix = uniqueName('vigie-ui');
let seeded: Seeded;
let server: { url: string; close: () => Promise<void> };
let browser: Browser;
let page: Page;
let watch: PageWatch;

beforeAll(async () => {
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: UI, stdio: 'inherit' });
  seeded = await seed(prefix);
  server = await startStandInApi(prefix);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await deletePrefix(prefix);
});

beforeEach(async () => {
  ({ page, watch } = await openPage(browser));
});

afterEach(async (context) => {
  await screenshot(page, context.task.name.replace(/\W+/g, '-'));
  // Every page ran under the strict CSP without a violation, and nothing hostile ran.
  expect(await watch.cspViolations()).toEqual([]);
  expect(watch.dialogs).toEqual([]);
  expect(await watch.canary()).toBeUndefined();
  expect(watch.errors).toEqual([]);
  await page.context().close();
});

const open = (hash: string) => page.goto(`${server.url}/${hash}`);
const rows = () => page.locator('[data-testid=results] tr.row');
const hashParams = () => new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '');

describe('web UI in Chromium', () => {
  it('is served with the strict CSP and runs under it', async () => {
    const response = await open('');
    expect(response?.headers()['content-security-policy']).toBe(CSP);
    await expect
      .poll(() => page.locator('nav a').allTextContents())
      .toEqual(['Services', 'Search', 'Anomalies']);
  });

  it('runs a query and shows the matching rows', async () => {
    await open('#/search?from=now-1h');
    await page.getByLabel('Query').fill('service.name:checkout');
    await page.getByLabel('Query').press('Enter');
    await expect.poll(() => rows().count()).toBe(seeded.checkoutCount);
    expect(new Set(await rows().locator('td.service').allTextContents())).toEqual(new Set(['checkout']));
    expect(hashParams().get('q')).toBe('service.name:checkout');
    await expect.poll(() => page.getByTestId('histogram').locator('rect.bar').count()).toBeGreaterThan(0);
  });

  it('highlights free-text hits with <mark> elements', async () => {
    await open('#/search?from=now-1h&q=zebrafish');
    await expect.poll(() => rows().count()).toBe(seeded.checkoutErrors);
    expect(await rows().first().locator('mark').allTextContents()).toEqual(['zebrafish']);
  });

  it('shows a syntax error inline at its position', async () => {
    await open('#/search?from=now-1h');
    await page.getByLabel('Query').fill('service.name:checkout AND (log.level:error');
    await page.getByLabel('Query').press('Enter');
    const error = page.locator('#query-error');
    await expect.poll(() => error.isVisible()).toBe(true);
    expect(await error.locator('.message').textContent()).toMatch(/column/);
    expect(await error.locator('mark.at').count()).toBe(1);
    expect(await page.getByLabel('Query').getAttribute('aria-invalid')).toBe('true');
  });

  it('filters in and out from the field sidebar', async () => {
    await open('#/search?from=now-1h&q=service.name:checkout');
    await expect.poll(() => rows().count()).toBe(seeded.checkoutCount);
    await page.locator('button[data-field="log.level"]').click();
    await page
      .locator('li[data-value="error"]')
      .getByRole('button', { name: 'Filter for this value' })
      .click();
    await expect.poll(() => hashParams().get('q')).toBe('service.name:checkout AND log.level:"error"');
    await expect.poll(() => rows().count()).toBe(seeded.checkoutErrors);
    await page
      .locator('li[data-value="error"]')
      .getByRole('button', { name: 'Filter out this value' })
      .click();
    await expect
      .poll(() => hashParams().get('q'))
      .toBe('service.name:checkout AND log.level:"error" AND NOT log.level:"error"');
    await expect.poll(() => page.getByText('No events match').isVisible()).toBe(true);
  });

  it('expands an event into all its fields and opens its context', async () => {
    await open('#/search?from=now-1h&q=service.name:checkout');
    await rows().first().click();
    const detail = page.getByTestId('event-detail');
    await expect.poll(() => detail.isVisible()).toBe(true);
    const names = await detail.locator('th').allTextContents();
    expect(names).toEqual(
      expect.arrayContaining(['@timestamp', 'message', 'service.name', 'http.response.status_code']),
    );
    expect(hashParams().get('event')).toBe('checkout-29');
    await detail.getByRole('button', { name: 'View surrounding lines' }).click();
    const lines = page.getByTestId('context-view').locator('li');
    await expect.poll(() => lines.count()).toBe(21);
    expect(await page.getByTestId('context-view').locator('li.anchor').getAttribute('data-id')).toBe(
      'checkout-29',
    );
  });

  it('shows hostile log content as text and runs none of it', async () => {
    await open('#/search?from=now-1h&q=service.name:hostile');
    await expect.poll(() => rows().count()).toBe(HOSTILE_MESSAGES.length);
    const messages = await rows().locator('td.message').allTextContents();
    expect(new Set(messages)).toEqual(new Set(HOSTILE_MESSAGES));
    for (const row of await rows().all()) await row.click();
    expect(await page.getByTestId('event-detail').count()).toBe(1);
    await rows().first().click();
    expect(
      await page
        .locator('main img, main script, main iframe, main svg circle, main a[href^="javascript"]')
        .count(),
    ).toBe(0);
    const detailText = await page.getByTestId('event-detail').textContent();
    expect(HOSTILE_MESSAGES.some((message) => detailText?.includes(message))).toBe(true);
  });

  it('restores the same view from the URL after a reload', async () => {
    await open('#/search?from=now-1h&q=service.name:payments');
    await expect.poll(() => rows().count()).toBe(20);
    await rows().nth(2).click();
    const selected = hashParams().get('event');
    expect(selected).toMatch(/^payments-/);
    await page.reload();
    await expect.poll(() => page.getByTestId('event-detail').isVisible()).toBe(true);
    expect(await page.getByLabel('Query').inputValue()).toBe('service.name:payments');
    expect(await page.locator('tr.row.open').getAttribute('data-id')).toBe(selected);
    expect(await rows().count()).toBe(20);
  });

  it('draws an anomaly against its expected band and drills down to its logs', async () => {
    await open(`#/anomalies?from=now-1h&anomaly=${encodeURIComponent(seeded.anomaly.id)}`);
    const detail = page.getByTestId('anomaly-detail');
    const chart = detail.getByTestId('band-chart');
    await expect
      .poll(() => chart.locator('path.observed').getAttribute('d'))
      .toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){19}$/);
    expect(await chart.locator('path.band').getAttribute('d')).toMatch(/Z$/);
    expect(await chart.locator('circle.outside').count()).toBe(6);
    expect(await detail.textContent()).toContain(HOSTILE_MESSAGES[0]);
    await expect.poll(() => detail.locator('.samples li').count()).toBe(2);
    await screenshot(page, 'anomaly-detail');
    await detail.getByRole('button', { name: 'Show logs' }).click();
    await expect.poll(() => hashParams().get('q')).toBe(seeded.anomaly.query);
    expect(new URL(page.url()).hash).toMatch(/^#\/search\?/);
    await expect.poll(() => rows().count()).toBe(seeded.checkoutErrors);
  });
});
