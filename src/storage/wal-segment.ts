// Segment files of the write-ahead log: `wal-<16-digit sequence>.log`, a header (magic
// "SHOALWAL", u32 version) followed by records. Creating one, and reading one back record by
// record with every frame verified.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { crc32c } from './crc32c.js';
import type { FileHandle, FileSystem } from './file-system.js';
import { fsyncDirectory } from './fsync-directory.js';
import { decodeWalPayload, FRAME_BYTES, MAX_RECORD_PAYLOAD_BYTES } from './wal-record.js';
import type { WalRecord } from './wal-record.js';

const MAGIC = Buffer.from('SHOALWAL', 'latin1');
const VERSION = 1;
export const SEGMENT_HEADER_BYTES = MAGIC.length + 4;
const NAME = /^wal-(\d{16})\.log$/;
/** Recovery reads the file in pieces of this size (a larger record gets a buffer of its own). */
const READ_AHEAD_BYTES = 1024 * 1024;
/** The most one read call returns (libuv's limit is 2 GiB - 1). */
const MAX_READ_BYTES = 1024 * 1024 * 1024;

export function segmentName(sequence: number): string {
  assert.ok(Number.isSafeInteger(sequence) && sequence > 0 && sequence < 1e16, `segment sequence ${sequence}`);
  return `wal-${String(sequence).padStart(16, '0')}.log`;
}

/** The sequence number of a segment file name, or undefined for any other file. */
export function segmentSequence(name: string): number | undefined {
  const match = NAME.exec(name);
  return match === null ? undefined : Number(match[1]);
}

export function segmentHeader(): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(VERSION, MAGIC.length);
  return header;
}

/** Creates segment `sequence` holding just its header, durably (file and directory entry). */
export async function createSegment(dir: string, sequence: number, fs: FileSystem): Promise<string> {
  const path = join(dir, segmentName(sequence));
  const handle = await fs.open(path, 'wx');
  try {
    await handle.write(segmentHeader(), 0, SEGMENT_HEADER_BYTES, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDirectory(dir, fs);
  return path;
}

export interface SegmentScan {
  readonly fileBytes: number;
  /** Bytes from the start of the file up to the end of the last valid record. */
  readonly validBytes: number;
  readonly records: number;
  /** Why the bytes at `validBytes` are not a valid record; absent when the whole file is valid. */
  readonly invalid?: string;
  /** Every byte after `validBytes` is zero: space written ahead of the records, no torn record. */
  readonly zeroTail?: boolean;
}

/**
 * Reads the segment at `path` from the start, calling `visit` for every valid record in order,
 * and stops at the end of the file or at the first record that is not valid. A header that is
 * missing or zero-filled (a crash while creating the file) counts as invalid at offset 0; a
 * header of some other file or version is an error, never data to truncate.
 */
export async function scanSegment(path: string, visit: (record: WalRecord) => void, fs: FileSystem): Promise<SegmentScan> {
  const handle = await fs.open(path, 'r');
  try {
    const fileBytes = (await handle.stat()).size;
    const reader = new SequentialReader(handle, fileBytes);
    const header = await reader.take(SEGMENT_HEADER_BYTES);
    if (header === undefined || header.every((byte) => byte === 0)) {
      return { fileBytes, validBytes: 0, records: 0, invalid: header === undefined ? 'short segment header' : 'zero-filled segment header' };
    }
    if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error(`${path} is not a write-ahead log segment (bad magic); refusing to start`);
    const version = header.readUInt32LE(MAGIC.length);
    if (version !== VERSION) throw new Error(`${path} is a write-ahead log segment of unsupported version ${version}; refusing to start`);
    let offset = SEGMENT_HEADER_BYTES;
    // Every record takes more than FRAME_BYTES, which bounds the loop.
    for (let records = 0; records <= fileBytes / FRAME_BYTES; records++) {
      if (offset === fileBytes) return { fileBytes, validBytes: offset, records };
      const invalid = await readRecord(reader, fileBytes - offset, visit);
      if (invalid !== undefined) return { fileBytes, validBytes: offset, records, invalid, zeroTail: await isZeroFrom(handle, offset, fileBytes) };
      offset = reader.position;
    }
    assert.fail(`scan of ${path} did not reach the end of the file`);
  } finally {
    await handle.close();
  }
}

/** Whether bytes [from, fileBytes) of the file are all zero. */
async function isZeroFrom(handle: FileHandle, from: number, fileBytes: number): Promise<boolean> {
  const buffer = Buffer.allocUnsafe(Math.min(READ_AHEAD_BYTES, fileBytes - from));
  for (let at = from; at < fileBytes;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, fileBytes - at), at);
    if (bytesRead === 0) return true; // the file shrank under us: nothing non-zero was seen
    for (let i = 0; i < bytesRead; i++) if (buffer[i] !== 0) return false;
    at += bytesRead;
  }
  return true;
}

/** Reads and visits the record at the reader's position; returns why it is invalid, if it is. */
async function readRecord(reader: SequentialReader, remainingBytes: number, visit: (record: WalRecord) => void): Promise<string | undefined> {
  const frame = await reader.take(FRAME_BYTES);
  if (frame === undefined) return `short record header (${remainingBytes} bytes left in the file)`;
  const payloadBytes = frame.readUInt32LE(0);
  if (payloadBytes === 0 || payloadBytes > MAX_RECORD_PAYLOAD_BYTES) return `implausible record length ${payloadBytes}`;
  if (payloadBytes > remainingBytes - FRAME_BYTES) return `record extends past the end of the file (length ${payloadBytes}, ${remainingBytes - FRAME_BYTES} bytes left)`;
  const payload = await reader.take(payloadBytes);
  if (payload === undefined) return 'the file ended while reading a record';
  if (crc32c(payload) !== frame.readUInt32LE(4)) return 'checksum mismatch';
  const record = decodeWalPayload(payload);
  if ('invalid' in record) return record.invalid;
  visit(record);
  return undefined;
}

/**
 * Reads a file front to back in large pieces, handing out views. A piece is never reused, so a
 * view handed out (an entry's data) stays valid for as long as the caller keeps it.
 */
class SequentialReader {
  private buffer: Buffer = Buffer.allocUnsafe(0);
  private at = 0;
  /** File offset of the byte after `buffer`. */
  private fileOffset = 0;

  constructor(private readonly handle: FileHandle, private readonly fileBytes: number) {}

  /** File offset of the next byte take() returns. */
  get position(): number {
    return this.fileOffset - (this.buffer.length - this.at);
  }

  /** The next `sizeBytes` bytes, or undefined when the file ends first. */
  async take(sizeBytes: number): Promise<Buffer | undefined> {
    if (this.buffer.length - this.at < sizeBytes && !(await this.fill(sizeBytes))) return undefined;
    const view = this.buffer.subarray(this.at, this.at + sizeBytes);
    this.at += sizeBytes;
    return view;
  }

  private async fill(sizeBytes: number): Promise<boolean> {
    const carried = this.buffer.length - this.at;
    const available = carried + (this.fileBytes - this.fileOffset);
    if (available < sizeBytes) return false;
    const next = Buffer.allocUnsafe(Math.min(available, Math.max(sizeBytes, READ_AHEAD_BYTES)));
    this.buffer.copy(next, 0, this.at);
    let filled = carried;
    for (let reads = 0; filled < next.length; reads++) {
      assert.ok(reads <= next.length, 'every read makes progress');
      const { bytesRead } = await this.handle.read(next, filled, Math.min(next.length - filled, MAX_READ_BYTES), this.fileOffset);
      if (bytesRead === 0) break; // the file shrank under us
      filled += bytesRead;
      this.fileOffset += bytesRead;
    }
    this.buffer = next.subarray(0, filled);
    this.at = 0;
    return filled >= sizeBytes;
  }
}
