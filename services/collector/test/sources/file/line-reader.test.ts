import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../src/sources/file/line-reader.js';

describe('LineSplitter', () => {
  it('cuts lines across chunks with byte offsets, CRLF and a partial last line', () => {
    const splitter = new LineSplitter(1024, 0);
    const lines = [...splitter.push(Buffer.from('ab\r\ncd')), ...splitter.push(Buffer.from('e\nf'))];
    expect(lines).toEqual([
      { text: 'ab', offset: 0, end: 4, truncated: false },
      { text: 'cde', offset: 4, end: 8, truncated: false },
    ]);
    expect(splitter.partialBytes).toBe(1);
    expect(splitter.flushPartial()).toEqual({ text: 'f', offset: 8, end: 9, truncated: false });
  });

  it('skips a BOM at the start of the file only', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const atStart = new LineSplitter(1024, 0).push(Buffer.concat([bom, Buffer.from('x\n')]));
    expect(atStart).toEqual([{ text: 'x', offset: 3, end: 5, truncated: false }]);
    const later = new LineSplitter(1024, 10).push(Buffer.concat([bom, Buffer.from('x\n')]));
    expect(later[0]?.text).toBe('\uFEFFx');
  });

  it('replaces invalid UTF-8 and keeps NUL bytes', () => {
    const [line] = new LineSplitter(1024, 0).push(Buffer.from([0x61, 0xff, 0x00, 0xc3, 0x62, 0x0a]));
    expect(line?.text).toBe('a\uFFFD\u0000\uFFFDb');
  });

  it('cuts a long line at the limit on a character boundary, flags it and keeps counting bytes', () => {
    const splitter = new LineSplitter(4, 0);
    const lines = splitter.push(Buffer.from('abcé€zzzz\nok\n'));
    expect(lines[0]).toEqual({ text: 'abc', offset: 0, end: 13, truncated: true });
    expect(lines[1]).toEqual({ text: 'ok', offset: 13, end: 16, truncated: false });
  });
});
