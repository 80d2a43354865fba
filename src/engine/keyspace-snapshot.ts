// The snapshot format of a keyspace: a header, then one record per key. Records are packed
// into chunks of about CHUNK_SIZE_BYTES so a large keyspace never needs one giant buffer.
//
//   header:  "SHOALKS1" u32 keyCount
//   record:  u8 type  str key  f64 expireAtMs (NaN = none)  value
//   str:     u32 length, latin1 bytes
//   values:  string: str | hash: u32 n (str field, str value)* | set, list: u32 n str*
//            zset: u32 n (str member, f64 score)*
//            stream: f64 lastMs f64 lastSeq f64 maxDeletedMs f64 maxDeletedSeq f64 entriesAdded f64 rejectAboveLength
//                    u32 blocks (u32 n (f64 ms, f64 seq, u32 strings (0 = deleted), str*)*)*
//                    u32 groups (str name, f64 lastMs, f64 lastSeq, f64 entriesRead (NaN = unknown),
//                      u32 consumers (str name, f64 seenAtMs, f64 activeAtMs)*,
//                      u32 pending (f64 ms, f64 seq, str consumer, f64 deliveredAtMs, f64 deliveries)*)*

import assert from 'node:assert/strict';
import { Keyspace } from './keyspace.js';
import type { Value } from './keyspace.js';
import { HashValue } from './hash-value.js';
import { ListValue } from './list-value.js';
import { SetValue } from './set-value.js';
import { SortedSetValue } from './sorted-set.js';
import { StreamValue } from './stream-value.js';
import type { StreamId } from './stream-value.js';
import { ConsumerGroup } from './consumer-group.js';

const MAGIC = 'SHOALKS1';
const CHUNK_SIZE_BYTES = 1024 * 1024;
const TYPE_CODES = { string: 0, hash: 1, set: 2, list: 3, zset: 4, stream: 5 } as const;

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

  str(text: string): void {
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

class Reader {
  private offset = 0;

  constructor(private readonly data: Buffer) {}

  get atEnd(): boolean {
    return this.offset === this.data.length;
  }

  u8(): number {
    return this.data.readUInt8(this.offset++);
  }

  u32(): number {
    const value = this.data.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  f64(): number {
    const value = this.data.readDoubleLE(this.offset);
    this.offset += 8;
    return value;
  }

  str(): string {
    const length = this.u32();
    if (this.offset + length > this.data.length) throw new Error('keyspace snapshot: truncated');
    const text = this.data.toString('latin1', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }
}

function typeCode(value: Value): number {
  const code = typeof value === 'string' ? TYPE_CODES.string : (TYPE_CODES as Record<string, number>)[value.type];
  if (code === undefined) throw new Error(`keyspace snapshot: no encoding for ${typeof value === 'string' ? 'string' : value.type} yet`);
  return code;
}

function encodeBody(writer: ChunkWriter, value: Value): void {
  if (typeof value === 'string') return writer.str(value);
  if (value instanceof HashValue) {
    writer.u32(value.fields.size);
    for (const [field, fieldValue] of value.fields) {
      writer.str(field);
      writer.str(fieldValue);
    }
    return;
  }
  if (value instanceof SortedSetValue) {
    writer.u32(value.size);
    for (const [member, score] of value.entries()) {
      writer.str(member);
      writer.f64(score);
    }
    return;
  }
  if (value instanceof StreamValue) return encodeStream(writer, value);
  const items = value instanceof SetValue ? value.members : value instanceof ListValue ? [...value.values()] : undefined;
  assert.ok(items !== undefined, `no body encoding for ${value.type}`);
  writer.u32(value.size);
  for (const item of items) writer.str(item);
}

function decodeValue(reader: Reader, type: number): Value {
  switch (type) {
    case TYPE_CODES.string:
      return reader.str();
    case TYPE_CODES.hash: {
      const hash = new HashValue();
      for (let i = reader.u32(); i > 0; i--) hash.fields.set(reader.str(), reader.str());
      return hash;
    }
    case TYPE_CODES.zset: {
      const zset = new SortedSetValue();
      for (let i = reader.u32(); i > 0; i--) zset.add(reader.str(), reader.f64());
      return zset;
    }
    case TYPE_CODES.stream:
      return decodeStream(reader);
    case TYPE_CODES.set:
    case TYPE_CODES.list: {
      const items: string[] = [];
      for (let i = reader.u32(); i > 0; i--) items.push(reader.str());
      return type === TYPE_CODES.set ? new SetValue(items) : new ListValue(items);
    }
    default:
      throw new Error(`keyspace snapshot: unknown type ${type}`);
  }
}

function encodeStream(writer: ChunkWriter, stream: StreamValue): void {
  for (const part of [stream.lastId.ms, stream.lastId.seq, stream.maxDeletedId.ms, stream.maxDeletedId.seq, stream.entriesAdded, stream.rejectAboveLength]) writer.f64(part);
  const blocks = stream.snapshotBlocks();
  writer.u32(blocks.length);
  for (const block of blocks) {
    writer.u32(block.ids.length);
    block.ids.forEach((id, i) => {
      writer.f64(id.ms);
      writer.f64(id.seq);
      const fields = block.fields[i] ?? [];
      writer.u32(fields.length);
      for (const text of fields) writer.str(text);
    });
  }
  writer.u32(stream.groups.size);
  for (const [name, group] of stream.groups) {
    writer.str(name);
    writer.f64(group.lastDeliveredId.ms);
    writer.f64(group.lastDeliveredId.seq);
    writer.f64(group.entriesRead ?? Number.NaN);
    writer.u32(group.consumers.size);
    for (const consumer of group.consumers.values()) {
      writer.str(consumer.name);
      writer.f64(consumer.seenAtMs);
      writer.f64(consumer.activeAtMs);
    }
    const pending = group.allPending();
    writer.u32(pending.length);
    for (const entry of pending) {
      writer.f64(entry.id.ms);
      writer.f64(entry.id.seq);
      writer.str(entry.consumer);
      writer.f64(entry.deliveredAtMs);
      writer.f64(entry.deliveries);
    }
  }
}

function decodeGroup(reader: Reader): ConsumerGroup {
  const lastDeliveredId = { ms: reader.f64(), seq: reader.f64() };
  const entriesRead = reader.f64();
  const group = new ConsumerGroup(lastDeliveredId, Number.isNaN(entriesRead) ? undefined : entriesRead);
  for (let n = reader.u32(); n > 0; n--) {
    const name = reader.str();
    group.consumers.set(name, { name, seenAtMs: reader.f64(), activeAtMs: reader.f64(), pending: new Set() });
  }
  for (let n = reader.u32(); n > 0; n--) {
    const id = { ms: reader.f64(), seq: reader.f64() };
    group.restorePending({ id, consumer: reader.str(), deliveredAtMs: reader.f64(), deliveries: reader.f64() });
  }
  return group;
}

function decodeStream(reader: Reader): StreamValue {
  const stream = new StreamValue();
  const lastId = { ms: reader.f64(), seq: reader.f64() };
  const maxDeletedId = { ms: reader.f64(), seq: reader.f64() };
  const entriesAdded = reader.f64();
  const rejectAboveLength = reader.f64();
  for (let b = reader.u32(); b > 0; b--) {
    const ids: StreamId[] = [];
    const fields: Array<string[] | null> = [];
    for (let n = reader.u32(); n > 0; n--) {
      ids.push({ ms: reader.f64(), seq: reader.f64() });
      const count = reader.u32();
      const entry: string[] = [];
      for (let i = 0; i < count; i++) entry.push(reader.str());
      fields.push(count === 0 ? null : entry);
    }
    stream.restoreBlock(ids, fields);
  }
  for (let g = reader.u32(); g > 0; g--) {
    const name = reader.str();
    stream.groups.set(name, decodeGroup(reader));
  }
  stream.lastId = lastId;
  stream.maxDeletedId = maxDeletedId;
  stream.entriesAdded = entriesAdded;
  stream.rejectAboveLength = rejectAboveLength;
  return stream;
}

export function encodeKeyspace(keyspace: Keyspace): Buffer[] {
  const writer = new ChunkWriter();
  for (const char of MAGIC) writer.u8(char.charCodeAt(0));
  writer.u32(keyspace.size);
  let written = 0;
  for (const [key, value, expireAtMs] of keyspace.entries()) {
    writer.u8(typeCode(value));
    writer.str(key);
    writer.f64(expireAtMs ?? Number.NaN);
    encodeBody(writer, value);
    written++;
  }
  assert.equal(written, keyspace.size, 'snapshot key count');
  writer.finish();
  return writer.chunks;
}

export function decodeKeyspace(data: Buffer): Keyspace {
  const keyspace = new Keyspace();
  if (data.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error('keyspace snapshot: bad magic');
  const reader = new Reader(data.subarray(MAGIC.length));
  const keyCount = reader.u32();
  for (let i = 0; i < keyCount; i++) {
    const type = reader.u8();
    const key = reader.str();
    const expireAtMs = reader.f64();
    keyspace.set(key, decodeValue(reader, type));
    if (!Number.isNaN(expireAtMs)) keyspace.setExpireAt(key, expireAtMs);
  }
  if (!reader.atEnd) throw new Error('keyspace snapshot: trailing bytes');
  return keyspace;
}
