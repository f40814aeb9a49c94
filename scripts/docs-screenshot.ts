/**
 * The README's screenshots of the UI, taken from a real `vigie all --demo`.
 *
 *   npm run docs:screenshot -- [--out docs/images] [--timeout 300] [--explore DIR]
 *
 * Starts the built CLI on a temporary data directory and free ports (embedded engines: no
 * Kafka or Elasticsearch is named to it), waits until the demo's first round of incidents
 * has been detected (anomalies of four kinds, shop-api's error spike and latency regression
 * grouped into an incident: 90 s to 2 min after start), then opens the UI in headless
 * Chromium (/usr/bin/chromium, or VIGIE_CHROMIUM) at 1440×900 and saves the two pages the
 * README shows, anomalies.png and incident.png. `--explore DIR` also saves every page
 * there, to choose from. Needs the build (`npm run docs:screenshot` builds first).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { waitFor } from '../services/testkit/src/engines.js';
import { freePort } from '../services/testkit/src/private-kafka.js';
import { VigieProcess } from '../services/testkit/src/processes.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/images' },
    timeout: { type: 'string', default: '300' },
    explore: { type: 'string' },
  },
});
const OUT = resolve(values.out);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const VIEWPORT = { width: 1440, height: 900 };
// Debian's chromium, as the browser tests use (ui/test/support/browser.ts).
const CHROMIUM = process.env.VIGIE_CHROMIUM ?? '/usr/bin/chromium';
const UI_DIR = resolve('ui/dist');

interface Anomaly {
  id: string;
  kind: string;
  service: string;
  severity: string;
  start: string;
}
interface Incident {
  id: string;
  service: string;
  anomalies: unknown[];
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

/** `vigie all --demo` on its own data directory and ports, and the URL of its API. */
async function startDemo(dataDir: string): Promise<{ vigie: VigieProcess; api: string }> {
  const vigie = new VigieProcess(['all', '--demo'], {
    VIGIE_API_PORT: '0',
    VIGIE_API_UI_DIR: UI_DIR,
    VIGIE_API_KEYS_FILE: join(dataDir, 'keys.json'),
    VIGIE_API_AUDIT_FILE: join(dataDir, 'audit.log'),
    VIGIE_OPS_PORT: '0',
    VIGIE_COLLECTOR_HTTP_PORT: String(await freePort()),
    VIGIE_COLLECTOR_DATA_DIR: join(dataDir, 'collector'),
    VIGIE_EMBEDDED_DATA_DIR: join(dataDir, 'embedded'),
  });
  try {
    return { vigie, api: await vigie.apiUrl() };
  } catch (err) {
    await vigie.kill();
    throw err;
  }
}

/** What the screenshots show: shop-api's error spike, and its incident. */
interface Detected {
  anomalies: Anomaly[];
  spike: Anomaly;
  incident: Incident;
}

/**
 * Waits for the first round's detections: anomalies of four kinds, shop-api's error spike
 * and latency regression among them, grouped into one incident.
 */
async function untilDetected(api: string): Promise<Detected> {
  const started = Date.now();
  const found = await waitFor(
    "the first round's anomalies and shop-api's incident",
    async () => {
      const { anomalies } = await getJson<{ anomalies: Anomaly[] }>(`${api}/api/anomalies?from=now-1h`);
      const { incidents } = await getJson<{ incidents: Incident[] }>(`${api}/api/incidents`);
      const kinds = new Set(anomalies.map((a) => a.kind)).size;
      process.stderr.write(
        `\r${Math.round((Date.now() - started) / 1000)} s: ${anomalies.length} anomalies (${kinds} kinds), ${incidents.length} incidents `,
      );
      const onShopApi = (kind: string) => anomalies.find((a) => a.kind === kind && a.service === 'shop-api');
      return {
        anomalies,
        kinds,
        spike: onShopApi('error_spike'),
        latency: onShopApi('latency'),
        incident: incidents.find((i) => i.service === 'shop-api' && i.anomalies.length >= 2),
      };
    },
    (f) => f.kinds >= 4 && f.spike !== undefined && f.latency !== undefined && f.incident !== undefined,
    TIMEOUT_MS,
    2_000,
  );
  process.stderr.write('\n');
  if (!found.spike || !found.incident) throw new Error('unreachable: waitFor returned early');
  return { anomalies: found.anomalies, spike: found.spike, incident: found.incident };
}

/** Opens a page of the UI and waits until `ready` is visible and the charts have settled. */
async function show(page: Page, url: string, ready: string): Promise<void> {
  await page.goto(url);
  try {
    await page.locator(ready).first().waitFor({ timeout: 60_000 });
    await page.getByTestId('demo-banner').waitFor({ timeout: 10_000 });
    await page.waitForLoadState('networkidle');
  } catch (err) {
    const shot = join(tmpdir(), 'vigie-docs-screenshot-failed.png');
    await page.screenshot({ path: shot });
    throw new Error(`${url} did not show ${ready} (the page as it was: ${shot})`, { cause: err });
  }
}

async function save(page: Page, path: string): Promise<void> {
  await page.screenshot({ path });
  process.stdout.write(`${path} (${Math.round(statSync(path).size / 1024)} KB)\n`);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigie-docs-screenshot-'));
  let browser: Browser | undefined;
  const { vigie, api } = await startDemo(dataDir);
  try {
    process.stdout.write(`vigie all --demo on ${api}, data in ${dataDir}\n`);
    const { anomalies, spike, incident } = await untilDetected(api);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
    const page = await context.newPage();
    mkdirSync(OUT, { recursive: true });

    // The error spike reads best: a line far above its band, explained by its contributors,
    // with sample events and its logs a click away. Fifteen minutes spread the timeline.
    await show(
      page,
      `${api}/#/anomalies?from=now-15m&anomaly=${encodeURIComponent(spike.id)}`,
      '[data-testid=band-chart] path.observed',
    );
    await save(page, join(OUT, 'anomalies.png'));
    // Its incident: the error spike and the latency regression grouped, with actions.
    await show(
      page,
      `${api}/#/incidents?incident=${encodeURIComponent(incident.id)}`,
      '[data-testid=incident-anomalies]',
    );
    await save(page, join(OUT, 'incident.png'));

    if (values.explore) {
      const dir = resolve(values.explore);
      mkdirSync(dir, { recursive: true });
      const pages: Array<[string, string, string]> = [
        ['services', '#/services?from=now-1h', '[data-testid=services] path.observed'],
        [
          'search',
          `#/search?from=now-1h&q=${encodeURIComponent('log.level:error')}`,
          '[data-testid=histogram] rect.bar',
        ],
        ['security', '#/security?from=now-1h', '[data-testid="top-source.ip"]'],
        ['incidents', '#/incidents', '[data-testid=incident-list] tbody tr'],
      ];
      for (const [name, hash, ready] of pages) {
        await show(page, `${api}/${hash}`, ready);
        await save(page, join(dir, `${name}.png`));
      }
      for (const anomaly of anomalies) {
        await show(
          page,
          `${api}/#/anomalies?from=now-1h&anomaly=${encodeURIComponent(anomaly.id)}`,
          '[data-testid=band-chart]',
        );
        await save(page, join(dir, `anomaly-${anomaly.kind}-${anomaly.service}.png`));
      }
    }
  } finally {
    await browser?.close();
    await vigie.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `\ndocs:screenshot: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
