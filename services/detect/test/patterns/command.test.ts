import { PassThrough, Readable, Writable } from 'node:stream';
import { runPatternsCommand } from '@vigie/detect';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

async function run(input: string): Promise<string> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  await runPatternsCommand(Readable.from([input]), output);
  output.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('runPatternsCommand', () => {
  it('writes one CSV row per input line, numbered from 1, with the pattern id and template', async () => {
    const csv = await run(
      'cart 12 emptied by worker 3\r\ncart 99 emptied by worker 7\nlogin refused for "bob", from 10.1.1.1\n',
    );
    const rows = parse(csv) as string[][];
    expect(rows[0]).toEqual(['line', 'pattern_id', 'template']);
    expect(rows).toHaveLength(4);
    expect(rows[1]?.[0]).toBe('1');
    expect(rows[2]?.[0]).toBe('2');
    expect(rows[3]?.[0]).toBe('3');
    expect(rows[1]?.[1]).toBe(rows[2]?.[1]);
    expect(rows[3]?.[1]).not.toBe(rows[1]?.[1]);
    expect(rows[2]?.[2]).toBe('cart <*> emptied by worker <*>');
    expect(rows[3]?.[2]).toBe('login refused for "bob", from <*>');
  });

  it('quotes templates that hold commas and quotes', async () => {
    const csv = await run('login refused for "bob", from 10.1.1.1\n');
    expect(csv.split('\n')[1]).toBe('1,t0,"login refused for ""bob"", from <*>"');
  });

  function failingOutput(code: string): Writable {
    return new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error(`write ${code}`), { code }));
      },
    });
  }

  it('stops quietly when the reader of the output goes away (EPIPE)', async () => {
    const input = Readable.from(['a 1\nb 2\nc 3\n']);
    await expect(runPatternsCommand(input, failingOutput('EPIPE'))).resolves.toBeUndefined();
  });

  it('fails on any other output error', async () => {
    const input = Readable.from(['a 1\nb 2\nc 3\n']);
    await expect(runPatternsCommand(input, failingOutput('ENOSPC'))).rejects.toThrow(/ENOSPC/);
  });

  it('writes only the header for an empty input', async () => {
    expect(await run('')).toBe('line,pattern_id,template\n');
  });
});
