import { crc32 } from 'node:zlib';

/**
 * On-disk layout of one record: `[u32 body length][u32 crc32 of body][body]`, body being
 * `[f64 timestamp][i32 key length, -1 for null][key utf-8][value]`. The checksum lets
 * recovery tell a record cut short by a crash from a whole one.
 */
export const HEADER_BYTES = 8;
const BODY_FIXED_BYTES = 12;

/** A record as stored, before it gets its offset. */
export interface StoredRecord {
  key: string | null;
  value: Buffer;
  timestamp: number;
}

export function encodeRecord(record: StoredRecord): Buffer {
  const keyBytes = record.key === null ? 0 : Buffer.byteLength(record.key);
  const bodyLength = BODY_FIXED_BYTES + keyBytes + record.value.length;
  const out = Buffer.allocUnsafe(HEADER_BYTES + bodyLength);
  out.writeUInt32LE(bodyLength, 0);
  out.writeDoubleLE(record.timestamp, 8);
  out.writeInt32LE(record.key === null ? -1 : keyBytes, 16);
  if (record.key !== null) out.write(record.key, 20, 'utf8');
  record.value.copy(out, 20 + keyBytes);
  out.writeUInt32LE(crc32(out.subarray(HEADER_BYTES)), 4);
  return out;
}

/** Size of the record starting at `position`, or undefined when its header is incomplete. */
export function recordSizeAt(buffer: Buffer, position: number): number | undefined {
  if (position + HEADER_BYTES > buffer.length) return undefined;
  return HEADER_BYTES + buffer.readUInt32LE(position);
}

/**
 * The record at `position` when it is whole and its checksum matches; undefined for a
 * torn or corrupt one. The value shares `buffer`'s memory.
 */
export function decodeRecord(buffer: Buffer, position: number, verify: boolean): StoredRecord | undefined {
  const size = recordSizeAt(buffer, position);
  if (size === undefined || size < HEADER_BYTES + BODY_FIXED_BYTES || position + size > buffer.length)
    return undefined;
  const body = buffer.subarray(position + HEADER_BYTES, position + size);
  if (verify && crc32(body) !== buffer.readUInt32LE(position + 4)) return undefined;
  const keyLength = body.readInt32LE(8);
  if (keyLength > body.length - BODY_FIXED_BYTES) return undefined;
  const keyEnd = BODY_FIXED_BYTES + Math.max(keyLength, 0);
  return {
    timestamp: body.readDoubleLE(0),
    key: keyLength < 0 ? null : body.toString('utf8', BODY_FIXED_BYTES, keyEnd),
    value: body.subarray(keyEnd),
  };
}
