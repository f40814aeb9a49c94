/**
 * Indexing throughput with 1, 2 and 3 processors in one consumer group, over the same
 * pre-published topic, with the CPU each process used, to show where the bottleneck is:
 * the processors (Node), Kafka or Elasticsearch.
 *
 *   npm run bench:scale -- [--events 200000] [--partitions 12] [--runs 3] [--processors 1,2,3]
 *
 * Needs the local stack (npm run stack:up). Each run starts its processors together on a
 * fresh group and index prefix (detection on, as deployed) and times from the first
 * record received to the group's lag reaching zero, so the start-up rebalances count.
 * Kafka's and Elasticsearch's pids come from the stack's pid files (or /proc).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { KafkaBus } from '@vigie/bus';
import { type BusRecord, createLogger } from '@vigie/common';
import { deletePrefix } from '../services/testkit/src/elasticsearch-http.js';
import { sampleEvent } from '../services/testkit/src/events.js';
import { scrapeMetric, VigieProcess } from '../services/testkit/src/processes.js';
import { bar, cpuSeconds, median, progress } from './lib.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    partitions: { type: 'string', default: '12' },
    runs: { type: 'string', default: '3' },
    processors: { type: 'string', default: '1,2,3' },
    services: { type: 'string', default: '30' },
    brokers: { type: 'string', default: process.env.VIGIE_KAFKA_BROKERS ?? '127.0.0.1:9092' },
    elasticsearch: {
      type: 'string',
      default: process.env.VIGIE_ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200',
    },
  },
});
const EVENTS = Number(values.events);
const PARTITIONS = Number(values.partitions);
const RUNS = Number(values.runs);
const SERVICES = Number(values.services);
const SIZES = values.processors.split(',').map(Number);

const logger = createLogger({ level: 'warn', role: 'bench' });
const bus = new KafkaBus({ brokers: values.brokers.split(','), clientId: 'vigie-bench', logger });
const stamp = Date.now().toString(36);
let names = 0;
const uniqueName = (prefix: string) => `${prefix}-${stamp}-${names++}`;

/** One run: its rates, and the CPU cores each process used over its steady part. */
interface RunResult {
  /** Events over the time from the first record received to the last one committed. */
  rate: number;
  /** The same once the group's assignment settled (NaN when that came too late to tell). */
  steadyRate: number;
  seconds: number;
  processors: number[];
  kafka: number;
  elasticsearch: number;
  /** The whole machine, this bench's processes included (other work on a shared machine shows here). */
  machine: number;
}

/** Busy CPU seconds of the whole machine so far, from /proc/stat. */
function machineCpuSeconds(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - (fields[3] ?? 0) - (fields[4] ?? 0)) / 100;
}

/** The pid in a stack pid file, else the first process whose command line holds `marker`. */
function enginePid(pidFile: string, marker: string): number | undefined {
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && existsSync(`/proc/${pid}`)) return pid;
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) return Number(entry);
    } catch {
      // The process ended while the list was read.
    }
  }
  return undefined;
}

/** The engines' pids, looked up again before each run (a test elsewhere may restart them). */
function enginePids(): { kafka: number | undefined; elasticsearch: number | undefined } {
  return {
    kafka: enginePid('.cache/stack/kafka/kafka.pid', 'kafka.Kafka'),
    elasticsearch: enginePid(
      '.cache/stack/elasticsearch/run/elasticsearch.pid',
      'org.elasticsearch.bootstrap.Elasticsearch',
    ),
  };
}
/** CPU seconds of `pid`, NaN when it is unknown or gone (the run's figure for it is then n/a). */
function cpuOf(pid: number | undefined): number {
  try {
    return pid === undefined ? Number.NaN : cpuSeconds(pid);
  } catch {
    return Number.NaN;
  }
}

/** The events of every run: `sampleEvent` spread over SERVICES services, keyed by service. */
async function publish(topic: string): Promise<void> {
  await bus.ensureTopic(topic, PARTITIONS);
  for (let from = 0; from < EVENTS; from += 10_000) {
    const records: BusRecord[] = [];
    for (let i = from; i < Math.min(from + 10_000, EVENTS); i++) {
      const event = { ...sampleEvent(i), service: { name: `svc-${i % SERVICES}` } };
      records.push({ key: event.service.name, value: Buffer.from(JSON.stringify(event)) });
    }
    await bus.publish(topic, records);
  }
}

async function run(topic: string, size: number): Promise<RunResult> {
  const prefix = uniqueName('bench-scale');
  const group = uniqueName('bench-scale');
  const env = {
    VIGIE_KAFKA_BROKERS: values.brokers,
    VIGIE_ELASTICSEARCH_URL: values.elasticsearch,
    VIGIE_KAFKA_LOGS_TOPIC: topic,
    VIGIE_KAFKA_ANOMALIES_TOPIC: `${topic}-anomalies`,
    VIGIE_PROCESSOR_GROUP_ID: group,
    VIGIE_ELASTICSEARCH_INDEX_PREFIX: prefix,
    VIGIE_OPS_PORT: '0',
  };
  const processes = Array.from({ length: size }, () => new VigieProcess(['processor'], env));
  try {
    const opsUrls = await Promise.all(processes.map((p) => p.opsUrl()));
    const pids = processes.map((p) => p.child.pid as number);
    let startedAt = 0;
    let cpuAtStart: number[] = [];
    for (;;) {
      const received = await Promise.all(
        opsUrls.map((url) => scrapeMetric(url, 'vigie_events_received_total')),
      );
      if (received.some((n) => n > 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    startedAt = performance.now();
    const engines = enginePids();
    const sample = () => [
      ...pids.map(cpuOf),
      cpuOf(engines.kafka),
      cpuOf(engines.elasticsearch),
      machineCpuSeconds(),
    ];
    cpuAtStart = sample();
    // The steady part starts once every member holds its share of the partitions: the
    // rebalances of members joining one after the other are behind it.
    let steady: { at: number; done: number; cpu: number[] } | undefined;
    for (;;) {
      const lag = [...(await bus.consumerLag(topic, group)).values()].reduce((a, b) => a + b, 0);
      if (lag === 0) break;
      if (!steady && (await assignmentSettled(opsUrls))) {
        steady = { at: performance.now(), done: EVENTS - lag, cpu: sample() };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const endedAt = performance.now();
    const cpuAtEnd = sample();
    const seconds = (endedAt - startedAt) / 1000;
    // Steady figures need a long enough steady part; the whole run's otherwise.
    const window =
      steady && steady.done < 0.8 * EVENTS
        ? { seconds: (endedAt - steady.at) / 1000, events: EVENTS - steady.done, cpu: steady.cpu }
        : undefined;
    const over = window ?? { seconds, events: EVENTS, cpu: cpuAtStart };
    const cores = cpuAtEnd.map((cpu, i) => (cpu - (over.cpu[i] as number)) / over.seconds);
    return {
      rate: EVENTS / seconds,
      steadyRate: window ? window.events / window.seconds : Number.NaN,
      seconds,
      processors: cores.slice(0, size),
      kafka: cores[size] as number,
      elasticsearch: cores[size + 1] as number,
      machine: cores[size + 2] as number,
    };
  } finally {
    await Promise.all(processes.map((p) => p.kill('SIGTERM')));
    await deletePrefix(prefix);
  }
}

/** Whether the members' assignments cover every partition once, as their /ready pages tell. */
async function assignmentSettled(opsUrls: string[]): Promise<boolean> {
  const held = await Promise.all(
    opsUrls.map(async (url) => {
      const body = (await (await fetch(`${url}/ready`)).json()) as { checks?: { bus?: string } };
      const listed = /partitions \[([\d,]*)\]/.exec(body.checks?.bus ?? '')?.[1] ?? '';
      return listed === '' ? [] : listed.split(',').map(Number);
    }),
  );
  const all = held.flat();
  return (
    held.every((partitions) => partitions.length > 0) &&
    all.length === PARTITIONS &&
    new Set(all).size === PARTITIONS
  );
}

const rate = (n: number) => (Number.isNaN(n) ? '   n/a' : String(Math.round(n)).padStart(6));
const cores = (n: number) => (Number.isNaN(n) ? '  n/a' : n.toFixed(2));

async function main(): Promise<void> {
  await bus.healthcheck();
  const topic = uniqueName('bench-scale-logs');
  progress(
    `bench:scale — ${EVENTS} events of ${SERVICES} services on ${PARTITIONS} partitions, ${RUNS} runs of ${SIZES.join(', ')} processors`,
  );
  const engines = enginePids();
  progress(
    `Kafka pid ${engines.kafka ?? 'not found'}, Elasticsearch pid ${engines.elasticsearch ?? 'not found'}`,
  );
  await publish(topic);
  const results = new Map<number, RunResult[]>(SIZES.map((size) => [size, []]));
  for (let round = 1; round <= RUNS; round++) {
    for (const size of SIZES) {
      progress(`run ${round}/${RUNS}: ${size} processor(s)...`);
      const result = await run(topic, size);
      results.get(size)?.push(result);
      progress(
        `  ${Math.round(result.rate)} events/s in ${result.seconds.toFixed(1)} s, ${rate(result.steadyRate)} events/s once settled; CPU cores: processors ${result.processors.map(cores).join(' + ')}, Kafka ${cores(result.kafka)}, Elasticsearch ${cores(result.elasticsearch)}, whole machine ${cores(result.machine)}`,
      );
    }
  }
  const medians = SIZES.map((size) => {
    const runs = results.get(size) ?? [];
    return {
      size,
      rate: median(runs.map((r) => r.rate)),
      steadyRate: median(runs.map((r) => r.steadyRate).filter((r) => !Number.isNaN(r))),
      processors: median(runs.map((r) => r.processors.reduce((a, b) => a + b, 0))),
      kafka: median(runs.map((r) => r.kafka)),
      elasticsearch: median(runs.map((r) => r.elasticsearch)),
      others: median(
        runs.map((r) => r.machine - r.kafka - r.elasticsearch - r.processors.reduce((a, b) => a + b, 0)),
      ),
      runs: runs.map((r) => Math.round(r.rate)),
      steadyRuns: runs.map((r) => rate(r.steadyRate)),
    };
  });
  const max = Math.max(...medians.flatMap((m) => [m.rate, Number.isNaN(m.steadyRate) ? 0 : m.steadyRate]));
  const label = (size: number) => `${size} processor${size > 1 ? 's' : ' '}`;
  const lines = [
    '',
    `Indexing throughput by processors in the group, ${EVENTS} events, ${PARTITIONS} partitions, median of ${RUNS} runs`,
    '  whole run (first record received → group lag 0, start-up rebalances included):',
    ...medians.map(
      (m) => `  ${label(m.size)}  ${bar(m.rate, max)} ${rate(m.rate)} events/s  (runs: ${m.runs.join(', ')})`,
    ),
    '  once every member holds its partitions:',
    ...medians.map(
      (m) =>
        `  ${label(m.size)}  ${bar(Number.isNaN(m.steadyRate) ? 0 : m.steadyRate, max)} ${rate(m.steadyRate)} events/s  (runs: ${m.steadyRuns.join(', ')})`,
    ),
    '',
    `  CPU cores used (of ${availableParallelism()}) once settled (whole run when it settled late), medians:`,
    '                 processors   Kafka   Elasticsearch   total   rest of the machine',
    ...medians.map(
      (m) =>
        `  ${label(m.size)}   ${cores(m.processors).padStart(10)}  ${cores(m.kafka).padStart(6)}  ${cores(m.elasticsearch).padStart(14)}  ${cores(m.processors + m.kafka + m.elasticsearch).padStart(6)}  ${cores(m.others).padStart(8)}`,
    ),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(
    file,
    JSON.stringify(
      { events: EVENTS, partitions: PARTITIONS, runs: RUNS, results: Object.fromEntries(results), medians },
      null,
      2,
    ),
  );
  progress(`results written to ${file}`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:scale failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => bus.close());
