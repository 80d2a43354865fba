// A stream: entries with strictly increasing IDs (ms-seq), each a list of field/value strings.
//
// Entries live in packed blocks of up to BLOCK_ENTRIES (stream-block.ts), appended at the tail;
// a deleted entry becomes a hole in its block and a block with no live entry left is dropped,
// as Redis's listpack nodes are. A lookup is a binary search over the blocks' first IDs, then inside one block:
// O(log n) range starts with O(1) appends. Approximate trimming (MAXLEN ~) drops whole blocks
// only, like Redis, so block boundaries follow Redis's default of 100 entries per node.
//
// ID parts are kept as doubles and limited to 2^53 - 1 (Redis allows 2^64 - 1): a documented
// difference that only explicit IDs beyond about 285,000 years of milliseconds can meet.

import assert from 'node:assert/strict';
import type { CollectionValue } from './keyspace.js';
import type { ConsumerGroup } from './consumer-group.js';
import { BLOCK_ENTRIES, StreamBlock } from './stream-block.js';
import { MemoryEstimate } from './memory.js';

export const STREAM_ID_PART_MAX = Number.MAX_SAFE_INTEGER;
export { BLOCK_ENTRIES };

export interface StreamId {
  readonly ms: number;
  readonly seq: number;
}

export const ZERO_ID: StreamId = { ms: 0, seq: 0 };
export const MAX_ID: StreamId = { ms: STREAM_ID_PART_MAX, seq: STREAM_ID_PART_MAX };

export function compareIds(a: StreamId, b: StreamId): number {
  return a.ms !== b.ms ? (a.ms < b.ms ? -1 : 1) : a.seq === b.seq ? 0 : a.seq < b.seq ? -1 : 1;
}

/** The first ID after `id`. */
export function idAfter(id: StreamId): StreamId {
  return id.seq === STREAM_ID_PART_MAX ? { ms: id.ms + 1, seq: 0 } : { ms: id.ms, seq: id.seq + 1 };
}

export function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

export type StreamEntry = readonly [id: StreamId, fields: readonly string[]];

/** A saved block: its IDs, and each entry's fields or null for a hole. */
export interface SavedBlock {
  readonly ids: readonly StreamId[];
  readonly fields: ReadonlyArray<readonly string[] | null>;
}

export class StreamValue implements CollectionValue {
  readonly type = 'stream';
  readonly memory = new MemoryEstimate();
  /** A packed entry's flags and ID deltas, and its share of its block's objects (stream-block.ts). */
  readonly elementOverheadBytes = 5;
  private blocks: StreamBlock[] = [];
  private liveEntries = 0;
  /** The greatest ID ever added (XADD must go above it, even after deletions). */
  lastId: StreamId = ZERO_ID;
  /** The greatest ID removed by XDEL. */
  maxDeletedId: StreamId = ZERO_ID;
  /** How many entries were ever added. */
  entriesAdded = 0;
  /** Consumer groups by name, in creation order. */
  readonly groups = new Map<string, ConsumerGroup>();
  /**
   * Shoal's peak shaving (XCONFIG MAXLEN-REJECT): XADD refuses entries beyond this many instead
   * of trimming old ones; 0 means no limit.
   */
  rejectAboveLength = 0;

  get size(): number {
    return this.liveEntries;
  }

  clone(): StreamValue {
    const copy = new StreamValue();
    for (const block of this.snapshotBlocks()) copy.restoreBlock(block.ids, block.fields);
    copy.lastId = this.lastId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    copy.rejectAboveLength = this.rejectAboveLength;
    for (const [name, group] of this.groups) copy.groups.set(name, group.clone());
    return copy;
  }

  sampleElementBytes(limit: number): number {
    let bytes = 0;
    let sampled = 0;
    for (const [, fields] of this.entries()) {
      if (sampled++ === limit) break;
      // Each string packed with a varint length (field names repeating the block's first entry's are not stored).
      for (const text of fields) bytes += text.length + 1;
    }
    return sampled === 0 ? 0 : bytes / Math.min(sampled, limit);
  }

  /** Appends an entry whose ID is above every ID the stream has had. */
  append(id: StreamId, fields: readonly string[]): void {
    assert.ok(compareIds(id, this.lastId) > 0, 'stream IDs only grow');
    assert.ok(fields.length > 0 && fields.length % 2 === 0, 'an entry has field/value pairs');
    let tail = this.blocks[this.blocks.length - 1];
    if (tail === undefined || tail.full) {
      tail = new StreamBlock();
      this.blocks.push(tail);
    }
    tail.push(id, fields);
    this.liveEntries++;
    this.entriesAdded++;
    this.lastId = id;
  }

  /** Deletes one entry; false if there was none with that ID. */
  delete(id: StreamId): boolean {
    const blockIndex = this.blockFor(id);
    const block = this.blocks[blockIndex];
    if (block === undefined) return false;
    const index = block.firstIndexFrom(id, false);
    if (index >= block.length || block.compare(index, id) !== 0 || !block.isLive(index)) return false;
    block.delete(index);
    this.liveEntries--;
    if (block.live === 0) this.blocks.splice(blockIndex, 1);
    if (compareIds(id, this.maxDeletedId) > 0) this.maxDeletedId = id;
    return true;
  }

  /**
   * Live entries with IDs in [start, end], at most `count` (negative: all), ascending or, when
   * `reverse`, descending from `end`.
   */
  range(start: StreamId, end: StreamId, count: number, reverse: boolean): StreamEntry[] {
    const result: StreamEntry[] = [];
    if (compareIds(start, end) > 0 || count === 0) return result;
    if (reverse) {
      let blockIndex = this.blockFor(end);
      if (blockIndex < 0) return result;
      let index = this.blocks[blockIndex].firstIndexFrom(end, true) - 1;
      for (; blockIndex >= 0; blockIndex--, index = blockIndex >= 0 ? this.blocks[blockIndex].length - 1 : 0) {
        const block = this.blocks[blockIndex];
        for (; index >= 0; index--) {
          if (block.compare(index, start) < 0) return result;
          if (!block.isLive(index)) continue;
          result.push([block.id(index), block.fields(index)]);
          if (result.length === count) return result;
        }
      }
      return result;
    }
    let blockIndex = Math.max(0, this.blockFor(start));
    let index = blockIndex < this.blocks.length ? this.blocks[blockIndex].firstIndexFrom(start, false) : 0;
    for (; blockIndex < this.blocks.length; blockIndex++, index = 0) {
      const block = this.blocks[blockIndex];
      for (; index < block.length; index++) {
        if (block.compare(index, end) > 0) return result;
        if (!block.isLive(index)) continue;
        result.push([block.id(index), block.fields(index)]);
        if (result.length === count) return result;
      }
    }
    return result;
  }

  /**
   * Whether an XDEL hole may lie at or after `start` among the live entries (Redis's
   * streamRangeHasTombstones): then a group's entries-read counter cannot be kept exactly.
   */
  hasTombstonesFrom(start: StreamId): boolean {
    const first = this.first();
    if (first === undefined || compareIds(this.maxDeletedId, ZERO_ID) === 0) return false;
    if (compareIds(first[0], this.maxDeletedId) > 0) return false;
    return compareIds(start, this.maxDeletedId) <= 0;
  }

  /** Redis's streamEstimateDistanceFromFirstEverEntry: the entries-read counter of `id`, if knowable. */
  entriesReadAt(id: StreamId): number | undefined {
    if (this.entriesAdded === 0) return 0;
    if (this.size === 0 && compareIds(id, this.lastId) <= 0) return this.entriesAdded;
    const versusLast = compareIds(id, this.lastId);
    if (versusLast === 0) return this.entriesAdded;
    if (versusLast > 0) return undefined;
    const first = this.first()?.[0] ?? ZERO_ID;
    const versusFirst = compareIds(id, first);
    if (compareIds(this.maxDeletedId, ZERO_ID) === 0 || compareIds(this.maxDeletedId, first) < 0) {
      if (versusFirst < 0) return this.entriesAdded - this.size;
      if (versusFirst === 0) return this.entriesAdded - this.size + 1;
    }
    return undefined;
  }

  /** The first and last live entries, for XINFO and `$`-style lookups. */
  first(): StreamEntry | undefined {
    return this.range(ZERO_ID, MAX_ID, 1, false)[0];
  }

  last(): StreamEntry | undefined {
    return this.range(ZERO_ID, MAX_ID, 1, true)[0];
  }

  /**
   * Removes the oldest entries until at most `maxLength` are left (MAXLEN) or none is below
   * `minId` (MINID). Approximate trimming removes whole blocks only, and at most `limit`
   * entries (negative: no limit). Returns how many entries went.
   */
  trim(rule: { readonly maxLength: number } | { readonly minId: StreamId }, approximate: boolean, limit: number): number {
    const mustGo = (id: StreamId, liveAfter: number): boolean =>
      'maxLength' in rule ? liveAfter >= rule.maxLength : compareIds(id, rule.minId) < 0;
    let removed = 0;
    while (this.blocks.length > 0) {
      const block = this.blocks[0];
      const wholeBlockGoes = 'maxLength' in rule ? this.liveEntries - block.live >= rule.maxLength : block.compare(block.length - 1, rule.minId) < 0;
      if (wholeBlockGoes) {
        if (limit >= 0 && removed + block.live > limit) break;
        this.blocks.shift();
        this.liveEntries -= block.live;
        removed += block.live;
        continue;
      }
      if (approximate) break;
      for (let i = 0; i < block.length; i++) {
        if (!block.isLive(i)) continue;
        if (!mustGo(block.id(i), this.liveEntries - 1)) break;
        block.delete(i);
        this.liveEntries--;
        removed++;
      }
      // Only holes may be left past the last live entry that went (MINID over deleted IDs).
      if (block.live === 0) {
        this.blocks.shift();
        continue;
      }
      break;
    }
    return removed;
  }

  /**
   * The blocks with their holes, for snapshots: approximate trimming depends on where blocks
   * begin, so a restored stream must have the same blocks as the one that was saved.
   */
  snapshotBlocks(): SavedBlock[] {
    return this.blocks.map((block) => {
      const ids: StreamId[] = [];
      const fields: Array<string[] | null> = [];
      for (let i = 0; i < block.length; i++) {
        ids.push(block.id(i));
        fields.push(block.isLive(i) ? block.fields(i) : null);
      }
      return { ids, fields };
    });
  }

  /** The number of blocks (XINFO STREAM's radix-tree-keys). */
  get blockCount(): number {
    return this.blocks.length;
  }

  /** Restores one saved block after the ones restored before it. */
  restoreBlock(ids: readonly StreamId[], fields: ReadonlyArray<readonly string[] | null>): void {
    assert.ok(ids.length === fields.length && ids.length > 0 && ids.length <= BLOCK_ENTRIES, 'a saved block is well formed');
    const previous = this.blocks[this.blocks.length - 1];
    assert.ok(previous === undefined || previous.compare(previous.length - 1, ids[0]) < 0, 'saved blocks are in ID order');
    const block = new StreamBlock();
    ids.forEach((id, i) => block.push(id, fields[i] ?? [], fields[i] !== null));
    assert.ok(block.live > 0, 'a saved block has a live entry');
    this.blocks.push(block);
    this.liveEntries += block.live;
  }

  *entries(): IterableIterator<StreamEntry> {
    for (const block of this.blocks) {
      for (let i = 0; i < block.length; i++) if (block.isLive(i)) yield [block.id(i), block.fields(i)];
    }
  }

  /** The index of the last block whose first ID is not above `id` (-1 if none). */
  private blockFor(id: StreamId): number {
    let low = 0;
    let high = this.blocks.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.blocks[mid].compare(0, id) <= 0) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found;
  }
}
