import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from './engines.js';

/** The built CLI (`npm run build` makes it). */
export const VIGIE_CLI = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

/** A `vigie` process started by a test, with its output kept for assertions. */
export class VigieProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [VIGIE_CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The URL of the ops endpoints, once the process logged it. */
  async opsUrl(): Promise<string> {
    const line = await waitFor(
      'the ops endpoints',
      async () => this.stdout.split('\n').find((l) => l.includes('"opsUrl"')),
      (l) => l !== undefined,
      30_000,
      50,
    );
    return (JSON.parse(line as string) as { opsUrl: string }).opsUrl;
  }

  /**
   * The URL of the search API once it listens (`vigie api`, `vigie all`); rejects with
   * the end of stderr if the process exits first.
   */
  async apiUrl(timeoutMs = 60_000): Promise<string> {
    const line = await waitFor(
      'the search API to listen',
      async () => this.stdout.split('\n').find((l) => l.includes('Search API listening.')),
      (l) => l !== undefined || this.child.exitCode !== null,
      timeoutMs,
      100,
    );
    if (line === undefined)
      throw new Error(`vigie exited before its API listened: ${this.stderr.slice(-3000)}`);
    return (JSON.parse(line) as { url: string }).url;
  }

  /** Resident memory of the process, in bytes (Linux). */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return Number(kb ?? 0) * 1024;
  }

  /** Sends a signal and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Every metric of a Prometheus text page, each summed over its series. */
export async function scrapeMetrics(opsUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const metrics = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const name = line.split(/[ {]/, 1)[0] as string;
    metrics.set(name, (metrics.get(name) ?? 0) + Number(line.split(' ').at(-1)));
  }
  return metrics;
}

/** One metric's value (summed over its series) from a Prometheus text page. */
export async function scrapeMetric(opsUrl: string, name: string): Promise<number> {
  return (await scrapeMetrics(opsUrl)).get(name) ?? 0;
}
