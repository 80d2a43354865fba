// The snapshot format of a keyspace: a header, then one record per key. Records are packed
// into chunks of about CHUNK_SIZE_BYTES so a large keyspace never needs one giant buffer.
//
//   header:  "SHOALKS1" u32 keyCount
//   record:  u8 type  u32 keyLength key  f64 expireAtMs (NaN = none)  value
//   string value: u32 length bytes

import assert from 'node:assert/strict';
import { Keyspace } from './keyspace.js';

const MAGIC = 'SHOALKS1';
const CHUNK_SIZE_BYTES = 1024 * 1024;
const TYPE_STRING = 0;

class ChunkWriter {
  readonly chunks: Buffer[] = [];
  private buffer = Buffer.allocUnsafe(CHUNK_SIZE_BYTES);
  private offset = 0;

  private reserve(sizeBytes: number): void {
    if (this.offset + sizeBytes <= this.buffer.length) return;
    this.finish();
    this.buffer = Buffer.allocUnsafe(Math.max(CHUNK_SIZE_BYTES, sizeBytes));
  }

  u8(value: number): void {
    this.reserve(1);
    this.offset = this.buffer.writeUInt8(value, this.offset);
  }

  u32(value: number): void {
    this.reserve(4);
    this.offset = this.buffer.writeUInt32LE(value, this.offset);
  }

  f64(value: number): void {
    this.reserve(8);
    this.offset = this.buffer.writeDoubleLE(value, this.offset);
  }

  latin1(text: string): void {
    this.u32(text.length);
    this.reserve(text.length);
    this.offset += this.buffer.write(text, this.offset, 'latin1');
  }

  finish(): void {
    if (this.offset > 0) this.chunks.push(this.buffer.subarray(0, this.offset));
    this.buffer = Buffer.allocUnsafe(CHUNK_SIZE_BYTES);
    this.offset = 0;
  }
}

export function encodeKeyspace(keyspace: Keyspace): Buffer[] {
  const writer = new ChunkWriter();
  for (const char of MAGIC) writer.u8(char.charCodeAt(0));
  writer.u32(keyspace.size);
  let written = 0;
  for (const [key, value, expireAtMs] of keyspace.entries()) {
    assert.equal(typeof value, 'string', 'only strings are snapshotted so far');
    writer.u8(TYPE_STRING);
    writer.latin1(key);
    writer.f64(expireAtMs ?? Number.NaN);
    writer.latin1(value as string);
    written++;
  }
  assert.equal(written, keyspace.size, 'snapshot key count');
  writer.finish();
  return writer.chunks;
}

export function decodeKeyspace(data: Buffer): Keyspace {
  const keyspace = new Keyspace();
  if (data.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error('keyspace snapshot: bad magic');
  let offset = MAGIC.length;
  const keyCount = data.readUInt32LE(offset);
  offset += 4;
  const readLatin1 = (): string => {
    const length = data.readUInt32LE(offset);
    offset += 4;
    if (offset + length > data.length) throw new Error('keyspace snapshot: truncated');
    const text = data.toString('latin1', offset, offset + length);
    offset += length;
    return text;
  };
  for (let i = 0; i < keyCount; i++) {
    const type = data.readUInt8(offset++);
    if (type !== TYPE_STRING) throw new Error(`keyspace snapshot: unknown type ${type}`);
    const key = readLatin1();
    const expireAtMs = data.readDoubleLE(offset);
    offset += 8;
    keyspace.set(key, readLatin1());
    if (!Number.isNaN(expireAtMs)) keyspace.setExpireAt(key, expireAtMs);
  }
  if (offset !== data.length) throw new Error('keyspace snapshot: trailing bytes');
  return keyspace;
}
