import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium (apt-get install chromium); playwright-core downloads no browser. */
export const CHROMIUM = process.env.VIGIE_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots of the browser tests, kept as test artifacts. */
export const ARTIFACTS = fileURLToPath(new URL('../../test-results/', import.meta.url));

/** What a page did that a test must see: dialogs, CSP violations, errors, the XSS canary. */
export interface PageWatch {
  dialogs: string[];
  errors: string[];
  consoleErrors: string[];
  cspViolations: () => Promise<string[]>;
  canary: () => Promise<unknown>;
}

export async function launch(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  // --no-sandbox: CI and the dev machine run as root, where chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/** A new page at 1280×800 that records dialogs, page errors and CSP violations. */
export async function openPage(browser: Browser): Promise<{ page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const watch: PageWatch = {
    dialogs: [],
    errors: [],
    consoleErrors: [],
    cspViolations: () => page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []),
    canary: () => page.evaluate(() => (window as unknown as { __vigieCanary?: unknown }).__vigieCanary),
  };
  // Init scripts run through the DevTools protocol, outside the page's CSP.
  await page.addInitScript(() => {
    const record = window as unknown as { __csp: string[] };
    record.__csp = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      record.__csp.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') watch.consoleErrors.push(message.text());
  });
  return { page, watch };
}

/** Saves a screenshot under ui/test-results/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}
