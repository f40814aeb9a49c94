const CR = 0x0d;
const CR_BYTE = Buffer.from([CR]);

/**
 * The bytes of one message or line, kept up to a limit. Whatever comes past the limit is
 * only counted, so a peer sending a 10 MiB line costs `limit` bytes of memory, not 10 MiB.
 * Shared with the stdin source.
 */
export class BoundedBytes {
  private parts: Buffer[] = [];
  private size = 0;
  private dropped = 0;
  private cut = false;
  private heldCr = false;

  constructor(private readonly limit: number) {}

  /** Bytes kept so far. */
  get length(): number {
    return this.size;
  }

  /** True when bytes were dropped past the limit (or the content was marked cut). */
  get truncated(): boolean {
    return this.dropped > 0 || this.cut;
  }

  /** True when nothing was appended since the last `take()` (a held CR aside). */
  get isEmpty(): boolean {
    return this.size === 0 && !this.truncated;
  }

  /**
   * Appends `chunk[start, end)`, keeping only what fits under the limit. With
   * `holdTrailingCr`, a CR ending the range is held back until more content follows, so
   * that a line ending in CRLF loses its CR (and is not flagged cut for it) even when
   * the CR arrived in an earlier chunk than the LF.
   */
  append(chunk: Buffer, start = 0, end = chunk.length, holdTrailingCr = false): void {
    if (end <= start) return;
    if (this.heldCr) {
      this.heldCr = false;
      this.keep(CR_BYTE, 0, 1);
    }
    if (holdTrailingCr && chunk[end - 1] === CR) {
      this.heldCr = true;
      this.keep(chunk, start, end - 1);
    } else {
      this.keep(chunk, start, end);
    }
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    const count = end - start;
    if (count <= 0) return;
    const take = Math.min(Math.max(this.limit - this.size, 0), count);
    if (take > 0) {
      // A copy, so that a pending fragment does not pin the whole socket chunk it came in.
      this.parts.push(Buffer.from(chunk.subarray(start, start + take)));
      this.size += take;
    }
    this.dropped += count - take;
  }

  /** Marks the content as cut even though no byte was dropped here (e.g. a frame ended early). */
  markTruncated(): void {
    this.cut = true;
  }

  /** Decodes what was kept and starts over. */
  take(): { text: string; truncated: boolean; droppedBytes: number } {
    const bytes = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    const truncated = this.truncated;
    const result = { text: decodeUtf8(bytes, truncated), truncated, droppedBytes: this.dropped };
    this.parts = [];
    this.size = 0;
    this.dropped = 0;
    this.cut = false;
    this.heldCr = false;
    return result;
  }
}

/**
 * Decodes UTF-8, replacing invalid sequences with U+FFFD. When the bytes were cut at a
 * limit, an incomplete character at the cut is left out rather than turned into U+FFFD,
 * so a cut never invents an invalid character.
 */
export function decodeUtf8(bytes: Buffer, cut: boolean): string {
  return bytes.toString('utf8', 0, cut ? completeUtf8Length(bytes) : bytes.length);
}

/** Length of `bytes` without a trailing incomplete UTF-8 sequence. */
function completeUtf8Length(bytes: Buffer): number {
  let lead = bytes.length - 1;
  while (lead >= 0 && bytes.length - lead <= 3 && ((bytes[lead] as number) & 0xc0) === 0x80) lead--;
  if (lead < 0) return bytes.length;
  const byte = bytes[lead] as number;
  const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return bytes.length - lead < needed ? lead : bytes.length;
}
