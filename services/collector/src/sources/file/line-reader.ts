/** One line cut from a file, without its line ending. */
export interface FileLine {
  /** Decoded text: invalid UTF-8 replaced by U+FFFD, NUL bytes kept. */
  text: string;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte offset just after the line ending: where the next line starts. */
  end: number;
  /** The line was longer than the limit: `text` holds its first bytes only. */
  truncated: boolean;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Cuts a byte stream into lines. Keeps at most `maxLineBytes` of the current line in
 * memory and skips the rest up to its newline, so a 10 MiB line costs 1 MiB, not 10.
 * Lines end at `\n`; a `\r` before it is dropped; a UTF-8 BOM at offset 0 is skipped.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private keptBytes = 0;
  private truncated = false;
  private lineStart: number;
  private position: number;

  constructor(
    private readonly maxLineBytes: number,
    startOffset: number,
  ) {
    this.lineStart = startOffset;
    this.position = startOffset;
  }

  /** File offset of the next byte expected by `push`. */
  get offset(): number {
    return this.position;
  }

  /** Bytes of an unterminated line held back. */
  get partialBytes(): number {
    return this.position - this.lineStart;
  }

  /**
   * Takes the next chunk of the file and returns the lines it completes. The chunk is not
   * kept: the caller may reuse its buffer (bytes of an unfinished line are copied).
   */
  push(chunk: Buffer): FileLine[] {
    let start = 0;
    if (this.position === 0 && chunk.subarray(0, 3).equals(BOM)) {
      start = 3;
      this.lineStart = 3;
    }
    const lines: FileLine[] = [];
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const stop = newline === -1 ? chunk.length : newline;
      const piece = chunk.subarray(start, stop);
      if (newline === -1) {
        this.keep(piece);
        break;
      }
      const end = this.position + newline + 1;
      if (this.keptBytes === 0 && !this.truncated && piece.length <= this.maxLineBytes) {
        lines.push(this.complete(end, piece));
      } else {
        this.keep(piece);
        lines.push(this.complete(end));
      }
      start = newline + 1;
    }
    this.position += chunk.length;
    return lines;
  }

  /** The unterminated last line, if any, as a line ending at the current offset. */
  flushPartial(): FileLine | undefined {
    if (this.position === this.lineStart) return undefined;
    return this.complete(this.position);
  }

  private keep(bytes: Buffer): void {
    const room = this.maxLineBytes - this.keptBytes;
    const kept = bytes.length <= room ? bytes : bytes.subarray(0, Math.max(0, room));
    if (kept.length > 0) {
      this.parts.push(Buffer.from(kept));
      this.keptBytes += kept.length;
    }
    if (kept.length < bytes.length) this.truncated = true;
  }

  /** Ends the current line at `end`; `whole` is the line when it lies in one chunk. */
  private complete(end: number, whole?: Buffer): FileLine {
    let bytes = whole ?? Buffer.concat(this.parts, this.keptBytes);
    if (this.truncated) {
      bytes = bytes.subarray(0, utf8Boundary(bytes));
    } else if (bytes.length > 0 && bytes[bytes.length - 1] === CR) {
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    const line = { text: bytes.toString('utf8'), offset: this.lineStart, end, truncated: this.truncated };
    this.parts = [];
    this.keptBytes = 0;
    this.truncated = false;
    this.lineStart = end;
    return line;
  }
}

/** Length of `bytes` without a UTF-8 sequence the cut left incomplete (so a cut adds no U+FFFD). */
function utf8Boundary(bytes: Buffer): number {
  const n = bytes.length;
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = bytes[i] ?? 0;
    if ((b & 0xc0) === 0x80) continue;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + length <= n ? n : i;
  }
  return n;
}
