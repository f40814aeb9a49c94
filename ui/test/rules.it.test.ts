import { sampleIncident, sampleRule } from '@vigie/testkit';
import { describe, expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { type UiHarness, useUi } from './support/harness.js';
import { HOSTILE_MESSAGES } from './support/seed.js';

// The Rules tab of the Incidents page in real Chromium over the real API and the
// Elasticsearch alert store: rules made from a Search query, edited, disabled and deleted
// through the UI and checked in the store; hostile rule names; a non-admin key.

const rows = (ui: UiHarness) => ui.page.getByTestId('rule-list').locator('tbody tr[data-id]');
const form = (ui: UiHarness) => ui.page.getByTestId('rule-form');

describe('as the local admin', () => {
  const ui = useUi('rules', { alerting: true });

  it("creates a rule from the Search page's query, then edits its threshold, disables it and deletes it", async () => {
    const query = ui.seeded.anomaly.query;
    await ui.open(`#/search?from=now-1h&q=${encodeURIComponent(query)}`);
    await expect
      .poll(() => ui.page.locator('[data-testid=results] tr.row').count())
      .toBe(ui.seeded.checkoutErrors);
    await ui.page.getByRole('button', { name: 'Create alert rule' }).click();
    await expect.poll(() => ui.hashParams().get('tab')).toBe('rules');
    expect(await form(ui).getByLabel('Query').inputValue()).toBe(query);

    await form(ui).getByLabel('Name').fill('Checkout errors');
    await form(ui).getByLabel('Threshold').fill('5');
    await form(ui).getByLabel('Window', { exact: true }).fill('10');
    await form(ui).getByLabel('Severity').selectOption('critical');
    await form(ui).getByLabel('Labels').fill('team=payments\nrunbook=https://wiki.test/checkout');
    await form(ui).getByRole('button', { name: 'Create rule' }).click();

    const row = rows(ui).filter({ hasText: 'Checkout errors' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await form(ui).count()).toBe(0);
    // The form is closed and the query no longer sits in the URL to reopen it.
    expect(ui.hashParams().get('q')).toBeNull();
    expect(await row.locator('td.query').textContent()).toBe(query);
    expect(await row.locator('td.condition').textContent()).toBe('count > 5');
    expect(await row.locator('td.window').textContent()).toBe('10m');
    expect(await row.locator('td.severity').textContent()).toBe('critical');
    expect(await row.locator('td.enabled').textContent()).toBe('enabled');
    const [created] = await ui.alerts.listRules();
    expect(created).toMatchObject({
      name: 'Checkout errors',
      query,
      service: 'Checkout errors',
      windowMs: 600_000,
      condition: { type: 'above', threshold: 5 },
      severity: 'critical',
      enabled: true,
      labels: { team: 'payments', runbook: 'https://wiki.test/checkout' },
      createdBy: 'anonymous@loopback',
    });
    const id = created?.id ?? '';

    await row.getByRole('button', { name: 'Edit' }).click();
    expect(await form(ui).getByLabel('Threshold').inputValue()).toBe('5');
    expect(await form(ui).getByLabel('Window unit').inputValue()).toBe('m');
    await form(ui).getByLabel('Threshold').fill('50');
    await form(ui).getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => row.locator('td.condition').textContent()).toBe('count > 50');
    const edited = await ui.alerts.getRule(id);
    // Only the threshold changed: the rest of the rule went back as it was.
    expect(edited).toEqual({ ...created, condition: { type: 'above', threshold: 50 } });

    await row.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => row.locator('td.enabled').textContent()).toBe('disabled');
    expect((await ui.alerts.getRule(id))?.enabled).toBe(false);
    await screenshot(ui.page, 'rules-disabled');

    await row.getByRole('button', { name: 'Delete' }).click();
    // A first click only asks; nothing is deleted yet.
    expect(await ui.alerts.getRule(id)).toBeDefined();
    await row.getByRole('button', { name: 'Confirm delete' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect(await ui.alerts.getRule(id)).toBeUndefined();
  });

  it('shows where an invalid query is wrong, and saves nothing', async () => {
    await ui.open('#/incidents?tab=rules');
    await ui.page.getByRole('button', { name: 'New rule' }).click();
    await form(ui).getByLabel('Name').fill('Broken');
    await form(ui).getByLabel('Query').fill('service.name:checkout AND (log.level:error');
    await form(ui).getByLabel('Condition').selectOption('anomalous');
    expect(await form(ui).getByLabel('Threshold').count()).toBe(0);
    await form(ui).getByRole('button', { name: 'Create rule' }).click();
    const error = ui.page.locator('#rule-query-error');
    await expect.poll(() => error.isVisible()).toBe(true);
    expect(await error.locator('mark.at').count()).toBe(1);
    expect(await error.locator('.position').textContent()).toMatch(/^line 1, column \d+$/);
    expect(await form(ui).getByLabel('Query').getAttribute('aria-invalid')).toBe('true');
    expect((await ui.alerts.listRules()).filter((r) => r.name === 'Broken')).toEqual([]);

    await form(ui).getByLabel('Query').fill('service.name:checkout AND (log.level:error)');
    await form(ui).getByRole('button', { name: 'Create rule' }).click();
    await expect.poll(() => rows(ui).filter({ hasText: 'Broken' }).count()).toBe(1);
    expect(await error.count()).toBe(0);
    const saved = (await ui.alerts.listRules()).find((r) => r.name === 'Broken');
    expect(saved?.condition).toEqual({ type: 'anomalous' });
  });

  it('renders hostile rule names and services as text, and links the last incident of a rule', async () => {
    const hostile = HOSTILE_MESSAGES.map((text, i) =>
      sampleRule(i, {
        id: `hostile-${i}`,
        name: text.slice(0, 128),
        query: `message:"${i}"`,
        service: `svc ${text}`,
      }),
    );
    for (const rule of hostile) await ui.alerts.saveRule(rule);
    const base = sampleIncident(1);
    const [anomaly] = base.anomalies;
    if (!anomaly) throw new Error('sampleIncident has no anomaly');
    await ui.alerts.saveIncident({
      ...base,
      id: 'vigie-rule-incident',
      dedupKey: 'vigie-rule-incident',
      group: 'rule',
      anomalies: [{ ...anomaly, kind: 'log_rule', dimension: { field: 'rule', value: 'hostile-0' } }],
    });
    await ui.open('#/incidents?tab=rules');
    for (const rule of hostile) {
      const row = ui.page.getByTestId('rule-list').locator(`tr[data-id="${rule.id}"]`);
      await expect.poll(() => row.locator('td.name').textContent()).toBe(rule.name);
    }
    const list = ui.page.getByTestId('rule-list');
    for (const tag of ['img', 'script', 'svg', 'iframe'])
      expect(await list.locator(tag).count(), tag).toBe(0);
    expect(await list.locator('a[href^="javascript:"]').count()).toBe(0);

    const link = list.locator('tr[data-id="hostile-0"] td.incident a');
    await expect.poll(() => link.textContent()).toBe(base.status);
    expect(await list.locator('tr[data-id="hostile-1"] td.incident a').count()).toBe(0);

    // The edit form shows the hostile name as the input's value, not as markup.
    await list.locator('tr[data-id="hostile-1"]').getByRole('button', { name: 'Edit' }).click();
    expect(await form(ui).getByLabel('Name').inputValue()).toBe(hostile[1]?.name);
    expect(await form(ui).getByLabel('Service').inputValue()).toBe(hostile[1]?.service);
    await screenshot(ui.page, 'rules-hostile');

    await link.click();
    await expect.poll(() => ui.hashParams().get('incident')).toBe('vigie-rule-incident');
  });
});

describe('with a key whose role is not admin', () => {
  const ui = useUi('rules-sre', { alerting: true, requireKey: true });

  it('lists the rules but says that only an admin can change them', async () => {
    const rule = sampleRule(1, { id: 'sre-sees-this', name: 'Payments silence' });
    await ui.alerts.saveRule(rule);
    await ui.open('#/incidents?tab=rules');
    const prompt = ui.page.getByRole('dialog', { name: 'API key needed' });
    await prompt.getByLabel('API key').fill(ui.key ?? '');
    await prompt.getByRole('button', { name: 'Use this key' }).click();
    const row = rows(ui).filter({ hasText: 'Payments silence' });
    await expect.poll(() => row.count()).toBe(1);

    await row.getByRole('button', { name: rule.enabled ? 'Disable' : 'Enable' }).click();
    const error = ui.page.getByTestId('rules-error');
    await expect.poll(() => error.textContent()).toContain('Only an admin can create, change or delete');
    expect(await error.textContent()).toContain('does not allow alert_rules');
    expect(await ui.alerts.getRule(rule.id)).toEqual(rule);

    await ui.page.getByRole('button', { name: 'New rule' }).click();
    await form(ui).getByLabel('Name').fill('Not allowed');
    await form(ui).getByLabel('Query').fill('log.level:error');
    await form(ui).getByRole('button', { name: 'Create rule' }).click();
    await expect.poll(() => form(ui).getByRole('alert').textContent()).toContain('Only an admin');
    expect((await ui.alerts.listRules()).map((r) => r.id)).toEqual([rule.id]);
  });
});
