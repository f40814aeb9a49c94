import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@vigie/common';
import { ElasticsearchAlertStore, type ElasticsearchStore } from '@vigie/storage';
import { deletePrefix, ENGINES, esRequest, uniqueName } from '@vigie/testkit';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startApi, type TestApi } from './api-server.js';
import { launch, openPage, type PageWatch, screenshot } from './browser.js';
import { openStore, type Seeded, seed } from './seed.js';

const UI = fileURLToPath(new URL('../..', import.meta.url));

/** What a browser test works with; valid inside tests (set up by the hooks of `useUi`). */
export interface UiHarness {
  store: ElasticsearchStore;
  seeded: Seeded;
  url: string;
  /** The API key, when the server asks for one (`useUi(name, { requireKey: true })`). */
  key?: string;
  /** Incidents, silences, deliveries of the same prefix (`useUi(name, { alerting: true })`). */
  alerts: ElasticsearchAlertStore;
  page: Page;
  watch: PageWatch;
  /** Opens a hash route of the UI (`#/search?q=…`). */
  open: (hash: string) => Promise<Response | null>;
  /** The parameters of the current hash route. */
  hashParams: () => URLSearchParams;
}

/**
 * Builds the UI, seeds a fresh index prefix, serves both, launches Chromium, and gives
 * each test a new page. After each test: a screenshot in ui/test-results/, and the page
 * must have had no CSP violation, no dialog, no page error and an untouched XSS canary.
 */
export function useUi(name: string, options: { requireKey?: boolean; alerting?: boolean } = {}): UiHarness {
  const prefix = uniqueName(`vigie-ui-${name}`);
  const store = openStore(prefix);
  let browser: Browser;
  let server: TestApi;
  const ui = { store } as UiHarness;

  beforeAll(async () => {
    execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: UI, stdio: 'inherit' });
    ui.seeded = await seed(store);
    let alerting: Parameters<typeof startApi>[2];
    if (options.alerting) {
      ui.alerts = new ElasticsearchAlertStore({
        url: ENGINES.elasticsearchUrl,
        indexPrefix: prefix,
        requestTimeoutMs: 30_000,
      });
      await ui.alerts.setupAlerting();
      alerting = { store: ui.alerts, config: loadConfig({ env: {} }).config.alerter };
    }
    server = await startApi(store, options.requireKey, alerting);
    ui.url = server.url;
    if (server.key) ui.key = server.key;
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await ui.alerts?.close();
    await store.close();
    await deletePrefix(prefix);
    for (const template of ['metrics', 'state'])
      await esRequest('DELETE', `/_index_template/${prefix}-${template}`);
  });

  beforeEach(async () => {
    const { page, watch } = await openPage(browser);
    ui.page = page;
    ui.watch = watch;
    ui.open = (hash) => page.goto(`${server.url}/${hash}`);
    ui.hashParams = () => new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '');
  });

  afterEach(async (context) => {
    await screenshot(ui.page, `${name}-${context.task.name.replace(/\W+/g, '-')}`);
    expect(await ui.watch.cspViolations()).toEqual([]);
    expect(ui.watch.dialogs).toEqual([]);
    expect(await ui.watch.canary()).toBeUndefined();
    expect(ui.watch.errors).toEqual([]);
    await ui.page.context().close();
  });

  return ui;
}
