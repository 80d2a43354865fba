// One block of a stream: up to BLOCK_ENTRIES entries packed into typed arrays and one byte
// buffer, as Redis packs a listpack node. Small JS objects per entry (an ID object, an array
// and two strings) cost about 270 bytes for a one-field entry; packed, an entry costs its
// 16 bytes of ID, a 4-byte offset and its field bytes with varint lengths.
//
//   ids:     Float64Array [ms0, seq0, ms1, seq1, ...]
//   offsets: where each entry's bytes start in `data` (entry i ends where i + 1 starts)
//   data:    per entry: varint count, then count × (varint length, latin1 bytes)
//   deleted: 1 where XDEL or an exact trim removed the entry (its bytes stay until the block goes)

import assert from 'node:assert/strict';
import type { StreamId } from './stream-value.js';

/** Redis's stream-node-max-entries default. */
export const BLOCK_ENTRIES = 100;
const INITIAL_DATA_BYTES = 256;

function varintBytes(value: number): number {
  let bytes = 1;
  for (let rest = value >>> 7; rest > 0; rest >>>= 7) bytes++;
  return bytes;
}

/** ids, offsets and deleted share one allocation (one malloc per block, not three). */
const IDS_BYTES = 2 * BLOCK_ENTRIES * 8;
const OFFSETS_BYTES = (BLOCK_ENTRIES + 1) * 4;

export class StreamBlock {
  private readonly memory = new ArrayBuffer(IDS_BYTES + OFFSETS_BYTES + BLOCK_ENTRIES);
  private readonly ids = new Float64Array(this.memory, 0, 2 * BLOCK_ENTRIES);
  private readonly offsets = new Uint32Array(this.memory, IDS_BYTES, BLOCK_ENTRIES + 1);
  private readonly deleted = new Uint8Array(this.memory, IDS_BYTES + OFFSETS_BYTES, BLOCK_ENTRIES);
  private data = Buffer.allocUnsafeSlow(INITIAL_DATA_BYTES);
  private count = 0;
  live = 0;

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === BLOCK_ENTRIES;
  }

  id(index: number): StreamId {
    return { ms: this.ids[2 * index], seq: this.ids[2 * index + 1] };
  }

  /** The order of entry `index`'s ID against `id`, without allocating. */
  compare(index: number, id: StreamId): number {
    const ms = this.ids[2 * index];
    if (ms !== id.ms) return ms < id.ms ? -1 : 1;
    const seq = this.ids[2 * index + 1];
    return seq === id.seq ? 0 : seq < id.seq ? -1 : 1;
  }

  isLive(index: number): boolean {
    return this.deleted[index] === 0;
  }

  /** The field/value strings of entry `index`. */
  fields(index: number): string[] {
    const end = this.offsets[index + 1];
    let at = this.offsets[index];
    const read = (): number => {
      let value = 0;
      let shift = 0;
      for (;;) {
        const byte = this.data[at++];
        value += (byte & 0x7f) * 2 ** shift;
        if (byte < 0x80) return value;
        shift += 7;
      }
    };
    const result: string[] = [];
    for (let n = read(); n > 0; n--) {
      const length = read();
      result.push(this.data.toString('latin1', at, at + length));
      at += length;
    }
    assert.equal(at, end, 'an entry decodes to its own bytes');
    return result;
  }

  push(id: StreamId, fields: readonly string[], live = true): void {
    assert.ok(this.count < BLOCK_ENTRIES, 'a block holds BLOCK_ENTRIES entries at most');
    let need = varintBytes(fields.length);
    for (const text of fields) need += varintBytes(text.length) + text.length;
    let at = this.offsets[this.count];
    this.reserve(at + need);
    const write = (value: number): void => {
      let rest = value;
      while (rest >= 0x80) {
        this.data[at++] = (rest & 0x7f) | 0x80;
        rest = Math.floor(rest / 128);
      }
      this.data[at++] = rest;
    };
    write(fields.length);
    for (const text of fields) {
      write(text.length);
      at += this.data.write(text, at, 'latin1');
    }
    this.ids[2 * this.count] = id.ms;
    this.ids[2 * this.count + 1] = id.seq;
    this.deleted[this.count] = live ? 0 : 1;
    this.count++;
    this.offsets[this.count] = at;
    if (live) this.live++;
    // A full block never grows again: give back the unused capacity.
    if (this.full && this.data.length > at) this.data = Buffer.from(this.data.subarray(0, at));
  }

  delete(index: number): void {
    assert.ok(this.isLive(index), 'only a live entry is deleted');
    this.deleted[index] = 1;
    this.live--;
  }

  /** The first index whose ID is not below `id` (or, when `strictly`, above it). */
  firstIndexFrom(id: StreamId, strictly: boolean): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >> 1;
      const order = this.compare(mid, id);
      if (order < 0 || (strictly && order === 0)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private reserve(bytes: number): void {
    if (bytes <= this.data.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * this.data.length));
    this.data.copy(grown, 0, 0, this.offsets[this.count]);
    this.data = grown;
  }
}
