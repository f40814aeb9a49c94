import { crc32 } from 'node:zlib';
import type { BusRecord } from '@vigie/common';

/**
 * Layout of one spool record: `u32 body length | u32 CRC-32 of the body | body`, the body
 * being `f64 timestamp | i32 key length (-1: no key) | key | value`. The length and the
 * checksum together tell a complete record from one cut short by a crash or a full disk.
 */
const HEADER_BYTES = 8;
const BODY_FIXED_BYTES = 12;

/** Largest body a reader accepts; a longer length can only come from a damaged header. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Bytes that `encodeRecords` writes for one record. */
export function encodedSize(record: BusRecord): number {
  return HEADER_BYTES + BODY_FIXED_BYTES + Buffer.byteLength(record.key ?? '') + record.value.length;
}

/** Records as one buffer of consecutive spool records, ready for a single write. */
export function encodeRecords(records: BusRecord[]): Buffer {
  const out = Buffer.allocUnsafe(records.reduce((sum, r) => sum + encodedSize(r), 0));
  let at = 0;
  for (const record of records) {
    const key = record.key === null ? null : Buffer.from(record.key);
    const bodyLength = BODY_FIXED_BYTES + (key?.length ?? 0) + record.value.length;
    const body = at + HEADER_BYTES;
    out.writeDoubleBE(record.timestamp ?? Date.now(), body);
    out.writeInt32BE(key === null ? -1 : key.length, body + 8);
    key?.copy(out, body + BODY_FIXED_BYTES);
    record.value.copy(out, body + BODY_FIXED_BYTES + (key?.length ?? 0));
    out.writeUInt32BE(bodyLength, at);
    out.writeUInt32BE(crc32(out.subarray(body, body + bodyLength)), at + 4);
    at = body + bodyLength;
  }
  return out;
}

/** What `decodeRecords` found in a buffer. */
export interface DecodeResult {
  records: BusRecord[];
  /** Bytes of the buffer taken by the complete, valid records. */
  consumed: number;
  /**
   * Why decoding stopped before the end of the buffer: `incomplete` (the next record
   * continues past the buffer, or was cut short) or `corrupt` (a length or checksum
   * that cannot be right).
   */
  stop?: 'incomplete' | 'corrupt';
  /** Body size of the incomplete record, when its header could be read. */
  nextBodyBytes?: number;
}

/** Decodes the complete records at the start of `buffer`, up to `maxRecords`. */
export function decodeRecords(buffer: Buffer, maxRecords = Number.POSITIVE_INFINITY): DecodeResult {
  const records: BusRecord[] = [];
  let at = 0;
  while (at < buffer.length && records.length < maxRecords) {
    if (buffer.length - at < HEADER_BYTES) return { records, consumed: at, stop: 'incomplete' };
    const bodyLength = buffer.readUInt32BE(at);
    if (bodyLength < BODY_FIXED_BYTES || bodyLength > MAX_RECORD_BYTES) {
      return { records, consumed: at, stop: 'corrupt' };
    }
    const body = at + HEADER_BYTES;
    if (buffer.length - body < bodyLength) {
      return { records, consumed: at, stop: 'incomplete', nextBodyBytes: bodyLength };
    }
    const bytes = buffer.subarray(body, body + bodyLength);
    if (crc32(bytes) !== buffer.readUInt32BE(at + 4)) return { records, consumed: at, stop: 'corrupt' };
    const keyLength = bytes.readInt32BE(8);
    if (keyLength > bodyLength - BODY_FIXED_BYTES) return { records, consumed: at, stop: 'corrupt' };
    const valueStart = BODY_FIXED_BYTES + Math.max(keyLength, 0);
    records.push({
      timestamp: bytes.readDoubleBE(0),
      key: keyLength < 0 ? null : bytes.toString('utf8', BODY_FIXED_BYTES, valueStart),
      // A copy, so that the records do not pin the whole read buffer.
      value: Buffer.from(bytes.subarray(valueStart)),
    });
    at = body + bodyLength;
  }
  return { records, consumed: at };
}
