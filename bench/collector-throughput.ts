/**
 * File → Kafka throughput of the collector, against kcat (librdkafka's CLI producer,
 * from Debian) producing the same file to the same broker, in the same run.
 *
 *   npm run bench:collector -- [--lines 200000] [--runs 3]
 *
 * Needs the local stack (npm run stack:up) and kcat (apt-get install kcat). For each
 * format (300-byte JSON lines, nginx access lines) prints lines/s, MB/s and CPU of both,
 * medians of the runs, and the ratio.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KafkaBus } from '@vigie/bus';
import { createLogger } from '@vigie/common';
import { VigieProcess } from '../services/testkit/src/processes.js';
import { bar, cpuSeconds, median, progress } from './lib.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    brokers: { type: 'string', default: process.env.VIGIE_KAFKA_BROKERS ?? '127.0.0.1:9092' },
  },
});
const LINES = Number(values.lines);
const RUNS = Number(values.runs);
const logger = createLogger({ level: 'warn', role: 'bench' });
const bus = new KafkaBus({ brokers: values.brokers.split(','), clientId: 'vigie-bench', logger });

interface Measure {
  linesPerSecond: number;
  mbPerSecond: number;
  cpuCores: number;
}

const FORMATS: Record<string, (i: number) => string> = {
  json: (i) =>
    JSON.stringify({
      '@timestamp': new Date(Date.UTC(2026, 10, 28, 12) + i).toISOString(),
      'log.level': i % 50 === 0 ? 'error' : 'info',
      message: `request served id=${i} user=u${i % 500} cart=${(i * 7919) % 100000}`,
      'service.name': 'checkout',
      'http.response.status_code': i % 50 === 0 ? 500 : 200,
      'url.path': '/api/cart',
      'event.duration': 1_000_000 + (i % 997) * 1000,
      'trace.id': (i * 2654435761).toString(16).padStart(32, '0').slice(-32),
    }),
  nginx: (i) =>
    `203.0.113.${i % 250} - - [28/Nov/2026:12:${String(Math.floor(i / 60000) % 60).padStart(2, '0')}:${String(Math.floor(i / 1000) % 60).padStart(2, '0')} +0000] "GET /api/items/${i % 1000}?page=${i % 7} HTTP/1.1" ${i % 97 === 0 ? 502 : 200} ${512 + (i % 4096)} "https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64)" ${(0.001 * (i % 900)).toFixed(3)}`,
};

function writeSample(dir: string, format: string): string {
  const file = join(dir, `${format}.log`);
  const make = FORMATS[format] as (i: number) => string;
  const chunks: string[] = [];
  for (let i = 0; i < LINES; i++) chunks.push(make(i));
  writeFileSync(file, `${chunks.join('\n')}\n`);
  return file;
}

async function topicSize(topic: string): Promise<number> {
  const lag = await bus.consumerLag(topic, 'vigie-bench-never-consumes');
  return [...lag.values()].reduce((a, b) => a + b, 0);
}

function newTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}`;
}

/** kcat producing the file, one message per line, gzip like the collector. */
async function withKcat(file: string): Promise<Measure> {
  const topic = newTopic('bench-kcat');
  await bus.ensureTopic(topic, 6);
  const started = performance.now();
  const result = spawnSync(
    'bash',
    [
      '-c',
      'kcat -P -b "$1" -t "$2" -z gzip -X acks=all -l "$3" && times',
      'kcat',
      values.brokers,
      topic,
      file,
    ],
    { encoding: 'utf8' },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`kcat failed: ${result.stderr}`);
  const size = await topicSize(topic);
  if (size !== LINES) throw new Error(`kcat produced ${size} of ${LINES}`);
  // `times` prints the children's user and system time on its second line: "0m1.234s 0m0.321s".
  const childTimes = result.stdout.trim().split('\n').at(-1)?.split(' ') ?? [];
  const cpu = childTimes.map((t) => {
    const [m, s] = t.replace('s', '').split('m');
    return Number(m) * 60 + Number(s);
  });
  return {
    linesPerSecond: LINES / seconds,
    mbPerSecond: statSync(file).size / 2 ** 20 / seconds,
    cpuCores: ((cpu[0] ?? 0) + (cpu[1] ?? 0)) / seconds,
  };
}

/** The collector following the file, until every line is in Kafka. */
async function withVigie(file: string, format: string, dir: string): Promise<Measure> {
  const topic = newTopic('bench-vigie');
  await bus.ensureTopic(topic, 6);
  const dataDir = mkdtempSync(join(dir, 'collector-'));
  const vigie = new VigieProcess(['collector'], {
    VIGIE_KAFKA_BROKERS: values.brokers,
    VIGIE_KAFKA_LOGS_TOPIC: topic,
    VIGIE_COLLECTOR_DATA_DIR: dataDir,
    VIGIE_COLLECTOR_HTTP_ENABLED: 'false',
    VIGIE_COLLECTOR_FILES: JSON.stringify([{ paths: [file], service: 'bench', format }]),
    VIGIE_OPS_PORT: '0',
  });
  await vigie.opsUrl();
  const pid = vigie.child.pid as number;
  let startedAt = 0;
  let cpuAtStart = 0;
  for (;;) {
    const size = await topicSize(topic);
    if (size > 0 && startedAt === 0) {
      startedAt = performance.now();
      cpuAtStart = cpuSeconds(pid);
    }
    if (size >= LINES) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = cpuSeconds(pid) - cpuAtStart;
  await vigie.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
  return {
    linesPerSecond: LINES / seconds,
    mbPerSecond: statSync(file).size / 2 ** 20 / seconds,
    cpuCores: cpu / seconds,
  };
}

async function main(): Promise<void> {
  await bus.healthcheck();
  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-collector-'));
  mkdirSync(dir, { recursive: true });
  const lines: string[] = [''];
  try {
    for (const format of Object.keys(FORMATS)) {
      const file = writeSample(dir, format);
      const bytes = statSync(file).size / LINES;
      progress(`bench:collector — ${format}: ${LINES} lines of ~${Math.round(bytes)} bytes, ${RUNS} runs`);
      const kcat: Measure[] = [];
      const vigie: Measure[] = [];
      for (let run = 1; run <= RUNS; run++) {
        progress(`  run ${run}/${RUNS}: kcat...`);
        kcat.push(await withKcat(file));
        progress(`  run ${run}/${RUNS}: Vigie collector...`);
        vigie.push(await withVigie(file, format, dir));
      }
      const k = median(kcat.map((m) => m.linesPerSecond));
      const v = median(vigie.map((m) => m.linesPerSecond));
      const max = Math.max(k, v);
      const describe = (m: Measure[], rate: number) =>
        `${Math.round(rate)} lines/s, ${median(m.map((x) => x.mbPerSecond)).toFixed(1)} MB/s, CPU ${median(m.map((x) => x.cpuCores)).toFixed(2)} cores`;
      lines.push(
        `File → Kafka, ${format} (~${Math.round(bytes)} bytes/line), median of ${RUNS} runs`,
        `  kcat (librdkafka)  ${bar(k, max)} ${describe(kcat, k)}`,
        `  Vigie collector    ${bar(v, max)} ${describe(vigie, v)}`,
        `  ratio Vigie / kcat: ${(v / k).toFixed(2)}`,
        '',
      );
    }
    process.stdout.write(lines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:collector failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => bus.close());
