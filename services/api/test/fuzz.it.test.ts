import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FuzzTarget, startFuzzTarget } from './support/fuzz-target.js';
import { readHar, runSchemathesis, schemathesisBinary } from './support/schemathesis.js';

// Fuzzing time, seconds: bounded so the whole file stays near three minutes on 2 cores.
const FUZZ_SECONDS = Number(process.env.VIGIE_FUZZ_SECONDS ?? 120);
const SEED = 20261128;
const BASELINE = fileURLToPath(new URL('fuzz-baseline.json', import.meta.url));
// Query text must reach Elasticsearch as Vigie's own translated query, never as these.
const RAW_QUERY_TYPES = ['query_string', 'simple_query_string'];
// What Elasticsearch says when it could not read a query: never to be seen by a caller.
const PARSE_ERRORS = [
  'parse_exception',
  'search_phase_execution_exception',
  'query_shard_exception',
  'x_content_parse_exception',
  'illegal_argument_exception',
];

let target: FuzzTarget;
let binary: string;
let reportDir: string;

beforeAll(async () => {
  [target, binary, reportDir] = await Promise.all([
    startFuzzTarget(),
    schemathesisBinary(),
    mkdtemp(join(tmpdir(), 'vigie-fuzz-report-')),
  ]);
});
afterAll(async () => {
  await target?.close();
  if (reportDir) await rm(reportDir, { recursive: true, force: true });
});

it(
  'answers thousands of generated valid and invalid requests with documented statuses and schemas, no 5xx, and no raw query reaching Elasticsearch',
  async () => {
    const seeded = target.elasticsearch.exchanges.length;
    const harPath = join(reportDir, 'fuzz.har');
    const run = await runSchemathesis(binary, [
      `${target.url}/api/openapi.json`,
      '--checks',
      'not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance',
      '--header',
      `Authorization: Bearer ${target.adminKey}`,
      // The live tail streams until the client leaves: its own tests cover it.
      '--exclude-path',
      '/api/tail',
      '--phases',
      'examples,coverage,fuzzing',
      '--mode',
      'all',
      '--seed',
      String(SEED),
      '--max-time',
      String(FUZZ_SECONDS),
      '--workers',
      '2',
      '--request-timeout',
      '15',
      '--generation-database',
      'none',
      '--report',
      'har',
      '--report-har-path',
      harPath,
      // Failures already reported to the API's owners; anything else fails the run.
      '--baseline',
      BASELINE,
      '--continue-on-failure',
      '--output-truncate',
      'true',
      '--no-color',
    ]);
    const requests = await readHar(harPath);
    const statuses = new Map<number, number>();
    for (const { status } of requests) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const distribution = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    console.log(`schemathesis made ${requests.length} requests; statuses ${distribution.join(', ')}`);

    // Soft: one run reports every kind of failure at once.
    expect.soft(run.exitCode, run.output).toBe(0);
    expect.soft(requests.length).toBeGreaterThanOrEqual(2000);
    // Both kinds of request were made: accepted ones and refused invalid ones.
    expect.soft(statuses.get(200) ?? 0).toBeGreaterThan(200);
    expect.soft(statuses.get(400) ?? 0).toBeGreaterThan(200);

    const leaked = requests.filter(({ responseText }) =>
      PARSE_ERRORS.some((text) => responseText.includes(text)),
    );
    expect.soft(leaked.map(({ method, url, status }) => `${status} ${method} ${url}`)).toEqual([]);

    const fuzzed = target.elasticsearch.exchanges.slice(seeded);
    expect.soft(fuzzed.filter(({ path }) => path.includes('/_search')).length).toBeGreaterThan(500);
    const raw = fuzzed.filter(({ requestBody }) =>
      RAW_QUERY_TYPES.some((type) => requestBody.includes(`"${type}":`)),
    );
    expect.soft(raw.map(({ path, requestBody }) => `${path} ${requestBody.slice(0, 500)}`)).toEqual([]);
    const refused = fuzzed.filter(({ responseBody }) =>
      PARSE_ERRORS.some((text) => responseBody.includes(text)),
    );
    expect
      .soft(
        refused.map(({ path, status, responseBody }) => `${status} ${path} ${responseBody.slice(0, 500)}`),
      )
      .toEqual([]);
  },
  (FUZZ_SECONDS + 120) * 1000,
);
