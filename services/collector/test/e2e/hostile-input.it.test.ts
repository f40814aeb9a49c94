import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaBus } from '@vigie/bus';
import { ElasticsearchStore } from '@vigie/storage';
import {
  deletePrefix,
  ENGINES,
  esRequest,
  testLogger,
  uniqueName,
  VigieProcess,
  waitFor,
} from '@vigie/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const LINES = 10_000;
const MiB = 1024 * 1024;

/** Line `i` of the hostile file: one of 12 kinds, the heavy ones only now and then. */
function hostileLine(i: number): Buffer {
  const heavy = i % 1200 === i % 12;
  switch (i % 12) {
    case 0:
      return Buffer.from(`{"message": "unterminated ${i}`);
    case 1:
      return Buffer.from(`{"level":"error","msg":"cut ${i}",`);
    case 2:
      return Buffer.concat([
        Buffer.from(`bad utf8 ${i} `),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]),
      ]);
    case 3:
      return Buffer.from(`\uFEFF{"msg":"bom ${i}","level":"warn"}`);
    case 4:
      return Buffer.concat([Buffer.from(`binary ${i} `), Buffer.from([0, 1, 2, 3, 0x1b, 0x7f, 0])]);
    case 5:
      return Buffer.from(
        `${i === 5 ? 'x'.repeat(10 * MiB) : heavy ? 'y'.repeat(MiB) : 'z'.repeat(2048)} long ${i}`,
      );
    case 6: {
      const depth = heavy ? 10_000 : 30;
      return Buffer.from(`${'{"a":'.repeat(depth)}"deep ${i}"${'}'.repeat(depth)}`);
    }
    case 7: {
      const keys = heavy ? 10_000 : 50;
      const fields = Array.from({ length: keys }, (_, k) => `"key_${i}_${k}":${k}`).join(',');
      return Buffer.from(`{"msg":"wide ${i}",${fields}}`);
    }
    case 8:
      return Buffer.from(
        i % 24 === 8
          ? `{"msg":"conflict ${i}","http":{"response":{"status_code":"teapot"}},"service":{"name":${i}}}`
          : `{"msg":"conflict ${i}","host":5,"log":{"level":{"nested":true}},"labels":[1,2]}`,
      );
    case 9:
      return Buffer.from(
        [
          `{"time":"not a time","msg":"when ${i}"}`,
          `{"time":"2099-01-01T00:00:00Z","msg":"future ${i}"}`,
          `{"time":"1970-01-02T00:00:00Z","msg":"ancient ${i}"}`,
        ][Math.floor(i / 12) % 3] as string,
      );
    case 10:
      return Buffer.from(`Nov 28 12:00:00 web-1 app[12]: syslog without PRI ${i}`);
    default:
      return Buffer.from(`{"msg":"inject ${i}\\r\\n2026-11-28 ERROR forged line"} plain\r${i} FAKE ERROR`);
  }
}

describe('hostile input through the collector and the processor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-hostile-'));
  const prefix = uniqueName('hostile');
  const topic = uniqueName('hostile-logs');
  const processes: VigieProcess[] = [];
  const store = new ElasticsearchStore({
    url: ENGINES.elasticsearchUrl,
    indexPrefix: prefix,
    requestTimeoutMs: 30_000,
    totalFieldsLimit: 1000,
    logger: testLogger(),
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await store.close();
    await deletePrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('accounts for every one of 10,000 hostile lines, indexed or dead-lettered, with bounded memory', async () => {
    const file = join(dir, 'hostile.log');
    const offsets: number[] = [];
    const parts: Buffer[] = [];
    let position = 0;
    for (let i = 0; i < LINES; i++) {
      const line = hostileLine(i);
      offsets.push(position);
      parts.push(line, Buffer.from('\n'));
      position += line.length + 1;
    }
    writeFileSync(file, Buffer.concat(parts));

    const bus = new KafkaBus({ brokers: ENGINES.kafkaBrokers, clientId: 'vigie-test', logger: testLogger() });
    await bus.ensureTopic(topic, 6);
    await bus.close();
    const common = {
      VIGIE_KAFKA_BROKERS: ENGINES.kafkaBrokers.join(','),
      VIGIE_KAFKA_LOGS_TOPIC: topic,
      VIGIE_OPS_PORT: '0',
    };
    const collector = new VigieProcess(['collector'], {
      ...common,
      VIGIE_COLLECTOR_DATA_DIR: join(dir, 'data'),
      VIGIE_COLLECTOR_HTTP_ENABLED: 'false',
      // Every line is a record of its own here: nothing joins lines into stack traces.
      VIGIE_COLLECTOR_FILES: JSON.stringify([{ paths: [file], service: 'hostile', multilineStart: '^' }]),
    });
    const processor = new VigieProcess(['processor'], {
      ...common,
      VIGIE_ELASTICSEARCH_URL: ENGINES.elasticsearchUrl,
      VIGIE_ELASTICSEARCH_INDEX_PREFIX: prefix,
      VIGIE_PROCESSOR_GROUP_ID: uniqueName('hostile-processor'),
    });
    processes.push(collector, processor);
    await collector.opsUrl();

    const rss: number[] = [];
    const count = async () => {
      rss.push(collector.rssBytes());
      await store.refresh();
      const letters = await esRequest('POST', `/${prefix}-deadletter/_count`);
      return (await store.countLogs()) + ((letters.json as { count?: number }).count ?? 0);
    };
    const total = await waitFor(
      'every line indexed or dead-lettered',
      count,
      (n) => n >= LINES,
      240_000,
      1000,
    );
    expect(total).toBe(LINES);

    // Each line is found by its byte offset in the file: none missing, none twice.
    const found: number[] = [];
    const logs = await esRequest('POST', `/${prefix}-logs/_search`, {
      size: LINES,
      _source: ['log.offset', 'vigie.truncated'],
      query: { match_all: {} },
    });
    const hits = (logs.json as { hits: { hits: { _source: { log?: { offset?: number } } }[] } }).hits.hits;
    for (const hit of hits) found.push(hit._source.log?.offset ?? -1);
    for (const letter of await store.listDeadLetters(LINES)) {
      found.push((JSON.parse(letter.original) as { log?: { offset?: number } }).log?.offset ?? -1);
    }
    expect(found.sort((a, b) => a - b)).toEqual(offsets);

    // The 10 MiB line is there, cut and flagged.
    const big = await esRequest('POST', `/${prefix}-logs/_search`, {
      query: { term: { 'log.offset': offsets[5] } },
    });
    const bigDoc = (
      big.json as { hits: { hits: { _source: { vigie?: { truncated?: boolean }; message: string } }[] } }
    ).hits.hits[0]?._source;
    expect(bigDoc?.vigie?.truncated).toBe(true);
    expect(bigDoc?.message.length).toBeLessThan(MiB + 1);

    const maxRss = Math.max(...rss);
    process.stdout.write(`hostile input: collector max RSS ${(maxRss / MiB).toFixed(0)} MiB\n`);
    expect(maxRss).toBeLessThan(600 * MiB);
  }, 300_000);
});
