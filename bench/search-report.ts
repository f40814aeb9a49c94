/** Figures and the results table of `bench:search`. */
import { bar, median } from './lib.js';
import { type LoadResult, percentile } from './search-load.js';

/** Latency percentiles (ms), requests/s and failures of one load run, or medians of several. */
export interface Figures {
  p50: number;
  p95: number;
  p99: number;
  rate: number;
  failures: number;
}

/** The figures of one load run. */
export const figures = (result: LoadResult): Figures => ({
  p50: percentile(result.latencies, 50),
  p95: percentile(result.latencies, 95),
  p99: percentile(result.latencies, 99),
  rate: result.rate,
  failures: result.failures,
});

/** Medians of each figure over runs (failures summed). */
export const medianOf = (runs: Figures[]): Figures => ({
  p50: median(runs.map((r) => r.p50)),
  p95: median(runs.map((r) => r.p95)),
  p99: median(runs.map((r) => r.p99)),
  rate: median(runs.map((r) => r.rate)),
  failures: runs.reduce((sum, r) => sum + r.failures, 0),
});

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0).padStart(5)} ms` : '    - ms');
const chart = (value: number, scale: number) =>
  Number.isFinite(value) ? bar(Math.min(value, scale), scale) : 'no answer within the run'.padEnd(40);

/** What a report is about. */
export interface ReportSetup {
  events: number;
  connections: number;
  durationS: number;
  runs: number;
  goalP95Ms: number;
}

/** The results table with bar charts of the API's p95 against the goal. */
export function report(
  setup: ReportSetup,
  names: string[],
  apiRuns: Figures[][],
  directRuns: Figures[][],
  overall: Figures[],
): string {
  const goal = setup.goalP95Ms;
  const apiMedians = apiRuns.map(medianOf);
  const directMedians = directRuns.map(medianOf);
  const overallMedian = medianOf(overall);
  const scale = Math.max(goal * 1.25, ...apiMedians.map((f) => f.p95).filter(Number.isFinite));
  const width = Math.max(...names.map((n) => n.length), 'overall (all kinds)'.length);
  const goalMark = `${' '.repeat(Math.round((goal / scale) * 40))}^ goal p95 < ${goal} ms`;
  const lines = [
    '',
    `Search API under load: ${setup.events.toLocaleString('en')} events, ${setup.connections} connections, ${setup.durationS} s per kind, median of ${setup.runs} runs`,
    `  ${'query kind'.padEnd(width)}  ${'p95 (API)'.padEnd(40)}    p50      p95      p99     req/s │ direct p50   p95   req/s │ API/direct p95`,
  ];
  names.forEach((name, i) => {
    const a = apiMedians[i] as Figures;
    const d = directMedians[i] as Figures;
    lines.push(
      `  ${name.padEnd(width)}  ${chart(a.p95, scale)} ${ms(a.p50)} ${ms(a.p95)} ${ms(a.p99)} ${a.rate.toFixed(0).padStart(6)} │ ${ms(d.p50)} ${ms(d.p95)} ${d.rate.toFixed(0).padStart(5)} │ ${(a.p95 / d.p95).toFixed(2)}${a.p95 < goal ? '' : '  over goal'}`,
    );
  });
  lines.push(
    `  ${'overall (all kinds)'.padEnd(width)}  ${chart(overallMedian.p95, scale)} ${ms(overallMedian.p50)} ${ms(overallMedian.p95)} ${ms(overallMedian.p99)} ${overallMedian.rate.toFixed(0).padStart(6)}`,
    `  ${' '.repeat(width)}  ${goalMark}`,
  );
  const failures =
    apiMedians.reduce((s, f) => s + f.failures, 0) + directMedians.reduce((s, f) => s + f.failures, 0);
  if (failures > 0) lines.push(`  failed requests (not counted in the latencies): ${failures}`);
  lines.push('');
  return lines.join('\n');
}
