// The keyspace of one data group: every key with its value and optional expiry time.
//
// Keys are binary-safe latin1 strings. Keys are kept in one Map per hash slot, so SCAN can
// walk slot by slot with a cursor that survives concurrent changes (every key present for the
// whole scan is returned), and so a later slot migration can enumerate one slot's keys
// without scanning everything. Expiry times live in a separate Map, like Redis's `expires`
// dict, because most keys have none.
//
// The keyspace never reads a clock: callers pass `nowMs` (the log entry's stamp inside apply,
// the host's clock for reads). Logically expired keys are invisible to readers; only writers
// (inside apply, hence deterministically) remove them.

import assert from 'node:assert/strict';
import { keySlot, SLOT_COUNT } from './key-slot.js';
import { keyBytes, refreshEstimate, sampledEstimate, stringBytes } from './memory.js';
import type { MemoryEstimate } from './memory.js';

/** A string value is stored as a latin1 JS string; the other types are objects. */
export type Value = string | CollectionValue;

/** The non-string types; `typeof value === 'string'` tells strings apart cheaply. */
export interface CollectionValue {
  readonly type: 'list' | 'set' | 'zset' | 'hash' | 'stream';
  /** Elements held. A command that empties a collection deletes its key, as Redis does. */
  readonly size: number;
  /** A deep copy, for COPY. */
  clone(): CollectionValue;
  /** Average payload bytes of up to `limit` elements (their strings), for memory estimates. */
  sampleElementBytes(limit: number): number;
  /** What an element costs beyond its payload, if not a Map slot and a string header (memory.ts). */
  readonly elementOverheadBytes?: number;
  /** The last memory estimate of this value, kept by the keyspace (see memory.ts). */
  readonly memory: MemoryEstimate;
}

export type TypeName = 'string' | CollectionValue['type'];

export function typeOf(value: Value): TypeName {
  return typeof value === 'string' ? 'string' : value.type;
}

/** The bytes last accounted for a value: exact for strings, the cached estimate for collections. */
function bytesOf(value: Value): number {
  return typeof value === 'string' ? stringBytes(value) : value.memory.bytes;
}

/** Measures a value now, caching the estimate on collections; returns the new estimate. */
function measure(value: Value): number {
  return typeof value === 'string' ? stringBytes(value) : refreshEstimate(value);
}

export class Keyspace {
  private readonly slots: Array<Map<string, Value> | undefined> = new Array(SLOT_COUNT);
  private readonly expires = new Map<string, number>();
  private keyCount = 0;
  private usedBytesValue = 0;
  /** Streams deleted or replaced since the last take (their blocked group readers are released). */
  private removedStreams: string[] = [];

  get size(): number {
    return this.keyCount;
  }

  /** Estimated bytes held by keys and values (see memory.ts); what maxmemory is enforced on. */
  get usedBytes(): number {
    return this.usedBytesValue;
  }

  get volatileCount(): number {
    return this.expires.size;
  }

  /** The live value of `key` at `nowMs`, or undefined if absent or expired. Never mutates. */
  get(key: string, nowMs: number): Value | undefined {
    const value = this.slots[keySlot(key)]?.get(key);
    if (value === undefined) return undefined;
    if (this.isExpired(key, nowMs)) return undefined;
    return value;
  }

  /** Like get(), but first deletes the key if it has expired (only for use inside apply). */
  getForWrite(key: string, nowMs: number): Value | undefined {
    const slot = this.slots[keySlot(key)];
    const value = slot?.get(key);
    if (value === undefined) return undefined;
    if (this.isExpired(key, nowMs)) {
      this.delete(key);
      return undefined;
    }
    return value;
  }

  /** Stores `value`, clearing any expiry unless `keepTtl`. */
  set(key: string, value: Value, keepTtl = false): void {
    const slotIndex = keySlot(key);
    let slot = this.slots[slotIndex];
    if (slot === undefined) {
      slot = new Map();
      this.slots[slotIndex] = slot;
    }
    const previous = slot.get(key);
    if (previous === undefined) {
      this.keyCount++;
      this.usedBytesValue += keyBytes(key);
    } else {
      this.usedBytesValue -= bytesOf(previous);
      if (previous !== value) this.noteIfStream(key, previous);
    }
    slot.set(key, value);
    this.usedBytesValue += measure(value);
    if (!keepTtl) this.expires.delete(key);
  }

  delete(key: string): boolean {
    const slotIndex = keySlot(key);
    const slot = this.slots[slotIndex];
    const value = slot?.get(key);
    if (slot === undefined || value === undefined) return false;
    slot.delete(key);
    this.noteIfStream(key, value);
    this.keyCount--;
    this.usedBytesValue -= keyBytes(key) + bytesOf(value);
    this.expires.delete(key);
    if (slot.size === 0) this.slots[slotIndex] = undefined;
    return true;
  }

  /** The absolute expiry time of an existing key, or undefined if it has none. */
  expireAt(key: string): number | undefined {
    return this.expires.get(key);
  }

  setExpireAt(key: string, atMs: number): void {
    assert.ok(this.slots[keySlot(key)]?.has(key), 'expiry set on a missing key');
    assert.ok(Number.isInteger(atMs) && Math.abs(atMs) < 2 ** 63, 'expiry time must be an int64 of milliseconds');
    this.expires.set(key, atMs);
  }

  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  isExpired(key: string, nowMs: number): boolean {
    const at = this.expires.get(key);
    return at !== undefined && at <= nowMs;
  }

  clear(): void {
    for (const [key, value] of this.entries()) this.noteIfStream(key, value);
    this.slots.fill(undefined);
    this.expires.clear();
    this.keyCount = 0;
    this.usedBytesValue = 0;
  }

  private noteIfStream(key: string, value: Value): void {
    if (typeof value !== 'string' && value.type === 'stream') this.removedStreams.push(key);
  }

  /** The keys whose streams were deleted or replaced since the last call. */
  takeRemovedStreams(): readonly string[] {
    if (this.removedStreams.length === 0) return this.removedStreams;
    const keys = this.removedStreams;
    this.removedStreams = [];
    return keys;
  }

  /** What deleting `key` would free, by the same estimate as usedBytes (0 if absent). */
  approximateKeyBytes(key: string): number {
    const value = this.slots[keySlot(key)]?.get(key);
    return value === undefined ? 0 : keyBytes(key) + bytesOf(value);
  }

  /** Like approximateKeyBytes, with a collection estimated afresh from `samples` elements (0: all). */
  sampledKeyBytes(key: string, samples: number): number {
    const value = this.slots[keySlot(key)]?.get(key);
    if (value === undefined) return 0;
    return keyBytes(key) + (typeof value === 'string' ? stringBytes(value) : sampledEstimate(value, samples));
  }

  /** Re-estimates a collection after a command changed it in place. */
  refreshBytes(key: string): void {
    const value = this.slots[keySlot(key)]?.get(key);
    if (value === undefined || typeof value === 'string') return;
    const before = bytesOf(value);
    this.usedBytesValue += measure(value) - before;
  }

  /** Every stored key, expired or not, slot by slot. */
  *keys(): IterableIterator<string> {
    for (const slot of this.slots) {
      if (slot !== undefined) yield* slot.keys();
    }
  }

  /** Every stored key with its value and expiry, for snapshots. */
  *entries(): IterableIterator<[key: string, value: Value, expireAtMs: number | undefined]> {
    for (const slot of this.slots) {
      if (slot === undefined) continue;
      for (const [key, value] of slot) yield [key, value, this.expires.get(key)];
    }
  }

  /** Keys with an expiry time, in a stable order that tolerates deletion while iterating. */
  volatileKeys(): IterableIterator<[key: string, expireAtMs: number]> {
    return this.expires.entries();
  }

  /**
   * One SCAN step: visits whole slots from `cursor` until at least `count` keys were seen or
   * `maxEmptySlots` empty slots were skipped. Returns the next cursor (0 when done).
   */
  scan(cursor: number, count: number, visit: (key: string, value: Value) => void, maxEmptySlots = SLOT_COUNT): number {
    assert.ok(cursor >= 0 && cursor < SLOT_COUNT, 'scan cursor out of range');
    let seen = 0;
    let empty = 0;
    let slotIndex = cursor;
    while (slotIndex < SLOT_COUNT && seen < count && empty < maxEmptySlots) {
      const slot = this.slots[slotIndex++];
      if (slot === undefined) {
        empty++;
        continue;
      }
      for (const [key, value] of slot) visit(key, value);
      seen += slot.size;
    }
    return slotIndex >= SLOT_COUNT ? 0 : slotIndex;
  }

  /**
   * A key for eviction sampling: a random slot, then a random key of the next non-empty slot.
   * Cheaper than randomKey and good enough for sampling (Redis's sampling is not uniform either).
   */
  sampleKey(pick: () => number): string | undefined {
    if (this.keyCount === 0) return undefined;
    const start = Math.floor(pick() * SLOT_COUNT);
    for (let step = 0; step < SLOT_COUNT; step++) {
      const slot = this.slots[(start + step) % SLOT_COUNT];
      if (slot === undefined) continue;
      let position = Math.floor(pick() * slot.size);
      for (const key of slot.keys()) if (position-- === 0) return key;
    }
    assert.fail('key count out of step with the slots');
  }

  /** A key chosen by `pick` (a number in [0, 1)), or undefined when the keyspace is empty. */
  randomKey(pick: () => number): string | undefined {
    if (this.keyCount === 0) return undefined;
    // Choose by global position so every key is equally likely; bounded by the key count.
    let position = Math.floor(pick() * this.keyCount);
    for (const slot of this.slots) {
      if (slot === undefined) continue;
      if (position >= slot.size) {
        position -= slot.size;
        continue;
      }
      for (const key of slot.keys()) if (position-- === 0) return key;
    }
    assert.fail('key count out of step with the slots');
  }
}
