// Shared with the syslog source, which has the same bounded, UTF-8-safe accumulation.
import { BoundedBytes } from '../syslog/bounded-bytes.js';

/** One line cut out of a byte stream. */
export interface SplitLine {
  /** The line without its LF (or CRLF), UTF-8 decoded with invalid sequences replaced. */
  text: string;
  /** The line was longer than the limit and was cut. */
  truncated: boolean;
}

const LF = 0x0a;

/**
 * Splits a byte stream into lines on LF, dropping a CR before it. A line longer than
 * `maxBytes` is cut there and the rest of it is read and discarded, so memory stays
 * bounded whatever the input. Empty lines are skipped.
 */
export class LineSplitter {
  private readonly line: BoundedBytes;

  constructor(maxBytes: number) {
    this.line = new BoundedBytes(maxBytes);
  }

  /** Feeds the next chunk; returns the lines it completed. */
  push(chunk: Buffer): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    for (let end = chunk.indexOf(LF); end !== -1; end = chunk.indexOf(LF, start)) {
      this.line.append(chunk, start, end, true);
      start = end + 1;
      this.emit(lines);
    }
    this.line.append(chunk, start, chunk.length, true);
    return lines;
  }

  /** The input ended: returns its last line when it had no final LF. */
  end(): SplitLine[] {
    const lines: SplitLine[] = [];
    this.emit(lines);
    return lines;
  }

  private emit(lines: SplitLine[]): void {
    if (this.line.isEmpty) return;
    const { text, truncated } = this.line.take();
    lines.push({ text, truncated });
  }
}
