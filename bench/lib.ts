import { readFileSync } from 'node:fs';

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** User + system CPU seconds used so far by a process, or by one of its threads with `tid` (Linux). */
export function cpuSeconds(pid: number, tid?: number): number {
  const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/PID/stat, counted in clock ticks (100 Hz).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A horizontal bar for a terminal chart. */
export function bar(value: number, max: number, width = 40): string {
  const filled = max > 0 ? Math.round((value / max) * width) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** Progress line on stderr, so stdout keeps the results only. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
