// One block of a stream: up to BLOCK_ENTRIES entries packed back to back in one byte buffer,
// as Redis packs a listpack node. Small JS objects per entry (an ID object, an array and two
// strings) cost about 270 bytes for a one-field entry; a packed one-field entry with a short
// value costs about 7.
//
// Entry layout, all numbers varints:
//   flags      DELETED (XDEL or an exact trim removed it; its bytes stay until the block goes)
//              | SAME_FIELDS (its field names are the first entry's: only values are stored)
//   ID         nothing for the first entry (the block keeps it); else the ms part's distance
//              from the previous entry, then the seq part: its distance - 1 from the previous
//              seq when the ms parts are equal, the seq itself otherwise
//   fields     SAME_FIELDS: per value, length + latin1 bytes; else a count, then per string
//              length + latin1 bytes
//
// Finding entry i means decoding from the start, so a block asked for entries by position
// decodes its offsets and IDs once into `positions`. Only the blocks used last keep theirs
// (RECENT_POSITIONS of them): memory stays the packed bytes, and a range read, a lookup or a
// burst of appends touches a few blocks many times.

import assert from 'node:assert/strict';
import type { StreamId } from './stream-value.js';

/** Redis's stream-node-max-entries default. */
export const BLOCK_ENTRIES = 100;
const INITIAL_DATA_BYTES = 128;
const DELETED = 1;
const SAME_FIELDS = 2;
const RECENT_POSITIONS = 16;

/** Where each entry starts, one past the last entry, and every entry's ID. */
class Positions {
  readonly offsets = new Uint32Array(BLOCK_ENTRIES + 1);
  readonly ids = new Float64Array(2 * BLOCK_ENTRIES);
}

/** The blocks that hold decoded positions now, oldest first out. */
const recent: Array<StreamBlock | undefined> = new Array<StreamBlock | undefined>(RECENT_POSITIONS).fill(undefined);
let nextRecent = 0;

function varintBytes(value: number): number {
  let bytes = 1;
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) bytes++;
  return bytes;
}

export class StreamBlock {
  private data = Buffer.allocUnsafeSlow(INITIAL_DATA_BYTES);
  private bytes = 0;
  private count = 0;
  live = 0;
  private firstMs = 0;
  private firstSeq = 0;
  private lastMs = 0;
  private lastSeq = 0;
  /** The first entry's field names. */
  private firstFields: readonly string[] = [];
  private positions: Positions | undefined;
  /** Decoding state, kept between calls of the reader below. */
  private at = 0;

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === BLOCK_ENTRIES;
  }

  /** The bytes its entries take. */
  get packedBytes(): number {
    return this.bytes;
  }

  id(index: number): StreamId {
    const { ids } = this.positioned();
    return { ms: ids[2 * index], seq: ids[2 * index + 1] };
  }

  /** The order of entry `index`'s ID against `id`, without allocating. */
  compare(index: number, id: StreamId): number {
    let ms: number;
    let seq: number;
    if (index === 0) {
      ms = this.firstMs;
      seq = this.firstSeq;
    } else if (index === this.count - 1) {
      ms = this.lastMs;
      seq = this.lastSeq;
    } else {
      const { ids } = this.positioned();
      ms = ids[2 * index];
      seq = ids[2 * index + 1];
    }
    if (ms !== id.ms) return ms < id.ms ? -1 : 1;
    return seq === id.seq ? 0 : seq < id.seq ? -1 : 1;
  }

  isLive(index: number): boolean {
    return (this.data[this.positioned().offsets[index]] & DELETED) === 0;
  }

  /** The field/value strings of entry `index`. */
  fields(index: number): string[] {
    const { offsets } = this.positioned();
    this.at = offsets[index];
    const flags = this.read();
    if (index > 0) this.skipId();
    const result: string[] = [];
    if ((flags & SAME_FIELDS) !== 0) {
      for (const name of this.firstFields) result.push(name, this.readText());
    } else {
      for (let n = this.read(); n > 0; n--) result.push(this.readText());
    }
    assert.equal(this.at, offsets[index + 1], 'an entry decodes to its own bytes');
    return result;
  }

  push(id: StreamId, fields: readonly string[], live = true): void {
    assert.ok(this.count < BLOCK_ENTRIES, 'a block holds BLOCK_ENTRIES entries at most');
    assert.ok(this.count === 0 || this.compare(this.count - 1, id) < 0, 'IDs grow within a block');
    const first = this.count === 0;
    const sameFields = !first && this.hasFirstFieldNames(fields);
    const msDistance = id.ms - this.lastMs;
    const seqPart = msDistance === 0 ? id.seq - this.lastSeq - 1 : id.seq;
    let need = 1;
    if (!first) need += varintBytes(msDistance) + varintBytes(seqPart);
    if (!sameFields) need += varintBytes(fields.length);
    for (let i = sameFields ? 1 : 0; i < fields.length; i += sameFields ? 2 : 1) need += varintBytes(fields[i].length) + fields[i].length;
    this.reserve(this.bytes + need);
    const start = this.bytes;
    this.at = start;
    this.write((live ? 0 : DELETED) | (sameFields ? SAME_FIELDS : 0));
    if (!first) {
      this.write(msDistance);
      this.write(seqPart);
    }
    if (!sameFields) this.write(fields.length);
    for (let i = sameFields ? 1 : 0; i < fields.length; i += sameFields ? 2 : 1) {
      this.write(fields[i].length);
      this.at += this.data.write(fields[i], this.at, 'latin1');
    }
    assert.equal(this.at, start + need, 'an entry encodes to the bytes reserved for it');
    this.bytes = this.at;
    if (first) {
      this.firstMs = id.ms;
      this.firstSeq = id.seq;
      this.firstFields = fields.filter((_, i) => i % 2 === 0);
    }
    this.lastMs = id.ms;
    this.lastSeq = id.seq;
    if (this.positions !== undefined) {
      this.positions.ids[2 * this.count] = id.ms;
      this.positions.ids[2 * this.count + 1] = id.seq;
      this.positions.offsets[this.count + 1] = this.bytes;
    }
    this.count++;
    if (live) this.live++;
    // A full block never grows again: give back the unused capacity. Not through Buffer.from:
    // its copy would be a slice of Node's shared 8 KiB pool, and a block lives long enough to
    // keep the whole pool (every short-lived buffer cut from it too) alive.
    if (this.full && this.data.length > this.bytes) this.resize(this.bytes);
  }

  delete(index: number): void {
    assert.ok(this.isLive(index), 'only a live entry is deleted');
    this.data[this.positioned().offsets[index]] |= DELETED;
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

  private hasFirstFieldNames(fields: readonly string[]): boolean {
    if (fields.length !== 2 * this.firstFields.length) return false;
    for (let i = 0; i < this.firstFields.length; i++) if (fields[2 * i] !== this.firstFields[i]) return false;
    return true;
  }

  /** This block's decoded positions, decoding them (and dropping the oldest block's) if needed. */
  private positioned(): Positions {
    if (this.positions !== undefined) return this.positions;
    // The oldest block's positions are reused: decoding allocates nothing.
    const positions = recent[nextRecent]?.takePositions() ?? new Positions();
    this.at = 0;
    let ms = this.firstMs;
    let seq = this.firstSeq;
    for (let index = 0; index < this.count; index++) {
      positions.offsets[index] = this.at;
      const flags = this.read();
      if (index > 0) {
        const msDistance = this.read();
        const seqPart = this.read();
        seq = msDistance === 0 ? seq + seqPart + 1 : seqPart;
        ms += msDistance;
      }
      positions.ids[2 * index] = ms;
      positions.ids[2 * index + 1] = seq;
      const strings = (flags & SAME_FIELDS) !== 0 ? this.firstFields.length : this.read();
      for (let n = 0; n < strings; n++) {
        const length = this.read();
        this.at += length;
      }
    }
    positions.offsets[this.count] = this.at;
    assert.equal(this.at, this.bytes, 'a block decodes to its own bytes');
    recent[nextRecent] = this;
    nextRecent = (nextRecent + 1) % RECENT_POSITIONS;
    this.positions = positions;
    return positions;
  }

  private takePositions(): Positions | undefined {
    const { positions } = this;
    this.positions = undefined;
    return positions;
  }

  private read(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.data[this.at++];
      if (byte === undefined) assert.fail('a varint runs past the end of its block');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  private readText(): string {
    const length = this.read();
    const text = this.data.toString('latin1', this.at, this.at + length);
    this.at += length;
    return text;
  }

  private skipId(): void {
    this.read();
    this.read();
  }

  private write(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.data[this.at++] = (rest % 128) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.data[this.at++] = rest;
  }

  private reserve(bytes: number): void {
    if (bytes > this.data.length) this.resize(Math.max(bytes, 2 * this.data.length));
  }

  /** Moves the entries into a buffer of exactly `capacity` bytes, its own (not a pool slice). */
  private resize(capacity: number): void {
    const resized = Buffer.allocUnsafeSlow(capacity);
    this.data.copy(resized, 0, 0, this.bytes);
    this.data = resized;
  }
}
