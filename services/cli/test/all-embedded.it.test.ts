import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, VigieProcess, waitFor } from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';

// `vigie all` as a newcomer runs it: no Kafka or Elasticsearch named anywhere (VigieProcess
// passes only PATH and these variables), so the embedded bus and store under a temp folder.
const dir = mkdtempSync(join(tmpdir(), 'vigie-all-embedded-'));

interface SearchPage {
  total: { value: number };
  events: { event: { message: string } }[];
  next: string | null;
}

/** Starts `vigie all` on `dataDir` and returns it with its API and intake addresses once both answer. */
async function startAll(dataDir: string, intakePort: number) {
  const vigie = new VigieProcess(['all'], {
    VIGIE_API_PORT: '0',
    VIGIE_API_UI_DIR: '/nonexistent/ui',
    VIGIE_API_KEYS_FILE: join(dataDir, 'keys.json'),
    VIGIE_API_AUDIT_FILE: join(dataDir, 'audit.log'),
    // The test pages through thousands of events several times a second.
    VIGIE_API_RATE_LIMIT_PER_MINUTE: '100000',
    VIGIE_OPS_PORT: '0',
    VIGIE_COLLECTOR_HTTP_PORT: String(intakePort),
    VIGIE_COLLECTOR_DATA_DIR: join(dataDir, 'collector'),
    VIGIE_EMBEDDED_DATA_DIR: join(dataDir, 'embedded'),
  });
  const url = await vigie.apiUrl();
  return { vigie, api: url, intake: `http://127.0.0.1:${intakePort}/ingest` };
}

/** Every message of the service through the search API, page after page. */
async function messagesOf(api: string, service: string): Promise<string[]> {
  const messages: string[] = [];
  let after: string | null = null;
  do {
    const params = new URLSearchParams({ q: `service.name:${service}`, from: 'now-1h', size: '500' });
    if (after) params.set('search_after', after);
    const response = await fetch(`${api}/api/search?${params}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as SearchPage;
    messages.push(...page.events.map((e) => e.event.message));
    after = page.next;
  } while (after);
  return messages;
}

const post = (intake: string, service: string, lines: string[]) =>
  fetch(`${intake}?service=${service}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: lines.join('\n'),
  });

describe('vigie all on the embedded engines', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts without Kafka or Elasticsearch, takes logs over HTTP and finds them through its search API', async () => {
    const dataDir = join(dir, 'first');
    const { vigie, api, intake } = await startAll(dataDir, await freePort());
    try {
      expect(vigie.stdout).toContain('Engines: embedded');
      const response = await post(intake, 'checkout', [
        '{"level":"error","msg":"payment refused card=4111 1111 1111 1111"}',
        '{"level":"info","msg":"order placed"}',
      ]);
      expect(response.status).toBe(200);
      const messages = await waitFor(
        'the lines searchable',
        () => messagesOf(api, 'checkout'),
        (found) => found.length >= 2,
        30_000,
        200,
      );
      expect(messages.sort()).toEqual(['order placed', 'payment refused card=[REDACTED]']);
      // The address to open, in plain words for whoever started it (no demo: none mentioned).
      expect(vigie.stderr).toContain(`Vigie is running: open ${api} in a browser.`);
      const incidents = await fetch(`${api}/api/incidents?status=active`);
      expect(await incidents.json()).toEqual({ incidents: [] });
    } finally {
      expect(await vigie.kill('SIGTERM')).toBe(0);
    }
  }, 120_000);

  it('after a SIGKILL during ingest and a restart, finds every event it acknowledged', async () => {
    const dataDir = join(dir, 'crash');
    const intakePort = await freePort();
    const first = await startAll(dataDir, intakePort);
    const acknowledged = new Set<number>();
    let next = 0;
    let killed = false;
    // Four clients posting batches of 25 until the process is gone; a batch counts only
    // when answered 2xx, as a client would count it.
    const client = async () => {
      while (!killed) {
        const batch = Array.from({ length: 25 }, () => next++);
        try {
          const response = await post(
            first.intake,
            'crash',
            batch.map((n) => JSON.stringify({ msg: `crash-check ${n}` })),
          );
          if (response.ok) for (const n of batch) acknowledged.add(n);
        } catch {
          // Refused or cut by the kill: not acknowledged.
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await waitFor(
      'some events acknowledged',
      async () => acknowledged.size,
      (n) => n >= 2000,
      60_000,
      20,
    );
    expect(await first.vigie.kill('SIGKILL')).toBe(null);
    killed = true;
    await Promise.all(clients);

    const second = await startAll(dataDir, intakePort);
    try {
      const found = await waitFor(
        'every acknowledged event searchable',
        async () => new Set((await messagesOf(second.api, 'crash')).map((m) => Number(m.split(' ')[1]))),
        (numbers) => [...acknowledged].every((n) => numbers.has(n)),
        90_000,
        500,
      );
      const missing = [...acknowledged].filter((n) => !found.has(n));
      expect(missing).toEqual([]);
      expect(acknowledged.size).toBeGreaterThanOrEqual(2000);
    } finally {
      expect(await second.vigie.kill('SIGTERM')).toBe(0);
    }
  }, 240_000);
});
