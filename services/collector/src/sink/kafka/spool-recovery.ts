import { join } from 'node:path';
import type { Logger } from '@vigie/common';
import { decodeRecords } from './spool-format.js';
import { readAt, type SpoolFs } from './spool-fs.js';

/** Segment files are named by a number that grows with each new segment. */
const SEGMENT_NAME = /^(\d{12})\.spool$/;
const SCAN_BYTES = 4 * 1024 * 1024;
const CURSOR_FILE = 'cursor.json';

/** Where a record starts: a segment and a byte offset in it. */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

/** The file name of segment `id`. */
export function segmentName(id: number): string {
  return `${String(id).padStart(12, '0')}.spool`;
}

/** A segment found on disk, with the length of its valid records. */
export interface RecoveredSegment {
  id: number;
  /** Bytes of complete, valid records; anything after them was cut off. */
  size: number;
  /** Records in those bytes. */
  records: number;
}

/**
 * Finds the segments of a spool folder and checks every record. A record cut short by
 * a crash or a full disk (wrong length or checksum) ends its segment: the file is
 * truncated before it and everything before it is kept. Empty segments are deleted.
 */
export async function recoverSegments(fs: SpoolFs, dir: string, logger: Logger): Promise<RecoveredSegment[]> {
  const ids = (await fs.readdir(dir))
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const segments: RecoveredSegment[] = [];
  for (const id of ids) {
    const path = join(dir, segmentName(id));
    const fileSize = (await fs.stat(path)).size;
    const { size, records } = await validPrefix(fs, path);
    if (size < fileSize) {
      logger.warn(
        { segment: segmentName(id), keptBytes: size, discardedBytes: fileSize - size },
        'Spool segment ends with an incomplete or damaged record (interrupted write); it was cut off.',
      );
      const file = await fs.open(path, 'r+');
      try {
        await file.truncate(size);
        await file.sync();
      } finally {
        await file.close();
      }
    }
    if (size === 0) {
      await fs.unlink(path);
      continue;
    }
    segments.push({ id, size, records });
  }
  return segments;
}

async function validPrefix(fs: SpoolFs, path: string): Promise<{ size: number; records: number }> {
  const file = await fs.open(path, 'r');
  try {
    let position = 0;
    let records = 0;
    let want = SCAN_BYTES;
    for (;;) {
      const buffer = await readAt(file, position, want);
      if (buffer.length === 0) return { size: position, records };
      const result = decodeRecords(buffer);
      position += result.consumed;
      records += result.records.length;
      if (result.stop === 'corrupt') return { size: position, records };
      if (result.stop === 'incomplete') {
        // Cut short by the end of the file: a torn record. Otherwise read a larger window.
        if (buffer.length < want) return { size: position, records };
        want = Math.max(SCAN_BYTES, 8 + (result.nextBodyBytes ?? 0));
      } else {
        want = SCAN_BYTES;
      }
    }
  } finally {
    await file.close();
  }
}

/** The read position saved by the last commit, if any can be read. */
export async function readCursor(fs: SpoolFs, dir: string): Promise<SpoolPosition | undefined> {
  try {
    const cursor = JSON.parse(await fs.readFile(join(dir, CURSOR_FILE), 'utf8')) as unknown;
    const { segment, offset } = (cursor ?? {}) as Partial<SpoolPosition>;
    if (Number.isSafeInteger(segment) && Number.isSafeInteger(offset)) {
      return { segment: segment as number, offset: offset as number };
    }
  } catch {
    // No cursor yet, or a damaged one: reading from the first segment is the safe side.
  }
  return undefined;
}

/**
 * Saves the read position (write and rename, so a crash leaves the old or the new one).
 * It is not fsynced: losing it only means records are sent again after a crash.
 */
export async function writeCursor(fs: SpoolFs, dir: string, position: SpoolPosition): Promise<void> {
  const path = join(dir, CURSOR_FILE);
  await fs.writeFile(`${path}.tmp`, JSON.stringify(position));
  await fs.rename(`${path}.tmp`, path);
}
