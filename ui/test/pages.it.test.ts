import type { BucketMetric, LogEvent } from '@vigie/common';
import { sampleAnomaly } from '@vigie/testkit';
import { expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { useUi } from './support/harness.js';
import { event, HOSTILE_MESSAGES } from './support/seed.js';

// The Services and Anomalies pages, and what every page shares (CSP, navigation), in real
// Chromium against the API contract over the real Elasticsearch (see support/harness.ts).

const ui = useUi('pages');
const rows = () => ui.page.locator('[data-testid=results] tr.row');

it('is served with the strict CSP and runs under it', async () => {
  const response = await ui.open('');
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).not.toContain('unsafe');
  await expect
    .poll(() => ui.page.locator('nav a').allTextContents())
    .toEqual(['Services', 'Search', 'Anomalies', 'Security', 'Incidents']);
});

it('draws an anomaly against its expected band and drills down to its logs', async () => {
  await ui.open(`#/anomalies?from=now-1h&anomaly=${encodeURIComponent(ui.seeded.anomaly.id)}`);
  const detail = ui.page.getByTestId('anomaly-detail');
  const chart = detail.getByTestId('band-chart');
  await expect
    .poll(() => chart.locator('path.observed').getAttribute('d'))
    .toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){19}$/);
  expect(await chart.locator('path.band').getAttribute('d')).toMatch(/Z$/);
  expect(await chart.locator('circle.outside').count()).toBe(6);
  expect(await detail.textContent()).toContain(HOSTILE_MESSAGES[0]);
  await expect.poll(() => detail.locator('.samples li').count()).toBe(2);
  await screenshot(ui.page, 'anomaly-detail');
  await detail.getByRole('button', { name: 'Show logs' }).click();
  await expect.poll(() => ui.hashParams().get('q')).toBe(ui.seeded.anomaly.query);
  expect(new URL(ui.page.url()).hash).toMatch(/^#\/search\?/);
  await expect.poll(() => rows().count()).toBe(ui.seeded.checkoutErrors);
});

it('lists services with sparklines against their band and opens their anomalies', async () => {
  await ui.open('#/services?from=now-1h');
  const table = ui.page.getByTestId('services');
  const checkout = table.locator('tr', { hasText: 'checkout' });
  await expect.poll(() => checkout.count()).toBe(1);
  expect(await table.locator('tbody tr td.name').allTextContents()).toEqual(
    expect.arrayContaining(['checkout', 'payments', ui.seeded.hostileService]),
  );
  // Volume, error ratio and p95 sparklines each have an observed line and a band.
  expect(await checkout.locator('path.observed').count()).toBe(3);
  expect(await checkout.locator('path.band').count()).toBe(3);
  expect(await checkout.locator('td.mono').textContent()).toBe('1.4.2');
  await screenshot(ui.page, 'services');
  await checkout.getByRole('link', { name: '1', exact: true }).click();
  await expect.poll(() => ui.hashParams().get('service')).toBe('checkout');
  expect(new URL(ui.page.url()).hash).toMatch(/^#\/anomalies\?/);
  await expect.poll(() => ui.page.getByTestId('anomaly-list').locator('tbody tr').count()).toBe(1);
  await ui.page.getByTestId('anomaly-timeline').locator('rect.mark').click();
  await expect.poll(() => ui.hashParams().get('anomaly')).toBe(ui.seeded.anomaly.id);
});

it('ranks routes by p95 against the week before and opens the logs of a route', async () => {
  const now = Date.now();
  const week = 7 * 86_400_000;
  const route = (value: string, at: number, samples: number, p95: number): BucketMetric => ({
    service: 'shop',
    field: 'url.path',
    value,
    '@timestamp': new Date(at).toISOString(),
    bucketMs: 10_000,
    count: samples,
    errors: 0,
    errorRatio: 0,
    status: { '1xx': 0, '2xx': samples, '3xx': 0, '4xx': 0, '5xx': 0 },
    latency: { samples, p50: p95 / 2, p95, p99: p95 * 2 },
    expected: { windowMs: 60_000 },
  });
  const at = now - 600_000;
  await ui.store.writeMetrics([
    route('/api/orders/:id', at, 100, 300),
    route('/api/orders/:id', at - week, 100, 200),
    route('/api/cart', at, 50, 80),
    route('/api/cart', at - week, 50, 100),
    route('/api/search', at, 10, 150),
  ]);
  const paths = ['/api/orders/123', '/api/orders/456', '/api/cart', '/api/orders'];
  await ui.store.writeLogs(
    paths.map((path, i) => ({
      id: `shop-${i}`,
      event: event(at + i * 1000, 'shop', 'info', `GET ${path}`, { url: { path } } as Partial<LogEvent>),
      partitionTime: now,
    })),
  );
  await ui.store.refresh();
  await ui.open('#/services?tab=performance');
  const table = ui.page.getByTestId('route-performance');
  const cells = (column: number) => table.locator(`tbody tr td:nth-child(${column})`).allTextContents();
  await expect.poll(() => cells(2)).toEqual(['/api/orders/:id', '/api/search', '/api/cart']);
  expect(await cells(3)).toEqual(['100', '10', '50']);
  expect(await cells(4)).toEqual(['300 ms', '150 ms', '80 ms']);
  expect(await cells(5)).toEqual(['200 ms', '–', '100 ms']);
  expect(await cells(6)).toEqual(['▲ +50%', 'new', '▼ −20%']);
  expect(await table.locator('td.slower').count()).toBe(1);
  await screenshot(ui.page, 'performance');
  await table.getByRole('link', { name: '/api/orders/:id' }).click();
  await expect.poll(() => ui.hashParams().get('q')).toBe('service.name:"shop" AND url.path:/api/orders/*');
  // The two order ids, not the cart nor the bare /api/orders.
  await expect.poll(() => rows().count()).toBe(2);
});

it('follows the dark system theme and works from the keyboard', async () => {
  await ui.page.emulateMedia({ colorScheme: 'dark' });
  await ui.open('#/search?from=now-1h&q=service.name:payments');
  await expect.poll(() => ui.page.locator('[data-testid=results] tr.row').count()).toBe(20);
  const background = await ui.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(15, 18, 22)');
  await screenshot(ui.page, 'dark-search');
  // Tab to the first row, open it with Enter, close it with Escape; / returns to the query.
  await ui.page.locator('[data-testid=results] tr.row').first().focus();
  await ui.page.keyboard.press('Enter');
  await expect.poll(() => ui.page.getByTestId('event-detail').isVisible()).toBe(true);
  await ui.page.keyboard.press('Escape');
  await expect.poll(() => ui.page.getByTestId('event-detail').count()).toBe(0);
  await ui.page.keyboard.press('/');
  expect(await ui.page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('q');
});

it('ranks the sources of failed logins with their anomalies and opens their events', async () => {
  const now = Date.now();
  const attacker = '203.0.113.7';
  const failures = Array.from({ length: 12 }, (_, i) => ({
    id: `auth-${i}`,
    event: event(
      now - 200_000 + i * 1000,
      'sshd',
      'warn',
      `Failed password for user${i % 3} from ${attacker} port 22`,
      {
        source: { ip: i < 9 ? attacker : '198.51.100.2' },
        user: { name: `user${i % 3}` },
        event: { category: ['authentication'], outcome: 'failure' },
      } as Partial<LogEvent>,
    ),
    partitionTime: now,
  }));
  await ui.store.writeLogs(failures);
  await ui.store.writeAnomalies([
    {
      ...sampleAnomaly(2),
      id: 'brute-force-1',
      kind: 'brute_force',
      service: 'sshd',
      dimension: { field: 'source.ip', value: attacker },
      start: new Date(now - 200_000).toISOString(),
      updated: new Date(now - 100_000).toISOString(),
    },
  ]);
  await ui.store.refresh();
  await ui.open('#/security?from=now-1h');
  const ips = ui.page.getByTestId('top-source.ip');
  await expect.poll(() => ips.locator('tbody tr').count()).toBe(2);
  const row = ips.locator(`tr[data-value="${attacker}"]`);
  expect(await row.locator('td').nth(1).textContent()).toBe('9');
  // Anomalies arrive on their own request, maybe after the top values.
  await expect.poll(() => row.getByRole('link', { name: 'brute_force' }).count()).toBe(1);
  await expect.poll(() => ui.page.getByTestId('top-user.name').locator('tbody tr').count()).toBe(3);
  await ui.page.getByTestId('histogram').locator('rect.bar').first().waitFor();
  await screenshot(ui.page, 'security');
  await row.getByRole('link', { name: 'events' }).click();
  await expect.poll(() => rows().count()).toBe(9);
  expect(ui.hashParams().get('q')).toContain(`source.ip:"${attacker}"`);
});
