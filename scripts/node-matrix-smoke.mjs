// Smoke run of `vigie all --no-demo` on the embedded engines, for scripts/node-matrix.sh:
// start it on a temporary data dir with every port at 0 (so it never collides with a
// running Vigie or with the engines' ports), post NDJSON lines to the collector's /ingest,
// poll the search API until every line is found, then SIGTERM it and expect exit code 0.
// Plain JavaScript on purpose: it runs on the Node under test with nothing built or loaded
// but the clone's own `vigie` CLI.
// Usage: node scripts/node-matrix-smoke.mjs CLONE_DIR
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const clone = process.argv[2];
if (!clone) {
  console.error('usage: node scripts/node-matrix-smoke.mjs CLONE_DIR');
  process.exit(2);
}
const START_TIMEOUT_MS = 90_000;
const SEARCH_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

const dataDir = mkdtempSync(join(tmpdir(), 'vigie-node-matrix-'));
// Only PATH and HOME from the caller: a VIGIE_KAFKA_BROKERS or VIGIE_ELASTICSEARCH_URL in
// the caller's environment would switch `vigie all` off the embedded engines.
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? dataDir,
  VIGIE_API_PORT: '0',
  VIGIE_COLLECTOR_HTTP_PORT: '0',
  VIGIE_OPS_PORT: '0',
  VIGIE_API_UI_DIR: join(clone, 'ui', 'dist'),
  VIGIE_API_KEYS_FILE: join(dataDir, 'api', 'keys.json'),
  VIGIE_API_AUDIT_FILE: join(dataDir, 'api', 'audit.log'),
  VIGIE_COLLECTOR_DATA_DIR: join(dataDir, 'collector'),
  VIGIE_EMBEDDED_DATA_DIR: join(dataDir, 'embedded'),
};

const child = spawn(process.execPath, [join(clone, 'services/cli/bin/vigie.js'), 'all', '--no-demo'], {
  cwd: dataDir,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let stdout = '';
let stderr = '';
child.stdout.on('data', (chunk) => {
  stdout += chunk;
});
child.stderr.on('data', (chunk) => {
  stderr += chunk;
});
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first JSON log line whose msg is `msg`, once the process wrote it. */
async function logLine(msg, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of stdout.split('\n')) {
      if (!line.includes(msg)) continue;
      try {
        const parsed = JSON.parse(line);
        if (parsed.msg === msg) return parsed;
      } catch {
        // A line cut in the middle of a chunk: read again on the next turn.
      }
    }
    if (child.exitCode !== null) throw new Error(`vigie exited (code ${child.exitCode}) before "${msg}"`);
    await sleep(100);
  }
  throw new Error(`no "${msg}" log line within ${timeoutMs} ms`);
}

async function smoke() {
  const api = (await logLine('Search API listening.', START_TIMEOUT_MS)).url;
  const intakePort = (await logLine('HTTP source listening.', START_TIMEOUT_MS)).port;
  // A service name of its own, so only this run's lines can match.
  const service = `matrix-${randomUUID().slice(0, 8)}`;
  const lines = [
    { level: 'info', msg: `node ${process.version} smoke one` },
    { level: 'warn', msg: `node ${process.version} smoke two` },
    { level: 'error', msg: `node ${process.version} smoke three` },
  ];
  const ingest = await fetch(`http://127.0.0.1:${intakePort}/ingest?service=${service}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: lines.map((line) => JSON.stringify(line)).join('\n'),
  });
  if (ingest.status !== 200)
    throw new Error(`POST /ingest answered ${ingest.status}: ${await ingest.text()}`);

  const params = new URLSearchParams({ q: `service.name:${service}`, from: 'now-1h', size: '50' });
  const deadline = Date.now() + SEARCH_TIMEOUT_MS;
  const started = Date.now();
  let found = [];
  while (Date.now() < deadline) {
    const response = await fetch(`${api}/api/search?${params}`);
    if (response.status !== 200) throw new Error(`GET /api/search answered ${response.status}`);
    found = (await response.json()).events.map((e) => e.event.message);
    if (found.length >= lines.length) break;
    await sleep(200);
  }
  const expected = lines.map((line) => line.msg).sort();
  if (JSON.stringify(found.sort()) !== JSON.stringify(expected))
    throw new Error(`search found ${JSON.stringify(found)}, expected ${JSON.stringify(expected)}`);
  console.log(
    `smoke: ${lines.length} lines posted and found through ${api}/api/search in ${Date.now() - started} ms`,
  );
}

let failure;
const startedAt = Date.now();
try {
  await smoke();
} catch (err) {
  failure = err;
}
if (child.exitCode === null) child.kill('SIGTERM');
// unref: the stop timeout must not keep this script alive once vigie has exited.
const stopTimeout = new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
const stop = await Promise.race([exited, stopTimeout]);
if (stop === undefined) {
  child.kill('SIGKILL');
  failure ??= new Error(`vigie did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
} else if (stop.code !== 0) {
  failure ??= new Error(`vigie exited with code ${stop.code} (signal ${stop.signal}) after SIGTERM`);
} else {
  console.log(
    `smoke: vigie exited with code 0 after SIGTERM (${Date.now() - startedAt} ms from start to exit)`,
  );
}
rmSync(dataDir, { recursive: true, force: true });
// Node's own warnings (a deprecated API, an experimental feature) do not fail the smoke,
// but node-matrix.sh reports them: they say what the next major release may break.
for (const warning of new Set(stderr.split('\n').filter((line) => /^\(node:\d+\) /.test(line))))
  console.log(`smoke: vigie printed ${warning.replace(/^\(node:\d+\) /, '')}`);
if (failure) {
  console.error(`smoke failed: ${failure.message}`);
  console.error(`--- vigie stderr (end) ---\n${stderr.slice(-3000)}`);
  console.error(`--- vigie stdout (end) ---\n${stdout.slice(-3000)}`);
  process.exit(1);
}
