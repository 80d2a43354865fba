// The bytes of one write-ahead log record, framed as `[u32 payloadLength][u32 crc32c(payload)]
// [payload]`, little endian. The payload starts with a kind byte and the group id:
//
//   entry      u8 1  u32 group  f64 term  f64 index  data...
//   hardState  u8 2  u32 group  f64 term  f64 vote   f64 commit
//
// Terms, indexes and votes are stored as f64: every safe integer round-trips exactly.

import assert from 'node:assert/strict';
import { crc32c, crc32cRange } from './crc32c.js';

export type WalRecord =
  | { readonly kind: 'entry'; readonly group: number; readonly term: number; readonly index: number; readonly data: Uint8Array }
  | { readonly kind: 'hardState'; readonly group: number; readonly term: number; readonly vote: number; readonly commit: number };

export type HardStateRecord = Extract<WalRecord, { kind: 'hardState' }>;

export const FRAME_BYTES = 8;
const KIND_ENTRY = 1;
const KIND_HARD_STATE = 2;
const ENTRY_FIXED_BYTES = 1 + 4 + 8 + 8;
const HARD_STATE_BYTES = 1 + 4 + 8 + 8 + 8;

/**
 * The largest payload a record may have. Recovery treats a longer length as garbage, so append
 * refuses anything longer: a record the log accepted must never look corrupt when read back.
 * It is well above the largest command the protocol accepts (1 GiB of arguments) and is the
 * most one read call can return.
 */
export const MAX_RECORD_PAYLOAD_BYTES = 2 ** 31 - 1;
/** The largest `data` an entry record may carry. */
export const MAX_ENTRY_DATA_BYTES = MAX_RECORD_PAYLOAD_BYTES - ENTRY_FIXED_BYTES;

/** Bytes the record occupies in the file, frame included. */
export function walRecordBytes(record: WalRecord): number {
  return FRAME_BYTES + (record.kind === 'entry' ? ENTRY_FIXED_BYTES + record.data.length : HARD_STATE_BYTES);
}

// Checked with `if` before building a message: append runs once per command.
function assertWalNumber(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) assert.fail(`WAL record ${name} must be a non-negative safe integer, got ${value}`);
}

export function assertValidWalRecord(record: WalRecord): void {
  if (!Number.isInteger(record.group) || record.group < 0 || record.group > 0xffff_ffff) assert.fail(`WAL record group must be a u32, got ${record.group}`);
  assertWalNumber(record.term, 'term');
  if (record.kind === 'entry') {
    assertWalNumber(record.index, 'index');
    if (record.data.length > MAX_ENTRY_DATA_BYTES) assert.fail(`WAL entry data of ${record.data.length} bytes exceeds ${MAX_ENTRY_DATA_BYTES}`);
  } else {
    assertWalNumber(record.vote, 'vote');
    assertWalNumber(record.commit, 'commit');
  }
}

/**
 * Writes the frame and fixed fields of `record` at `offset` of `target`, followed by the entry's
 * data when `withData` (otherwise the caller writes the data right after, elsewhere). Returns
 * the bytes written to `target`.
 */
export function encodeWalRecordInto(target: Buffer, offset: number, record: WalRecord, withData: boolean): number {
  const fieldsAt = offset + FRAME_BYTES;
  let at = fieldsAt;
  let crc: number;
  let payloadBytes: number;
  if (record.kind === 'entry') {
    at = target.writeUInt8(KIND_ENTRY, at);
    at = target.writeUInt32LE(record.group, at);
    at = target.writeDoubleLE(record.term, at);
    at = target.writeDoubleLE(record.index, at);
    crc = crc32c(record.data, crc32cRange(target, fieldsAt, at));
    if (withData) {
      target.set(record.data, at);
      at += record.data.length;
    }
    payloadBytes = ENTRY_FIXED_BYTES + record.data.length;
  } else {
    at = target.writeUInt8(KIND_HARD_STATE, at);
    at = target.writeUInt32LE(record.group, at);
    at = target.writeDoubleLE(record.term, at);
    at = target.writeDoubleLE(record.vote, at);
    at = target.writeDoubleLE(record.commit, at);
    crc = crc32cRange(target, fieldsAt, at);
    payloadBytes = HARD_STATE_BYTES;
  }
  target.writeUInt32LE(payloadBytes, offset);
  target.writeUInt32LE(crc, offset + 4);
  return at - offset;
}

/** One record's complete bytes (frame, fields and data) in a fresh buffer. */
export function encodeWalRecord(record: WalRecord): Buffer {
  const bytes = Buffer.allocUnsafe(walRecordBytes(record));
  const written = encodeWalRecordInto(bytes, 0, record, true);
  assert.equal(written, bytes.length, 'encoded record size');
  return bytes;
}

/**
 * The record in a checksummed payload, or why it is not one. An entry's `data` is a view of
 * `payload`, not a copy.
 */
export function decodeWalPayload(payload: Buffer): WalRecord | { readonly invalid: string } {
  const kind = payload.length > 0 ? payload[0] : undefined;
  if (kind === KIND_ENTRY) {
    if (payload.length < ENTRY_FIXED_BYTES) return { invalid: `entry record of ${payload.length} bytes is shorter than its fixed fields` };
    return { kind: 'entry', group: payload.readUInt32LE(1), term: payload.readDoubleLE(5), index: payload.readDoubleLE(13), data: payload.subarray(ENTRY_FIXED_BYTES) };
  }
  if (kind === KIND_HARD_STATE) {
    if (payload.length !== HARD_STATE_BYTES) return { invalid: `hard state record of ${payload.length} bytes, expected ${HARD_STATE_BYTES}` };
    return { kind: 'hardState', group: payload.readUInt32LE(1), term: payload.readDoubleLE(5), vote: payload.readDoubleLE(13), commit: payload.readDoubleLE(21) };
  }
  return { invalid: `unknown record kind ${kind}` };
}
