import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { LogEventSchema } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import type { LineFormat } from '../../src/model.js';
import { parseLine } from '../../src/parse/index.js';

const root = fileURLToPath(new URL('../../../../fixtures/logs/', import.meta.url));
const RECEIVED_AT = Date.UTC(2026, 10, 28, 12, 30);
// Access logs of both servers look alike: the source's format names the server.
const FORMATS: Record<string, LineFormat> = { nginx: 'nginx', apache: 'apache' };

/** `sample.log` holds one record per line; `*.records.log` multiline records separated by a blank line. */
function records(path: string): Array<{ text: string; offset: number }> {
  const content = readFileSync(path, 'utf8');
  const separator = path.endsWith('.records.log') ? '\n\n' : '\n';
  const out: Array<{ text: string; offset: number }> = [];
  let offset = 0;
  for (const text of content.split(separator)) {
    const record = text.endsWith('\n') ? text.slice(0, -1) : text;
    if (record !== '') out.push({ text: record, offset });
    offset += Buffer.byteLength(text) + Buffer.byteLength(separator);
  }
  return out;
}

const cases = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .flatMap((format) =>
    readdirSync(`${root}${format}`)
      .filter((name) => name.endsWith('.log'))
      .map((name): [string, string] => [format, name]),
  );

// Golden files: each record's event, one JSON per line. After a deliberate change,
// regenerate them with VIGIE_UPDATE_GOLDEN=1 and review the diff.
describe('parseLine on fixtures/logs', () => {
  it('covers every format of the product issue', () => {
    expect(cases.map(([format]) => format).sort()).toEqual(
      expect.arrayContaining(['apache', 'bunyan', 'cri', 'docker', 'java-stacktrace', 'log4j', 'logfmt']),
    );
    expect(cases.length).toBeGreaterThanOrEqual(17);
  });

  it.each(cases)('%s/%s gives its golden output', (format, name) => {
    const filePath = `/var/log/fixtures/${format}/${name}`;
    const events = records(`${root}${format}/${name}`).map(({ text, offset }, sequence) =>
      parseLine({
        text,
        receivedAt: RECEIVED_AT,
        origin: { source: 'file', hostName: 'collector-1', filePath, offset, sequence },
        hints: { format: FORMATS[format] ?? 'auto' },
      }),
    );
    for (const event of events) expect(Value.Check(LogEventSchema, event)).toBe(true);
    const actual = events.map((event) => JSON.stringify(event));
    const golden = `${root}${format}/${name.replace(/\.log$/, '.expected.ndjson')}`;
    if (process.env.VIGIE_UPDATE_GOLDEN) writeFileSync(golden, `${actual.join('\n')}\n`);
    expect(actual).toEqual(readFileSync(golden, 'utf8').trimEnd().split('\n'));
  });
});
