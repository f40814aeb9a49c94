/**
 * The series detector on the Numenta Anomaly Benchmark, scored by NAB's rules.
 *
 *   npm run bench:nab -- --data ../shared/nab [--results DIR] [--scorer ../shared/eval/nab_score.py]
 *
 * Runs the default SeriesDetector online over every `data/<category>/<name>.csv`, writes
 * `<results>/<category>/<name>.csv` (timestamp,value,anomaly_score), runs the Python
 * scorer and prints the three normalised scores beside the published ones for the same
 * files, with the update rate and the size of a detector's snapshot.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTimestamp, SeriesDetector } from '@vigie/detect';
import { parse } from 'csv-parse/sync';
import { bar, median, progress } from './lib.js';

/** Standard-profile scores published for this subset of NAB (shared/README.md). */
const REFERENCE: [string, number][] = [
  ['ARTime', 76.7],
  ['CAD OSE', 72.9],
  ['Numenta HTM', 70.3],
  ['KNN CAD', 61.7],
  ['Random Cut Forest', 50.2],
  ['Twitter ADVec', 47.0],
  ['windowed Gaussian', 35.1],
  ['null', 0],
];

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    results: { type: 'string' },
    scorer: { type: 'string' },
    python: { type: 'string', default: 'python3' },
  },
});

interface FileRun {
  name: string;
  rows: number;
  seconds: number;
  snapshotBytes: number;
  alarms: number;
}

function dataFiles(dataDir: string): string[] {
  return readdirSync(dataDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(dataDir, d.name))
        .filter((f) => f.endsWith('.csv'))
        .map((f) => `${d.name}/${f}`),
    )
    .sort();
}

function runFile(dataDir: string, resultsDir: string, name: string): FileRun {
  const rows = parse(readFileSync(join(dataDir, name)), { columns: true, trim: true }) as {
    timestamp: string;
    value: string;
  }[];
  const times = rows.map((r) => parseTimestamp(r.timestamp));
  const numbers = rows.map((r) => Number(r.value));
  const scores = new Float64Array(rows.length);
  const detector = new SeriesDetector();
  let alarms = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i++) {
    const verdict = detector.update(times[i] as number, numbers[i] as number);
    scores[i] = verdict.score;
    if (verdict.isAnomaly) alarms++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = [
    'timestamp,value,anomaly_score',
    ...rows.map((r, i) => `${r.timestamp},${r.value},${scores[i]}`),
  ];
  const out = join(resultsDir, name);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${lines.join('\n')}\n`);
  const snapshotBytes = Buffer.byteLength(JSON.stringify(detector.snapshot()));
  return { name, rows: rows.length, seconds, snapshotBytes, alarms };
}

function main(): void {
  if (!values.data) {
    process.stderr.write(
      'bench:nab needs --data <NAB directory> (the one holding data/ and labels/), e.g. --data ../shared/nab\n',
    );
    process.exitCode = 2;
    return;
  }
  const nab = resolve(values.data);
  const dataDir = join(nab, 'data');
  const labels = join(nab, 'labels', 'combined_windows.json');
  const scorer = resolve(values.scorer ?? join(nab, '..', 'eval', 'nab_score.py'));
  const resultsDir = values.results ? resolve(values.results) : mkdtempSync(join(tmpdir(), 'vigie-nab-'));
  if (!existsSync(dataDir) || !existsSync(labels))
    throw new Error(`${nab} does not look like NAB: expected data/ and labels/combined_windows.json in it`);
  const files = dataFiles(dataDir);
  if (files.length === 0) throw new Error(`no CSV files under ${dataDir}`);
  progress(`bench:nab — ${files.length} files from ${dataDir}, results in ${resultsDir}`);
  const runs: FileRun[] = [];
  for (const [i, name] of files.entries()) {
    const run = runFile(dataDir, resultsDir, name);
    runs.push(run);
    progress(`  [${i + 1}/${files.length}] ${name}: ${run.rows} rows, ${run.alarms} alarms`);
  }
  progress(`scoring with ${scorer}...`);
  const scored = JSON.parse(
    execFileSync(values.python, [scorer, '--labels', labels, '--results', resultsDir, '--json'], {
      encoding: 'utf8',
    }),
  ) as Record<string, number>;
  const rows = runs.reduce((sum, r) => sum + r.rows, 0);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const bytes = runs.map((r) => r.snapshotBytes);
  const standard = scored.standard as number;
  const table = [...REFERENCE, ['Vigie SeriesDetector', standard] as [string, number]].sort(
    (a, b) => b[1] - a[1],
  );
  const lines = [
    '',
    `NAB (${scored.files} files, ${scored.windows} windows), normalised scores:`,
    `  standard ${standard.toFixed(2)}   reward_low_FP ${scored.reward_low_FP_rate?.toFixed(2)}   reward_low_FN ${scored.reward_low_FN_rate?.toFixed(2)}   (best standard threshold ${scored.standard_threshold})`,
    '',
    'Standard profile against published detectors on the same files:',
    ...table.map(([who, score]) => `  ${who.padEnd(22)} ${bar(Math.max(0, score), 100)} ${score.toFixed(1)}`),
    '',
    `updates: ${Math.round(rows / seconds).toLocaleString('en-US')}/s (${((seconds / rows) * 1e6).toFixed(2)} µs each, ${rows} points)`,
    `snapshot per series: median ${median(bytes)} bytes, max ${Math.max(...bytes)} bytes`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/nab-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ scored, runs }, null, 2));
  progress(`results written to ${file}`);
}

try {
  main();
} catch (err: unknown) {
  process.stderr.write(`bench:nab failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
