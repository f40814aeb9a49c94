import { describe, expect, it } from 'vitest';
import type { FileLine } from '../../../src/sources/file/line-reader.js';
import { type FileRecord, MultilineJoiner, PATTERNS } from '../../../src/sources/file/multiline.js';

function join(text: string, start?: RegExp, maxRecordBytes = 1 << 20): FileRecord[] {
  const joiner = new MultilineJoiner({ maxRecordBytes, ...(start ? { start } : {}) });
  const records: FileRecord[] = [];
  let offset = 0;
  for (const t of text.split('\n')) {
    const end = offset + Buffer.byteLength(t) + 1;
    const line: FileLine = { text: t, offset, end, truncated: false };
    const record = joiner.push(line);
    if (record) records.push(record);
    offset = end;
  }
  const last = joiner.flush();
  if (last) records.push(last);
  return records;
}

const JAVA = [
  '2026-11-28 12:00:00,123 ERROR [main] c.e.Handler - Request failed',
  'java.lang.IllegalStateException: boom',
  '\tat com.example.Handler.handle(Handler.java:42)',
  '\tat com.example.Server.run(Server.java:7)',
  'Caused by: java.io.IOException: disk gone',
  '\tat com.example.Store.write(Store.java:99)',
  '\t... 2 more',
].join('\n');

const PYTHON = [
  'Traceback (most recent call last):',
  '  File "app.py", line 3, in <module>',
  '    main()',
  '  File "app.py", line 2, in main',
  '    raise ValueError("bad")',
  'ValueError: bad',
].join('\n');

describe('MultilineJoiner', () => {
  it('joins a Java stack trace with its causes into the log line before it', () => {
    const records = join(`2026-11-28 11:59:59,000 INFO start\n${JAVA}\n2026-11-28 12:00:01,000 INFO next`);
    expect(records.map((r) => r.text)).toEqual([
      '2026-11-28 11:59:59,000 INFO start',
      JAVA,
      '2026-11-28 12:00:01,000 INFO next',
    ]);
    expect(records[1]?.offset).toBe(Buffer.byteLength('2026-11-28 11:59:59,000 INFO start\n'));
  });

  it('joins a Python traceback, final exception line included, and chained tracebacks', () => {
    const chained = `${PYTHON}\n\nDuring handling of the above exception, another exception occurred:\n\n${PYTHON}`;
    const records = join(`ERROR worker crashed\n${chained}\nINFO restarted`);
    expect(records.map((r) => r.text)).toEqual([`ERROR worker crashed\n${chained}`, 'INFO restarted']);
  });

  it('keeps plain lines one record each', () => {
    expect(join('n=1 hello\nn=2 world\nplain').map((r) => r.text)).toEqual([
      'n=1 hello',
      'n=2 world',
      'plain',
    ]);
  });

  it('with a configured start pattern, joins every other line', () => {
    expect(join('>> a\nb\nc\n>> d', /^>> /).map((r) => r.text)).toEqual(['>> a\nb\nc', '>> d']);
  });

  it('cuts a record past the size limit and flags it, keeping its end offset', () => {
    const [record] = join('ERROR x\n\tat a\n\tat b\n\tat c', undefined, 12);
    expect(record?.truncated).toBe(true);
    expect(Buffer.byteLength(record?.text ?? '')).toBeLessThanOrEqual(12);
    expect(record?.end).toBe(Buffer.byteLength('ERROR x\n\tat a\n\tat b\n\tat c\n'));
  });
});

describe('PATTERNS', () => {
  it('has no quantified group holding a quantifier (no nested quantifiers)', () => {
    for (const [name, pattern] of Object.entries(PATTERNS)) {
      expect(/\([^()]*[*+}][^()]*\)[*+{]/.test(pattern.source), name).toBe(false);
    }
  });

  it('runs in linear time on long adversarial lines', () => {
    const size = 200_000;
    const inputs = [
      'a'.repeat(size),
      `${'a.'.repeat(size / 2)}!`,
      ' '.repeat(size),
      `${'1'.repeat(size)}x`,
      `${'java.lang.'.repeat(size / 10)}Exceptio`,
      `Traceback (most recent call last)${'('.repeat(size)}`,
      '\t'.repeat(size),
    ];
    for (const [name, pattern] of Object.entries(PATTERNS)) {
      for (const input of inputs) {
        const started = performance.now();
        pattern.test(input);
        expect(performance.now() - started, `${name} on ${input.slice(0, 12)}…`).toBeLessThan(50);
      }
    }
  });
});
