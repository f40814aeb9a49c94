/**
 * Grouping accuracy of the log template miner on the Loghub-2k samples, scored by the
 * shared Loghub scorer, with the miner's default options (the live detector's).
 *
 *   npm run bench:patterns -- --data ../shared/loghub [--scorer ../shared/eval/loghub_score.py]
 *
 * For every system: feeds the Content column in order, writes `line,pattern_id,template`
 * to a temporary directory, runs the scorer, and prints GA, FGA, PA, templates found vs
 * truth and messages/s (median of 5 passes of a fresh miner over the 2,000 messages,
 * after a warm-up pass over every system), beside Drain's and Brain's published GA.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TemplateMiner } from '@vigie/detect';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { median, progress } from './lib.js';

/** Published GA per system: Drain with per-system regexes, and Brain. */
const REFERENCE: Record<string, { drain: number; brain: number }> = {
  Apache: { drain: 1.0, brain: 1.0 },
  BGL: { drain: 0.963, brain: 0.986 },
  HDFS: { drain: 0.998, brain: 0.998 },
  Hadoop: { drain: 0.948, brain: 0.949 },
  Linux: { drain: 0.69, brain: 0.996 },
  OpenSSH: { drain: 0.788, brain: 1.0 },
  Spark: { drain: 0.92, brain: 0.998 },
  Zookeeper: { drain: 0.967, brain: 0.988 },
};
const SPEED_PASSES = 5;

const { values } = parseArgs({ options: { data: { type: 'string' }, scorer: { type: 'string' } } });
if (!values.data) {
  process.stderr.write(
    'bench:patterns needs --data <path to the Loghub directory>, e.g. npm run bench:patterns -- --data ../shared/loghub\n',
  );
  process.exit(2);
}
const DATA = resolve(values.data);
const SCORER = resolve(values.scorer ?? join(dirname(DATA), 'eval', 'loghub_score.py'));

interface Row {
  system: string;
  GA: number;
  FGA: number;
  PA: number;
  found: number;
  truth: number;
  rate: number;
}

function truthFile(system: string): string {
  return join(DATA, system, `${system}_2k.log_structured.csv`);
}

function readMessages(system: string): string[] {
  const records = parse(readFileSync(truthFile(system)), { columns: true, bom: true }) as Array<
    Record<string, string>
  >;
  return records.map((r) => r.Content ?? '');
}

/** Messages per second of a fresh miner over the messages, median of a few passes. */
function speed(messages: string[]): number {
  const rates: number[] = [];
  for (let pass = 0; pass < SPEED_PASSES; pass++) {
    const fresh = new TemplateMiner();
    const started = performance.now();
    for (const m of messages) fresh.add(m);
    rates.push(messages.length / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

/**
 * Worst case for the tree: distinct messages that share their length and first tokens,
 * so that they all crowd one leaf (a seeded generator, the same every run).
 */
function lookalikes(count: number): string[] {
  const words = 'amber birch cedar delta ember frost grove heron indigo juniper'.split(' ');
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return words[seed % words.length] as string;
  };
  return Array.from({ length: count }, () => `request failed ${Array.from({ length: 8 }, next).join(' ')}`);
}

/** Mines the messages in order, writes the predictions and scores them. */
function runSystem(system: string, messages: string[], outDir: string): Row {
  const miner = new TemplateMiner();
  const rows = messages.map((m, i) => {
    const match = miner.add(m);
    return [i + 1, match.templateId, match.template];
  });
  const predFile = join(outDir, `${system}.csv`);
  writeFileSync(predFile, stringify([['line', 'pattern_id', 'template'], ...rows]));
  const scored = JSON.parse(
    execFileSync('python3', [SCORER, '--truth', truthFile(system), '--pred', predFile, '--json'], {
      encoding: 'utf8',
    }),
  ) as { GA: number; FGA: number; PA?: number; pred_groups: number; truth_groups: number };
  return {
    system,
    GA: scored.GA,
    FGA: scored.FGA,
    PA: scored.PA ?? 0,
    found: scored.pred_groups,
    truth: scored.truth_groups,
    rate: 0,
  };
}

function main(): void {
  if (!existsSync(DATA)) throw new Error(`no Loghub directory at ${DATA}`);
  if (!existsSync(SCORER)) throw new Error(`no scorer at ${SCORER} (give --scorer)`);
  const systems = Object.keys(REFERENCE).filter((s) =>
    existsSync(join(DATA, s, `${s}_2k.log_structured.csv`)),
  );
  if (systems.length === 0) throw new Error(`no <System>/<System>_2k.log_structured.csv under ${DATA}`);
  const outDir = mkdtempSync(join(tmpdir(), 'vigie-patterns-'));
  const results: Row[] = [];
  let crowded = 0;
  try {
    const inputs = new Map(systems.map((s) => [s, readMessages(s)]));
    for (const [system, messages] of inputs) {
      progress(`${system}: mining and scoring...`);
      results.push(runSystem(system, messages, outDir));
    }
    progress('speed: warm-up pass, then 5 passes per system...');
    for (const messages of inputs.values()) speed(messages);
    for (const row of results) row.rate = speed(inputs.get(row.system) ?? []);
    crowded = speed(lookalikes(50_000));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  const mean = (pick: (r: Row) => number) => results.reduce((sum, r) => sum + pick(r), 0) / results.length;
  const fmt = (v: number) => v.toFixed(3);
  const lines = [
    '',
    `Log template mining on Loghub-2k, default options (${systems.length} systems)`,
    '  system      GA     FGA    PA     templates   msgs/s    Drain GA  Brain GA',
    ...results.map((r) => {
      const ref = REFERENCE[r.system] as { drain: number; brain: number };
      return `  ${r.system.padEnd(10)}  ${fmt(r.GA)}  ${fmt(r.FGA)}  ${fmt(r.PA)}  ${`${r.found}/${r.truth}`.padEnd(10)}  ${String(Math.round(r.rate)).padStart(7)}   ${fmt(ref.drain)}     ${fmt(ref.brain)}`;
    }),
    `  mean        ${fmt(mean((r) => r.GA))}  ${fmt(mean((r) => r.FGA))}  ${fmt(mean((r) => r.PA))}              ${String(Math.round(mean((r) => r.rate))).padStart(7)}   ${fmt(mean((r) => REFERENCE[r.system]?.drain ?? 0))}     ${fmt(mean((r) => REFERENCE[r.system]?.brain ?? 0))}`,
    `  crowded leaf (50,000 distinct lookalike messages): ${Math.round(crowded)} msgs/s`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/patterns-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify({ results, meanGA: mean((r) => r.GA), crowded }, null, 2));
  progress(`results written to ${file}`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`bench:patterns failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
