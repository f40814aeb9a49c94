import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEvent } from '@vigie/common';
import { freePort, VigieProcess, waitFor } from '@vigie/testkit';
import type { EngineConfiguration } from './engine-configurations.js';

/** The `alerter` section of the config file the run starts with. */
export type AlertingSection = Record<string, unknown>;

/** One page of `GET /api/search`. */
export interface SearchPage {
  total: { value: number; relation: string };
  events: { id: string; event: LogEvent }[];
  next: string | null;
}

/** What `POST /ingest` answers once the events are durable. */
interface IngestAnswer {
  accepted: number;
  invalid: number;
}

/** Statuses that mean "not now, send it again" (the collector's backpressure contract). */
const RETRY_LATER = new Set([429, 503]);
const MAX_RETRY_WAIT_MS = 5_000;

/**
 * `vigie all --no-demo` started as a user starts it, on one engine configuration, with a
 * config file holding the alerting section, and a small client of its intake and API.
 */
export class VigieAll {
  /** POSTs answered 429 or 503 and sent again. */
  retriedPosts = 0;

  private constructor(
    readonly process: VigieProcess,
    readonly api: string,
    readonly intake: string,
  ) {}

  /** Starts it in `dataDir` and resolves once the API and the intake answer. */
  static async start(
    configuration: EngineConfiguration,
    dataDir: string,
    alerter: AlertingSection,
  ): Promise<VigieAll> {
    const configFile = join(dataDir, 'vigie.json');
    writeFileSync(configFile, JSON.stringify({ alerter }));
    const intakePort = await freePort();
    const process = new VigieProcess(['all', '--no-demo'], {
      VIGIE_CONFIG: configFile,
      VIGIE_API_PORT: '0',
      VIGIE_API_UI_DIR: '/nonexistent/ui',
      VIGIE_API_KEYS_FILE: join(dataDir, 'keys.json'),
      VIGIE_API_AUDIT_FILE: join(dataDir, 'audit.log'),
      // The test polls and pages through the API several times a second.
      VIGIE_API_RATE_LIMIT_PER_MINUTE: '100000',
      VIGIE_OPS_PORT: '0',
      VIGIE_COLLECTOR_HTTP_PORT: String(intakePort),
      VIGIE_COLLECTOR_DATA_DIR: join(dataDir, 'collector'),
      // Tests replay a history faster than real time, in parts: after idleSeconds without
      // events, detection would move event time on with the wall clock, so a pause between
      // parts would read as the service going silent and the next part would come late.
      VIGIE_DETECTION_IDLE_SECONDS: '600',
      ...configuration.env(dataDir),
    });
    const url = await process.apiUrl();
    const vigie = new VigieAll(process, url, `http://127.0.0.1:${intakePort}`);
    await waitFor(
      'the intake to answer',
      () => fetch(`${vigie.intake}/health`).then((r) => r.status),
      (status) => status === 200,
      30_000,
      100,
    );
    return vigie;
  }

  /**
   * Posts the events as NDJSON, `batchSize` a request, one request at a time; a 429 or 503
   * is sent again after its Retry-After. Throws unless every request ends acknowledged
   * with all its events accepted.
   */
  async ingest(events: LogEvent[], batchSize = 2000): Promise<void> {
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      const body = batch.map((event) => JSON.stringify(event)).join('\n');
      for (;;) {
        const response = await fetch(`${this.intake}/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body,
        });
        if (RETRY_LATER.has(response.status)) {
          await response.arrayBuffer();
          this.retriedPosts++;
          const seconds = Number(response.headers.get('retry-after') ?? '1');
          const waitMs = Math.min(MAX_RETRY_WAIT_MS, Number.isFinite(seconds) ? seconds * 1000 : 1000);
          await new Promise((resolve) => setTimeout(resolve, waitMs));
          continue;
        }
        const answer = (await response.json()) as IngestAnswer;
        if (response.status !== 200 || answer.accepted !== batch.length || answer.invalid !== 0)
          throw new Error(
            `POST /ingest of ${batch.length} events answered ${response.status} ${JSON.stringify(answer)}`,
          );
        break;
      }
    }
  }

  /** GET on the API; throws unless it answers 200. */
  async get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`${this.api}${path}${query ? `?${query}` : ''}`);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${body}`);
    return JSON.parse(body) as T;
  }

  /** Every event matching `q` in [from, to], page after page, and the total the first page announced. */
  async searchAll(q: string, from: string, to: string): Promise<{ total: number; events: LogEvent[] }> {
    const events: LogEvent[] = [];
    let total = -1;
    let after: string | null = null;
    do {
      const params: Record<string, string> = { q, from, to, size: '500', sort: 'asc' };
      if (after) params.search_after = after;
      const page: SearchPage = await this.get<SearchPage>('/api/search', params);
      if (total === -1) {
        if (page.total.relation !== 'eq')
          throw new Error(`Search total is a bound: ${JSON.stringify(page.total)}`);
        total = page.total.value;
      }
      events.push(...page.events.map((hit) => hit.event));
      after = page.next;
    } while (after);
    return { total, events };
  }

  /**
   * The end of its output, to read when a test fails; the API's access log is left out
   * (the test's own polling would fill it).
   */
  outputTail(chars = 8000): string {
    const stdout = this.process.stdout
      .split('\n')
      .filter((line) => !line.includes('"reqId"'))
      .join('\n');
    return `--- vigie all stdout (tail) ---\n${stdout.slice(-chars)}\n--- stderr (tail) ---\n${this.process.stderr.slice(-chars / 2)}`;
  }

  /** Stops it with SIGTERM (SIGKILL after 20 s) and returns its exit code. */
  async stop(): Promise<number | null> {
    const killer = setTimeout(() => this.process.child.kill('SIGKILL'), 20_000);
    try {
      return await this.process.kill('SIGTERM');
    } finally {
      clearTimeout(killer);
    }
  }
}
