import { open } from 'node:fs/promises';
import { decodeRecord, recordSizeAt } from './record-codec.js';

/** Records between two entries of a segment's sparse position index. */
export const INDEX_EVERY = 256;
/** Larger lengths are corruption, not records: scanning stops there. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export interface SegmentScan {
  /** Whole records from the start of the file. */
  count: number;
  /** File position of records 0, INDEX_EVERY, 2 × INDEX_EVERY, … */
  positions: number[];
  /** Bytes of whole records; anything after is a torn or corrupt tail. */
  validBytes: number;
}

/**
 * Walks a segment's records from the start. With `verify`, checks every checksum and
 * stops at the first torn or corrupt record (recovery of the segment written last);
 * without, only follows the lengths (index of a segment closed cleanly).
 */
export async function scanSegment(path: string, verify: boolean): Promise<SegmentScan> {
  const handle = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const positions: number[] = [];
    let carry = Buffer.alloc(0);
    let filePosition = 0; // file position of carry[0]
    let count = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, filePosition + carry.length);
      if (bytesRead === 0) break;
      const read = chunk.subarray(0, bytesRead);
      const buffer = carry.length > 0 ? Buffer.concat([carry, read]) : read;
      let position = 0;
      for (;;) {
        const size = recordSizeAt(buffer, position);
        if (size === undefined || position + size > buffer.length) break;
        if (size > MAX_RECORD_BYTES) {
          return { count, positions, validBytes: filePosition + position };
        }
        if (verify && !decodeRecord(buffer, position, true)) {
          return { count, positions, validBytes: filePosition + position };
        }
        if (count % INDEX_EVERY === 0) positions.push(filePosition + position);
        count++;
        position += size;
      }
      const head = recordSizeAt(buffer, position);
      if (head !== undefined && head > MAX_RECORD_BYTES) break;
      // Copied: `chunk` is overwritten by the next read.
      carry = Buffer.from(buffer.subarray(position));
      filePosition += position;
    }
    return { count, positions, validBytes: filePosition };
  } finally {
    await handle.close();
  }
}
