import { expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { useUi } from './support/harness.js';
import { event } from './support/seed.js';

// The UI against an API that asks for a key: it prompts for one, keeps it for the tab
// (never in the URL), sends it with every call including the live tail, and forgets it.

const ui = useUi('access', { requireKey: true });
const rows = () => ui.page.locator('[data-testid=results] tr.row');
const prompt = () => ui.page.getByRole('dialog', { name: 'API key needed' });

it('asks for a key, refuses a wrong one, and searches and tails with the right one', async () => {
  await ui.open('#/search?from=now-1h&q=service.name:payments');
  await expect.poll(() => prompt().isVisible()).toBe(true);
  expect(await rows().count()).toBe(0);
  await screenshot(ui.page, 'access-prompt');

  await prompt().getByLabel('API key').fill('vigie_0000000000000000_wrong');
  await prompt().getByRole('button', { name: 'Use this key' }).click();
  await expect.poll(() => prompt().textContent()).toContain('refused this key');

  await prompt()
    .getByLabel('API key')
    .fill(ui.key ?? '');
  await prompt().getByRole('button', { name: 'Use this key' }).click();
  await expect.poll(() => rows().count()).toBe(20);
  expect(await prompt().count()).toBe(0);
  expect(ui.page.url()).not.toContain(ui.key ?? 'no key');
  expect(ui.hashParams().get('q')).toBe('service.name:payments');

  await ui.page.getByLabel('Live tail').check();
  // Once the stream is open: the tail sends what is indexed from then on.
  await expect.poll(() => ui.page.getByText('· tailing').isVisible()).toBe(true);
  await ui.store.writeLogs([
    {
      id: 'keyed-tail',
      event: event(Date.now(), 'payments', 'info', 'tailed with a key'),
      partitionTime: Date.now(),
    },
  ]);
  await ui.store.refresh();
  await expect
    .poll(() => rows().first().locator('td.message').textContent(), { timeout: 15_000 })
    .toBe('tailed with a key');

  await ui.page.getByRole('button', { name: 'Forget API key' }).click();
  await expect.poll(() => prompt().isVisible()).toBe(true);
});
