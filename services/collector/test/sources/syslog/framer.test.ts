import { describe, expect, it } from 'vitest';
import { SyslogFramer } from '../../../src/sources/syslog/index.js';

const texts = (framer: SyslogFramer, ...chunks: (string | Buffer)[]) =>
  chunks.flatMap((chunk) => framer.push(Buffer.from(chunk))).map((frame) => frame.text);

const counted = (message: string) => `${Buffer.byteLength(message)} ${message}`;

describe('SyslogFramer', () => {
  it('reads octet-counted frames whose message holds newlines and NULs', () => {
    const framer = new SyslogFramer(1024);
    const message = '<13>1 - host app - - - first line\nsecond line\0third';
    expect(texts(framer, counted(message) + counted('<14>1 - - - - - - next'))).toEqual([
      message,
      '<14>1 - - - - - - next',
    ]);
  });

  it('reads several newline-framed messages of one chunk, with CRLF and NUL trailers', () => {
    const framer = new SyslogFramer(1024);
    expect(texts(framer, '<13>one\n<13>two\r\n<13>three\0<13>four\n')).toEqual([
      '<13>one',
      '<13>two',
      '<13>three',
      '<13>four',
    ]);
  });

  it('gives the same messages whatever the chunk boundaries', () => {
    const stream = `${counted('<13>1 a\nb')}<14>plain message\r\n${counted('<15>1 c')}\n\n<16>tail\0`;
    const expected = ['<13>1 a\nb', '<14>plain message', '<15>1 c', '<16>tail'];
    const bytes = Buffer.from(stream);
    for (let cut = 1; cut < bytes.length; cut++) {
      const framer = new SyslogFramer(1024);
      expect(texts(framer, bytes.subarray(0, cut), bytes.subarray(cut)), `cut at ${cut}`).toEqual(expected);
    }
    const framer = new SyslogFramer(1024);
    const oneByteChunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect(texts(framer, ...oneByteChunks)).toEqual(expected);
  });

  it('mixes both framings on one connection', () => {
    const framer = new SyslogFramer(1024);
    expect(
      texts(framer, `<13>newline framed\n${counted('<13>counted')}<13>again newline\n${counted('x y')}`),
    ).toEqual(['<13>newline framed', '<13>counted', '<13>again newline', 'x y']);
  });

  it('treats digits that are not a length as the start of a newline-framed message', () => {
    const framer = new SyslogFramer(1024);
    expect(
      texts(framer, '2026-11-28 message without PRI\n42\n1764331200 epoch seconds\n1764331200123 ms\n'),
    ).toEqual(['2026-11-28 message without PRI', '42', '1764331200 epoch seconds', '1764331200123 ms']);
  });

  it('cuts an octet-counted frame past the limit, discards the rest, and reads on', () => {
    const framer = new SyslogFramer(1024);
    const size = 10 * 1024 * 1024;
    const header = Buffer.from(`${size} <13>1 `);
    const body = Buffer.alloc(size - 6, 'a');
    const frames = framer.push(header);
    for (let offset = 0; offset < body.length; offset += 65536) {
      frames.push(...framer.push(body.subarray(offset, offset + 65536)));
    }
    frames.push(...framer.push(Buffer.from(counted('<13>1 after'))));
    expect(frames).toHaveLength(2);
    expect(frames[0]?.truncated).toBe(true);
    expect(frames[0]?.text).toBe(`<13>1 ${'a'.repeat(1024 - 6)}`);
    expect(frames[0]?.droppedBytes).toBe(size - 1024);
    expect(frames[1]).toEqual({ text: '<13>1 after', truncated: false, droppedBytes: 0 });
  });

  it('cuts a newline-framed message past the limit and reads on after its newline', () => {
    const framer = new SyslogFramer(1024);
    const frames = [...framer.push(Buffer.alloc(3000, 'b')), ...framer.push(Buffer.from('bbb\n<13>next\n'))];
    expect(frames.map((f) => [f.text.length, f.truncated])).toEqual([
      [1024, true],
      [8, false],
    ]);
  });

  it('does not flag a message of exactly the limit whose CR and LF arrive apart', () => {
    const framer = new SyslogFramer(1024);
    const frames = [...framer.push(Buffer.from(`${'c'.repeat(1024)}\r`)), ...framer.push(Buffer.from('\n'))];
    expect(frames).toEqual([{ text: 'c'.repeat(1024), truncated: false, droppedBytes: 0 }]);
  });

  it('replaces invalid UTF-8 and never leaves half a character at a cut', () => {
    const framer = new SyslogFramer(1024);
    const invalid = Buffer.concat([
      Buffer.from('<13>bad '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('\n'),
    ]);
    expect(texts(framer, invalid)).toEqual(['<13>bad \uFFFD\uFFFD\uFFFD']);
    // 1023 ASCII bytes then a 3-byte character across the 1024-byte limit.
    const frames = framer.push(Buffer.from(`${'x'.repeat(1023)}€€\n`));
    expect(frames[0]?.text).toBe('x'.repeat(1023));
    expect(frames[0]?.truncated).toBe(true);
    // A character split across chunks is decoded whole.
    const euro = Buffer.from('<13>€\n');
    expect(texts(framer, euro.subarray(0, 5), euro.subarray(5))).toEqual(['<13>€']);
  });

  it('hands on the message a connection ended in, flagging an incomplete counted one', () => {
    const plain = new SyslogFramer(1024);
    expect(plain.push(Buffer.from('<13>no trailer'))).toEqual([]);
    expect(plain.end()).toEqual([{ text: '<13>no trailer', truncated: false, droppedBytes: 0 }]);
    const partial = new SyslogFramer(1024);
    expect(partial.push(Buffer.from('20 <13>1 short'))).toEqual([]);
    expect(partial.end()).toEqual([{ text: '<13>1 short', truncated: true, droppedBytes: 0 }]);
    const digits = new SyslogFramer(1024);
    digits.push(Buffer.from('\n123'));
    expect(digits.end().map((f) => f.text)).toEqual(['123']);
    expect(new SyslogFramer(1024).end()).toEqual([]);
  });
});
