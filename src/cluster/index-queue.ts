// Values waiting under increasing numbers — a group's proposals under their log index, its
// forwarded writes and reads under their request id — kept in order in a ring of slots that
// only ever grows.
//
// Not a Map: a Map filled and emptied on every Ready is rehashed again and again, and its
// discarded hash tables (V8 links each to its successor, as far as the GC traces show) kept the
// waiters alive through scavenges, and with them the whole request (arguments, closures,
// reply), until a full collection. Measured on SET at pipeline 10: 190 MB promoted to the old
// generation per 300,000 writes and 6 full collections; with this queue 23 MB and 2, and
// 168k -> 208k writes/s.

import assert from 'node:assert/strict';

const INITIAL_CAPACITY = 64;

export class IndexQueue<T> {
  private indexes = new Float64Array(INITIAL_CAPACITY);
  private items: Array<T | undefined> = new Array<T | undefined>(INITIAL_CAPACITY).fill(undefined);
  /** Ring position of the first slot in use. */
  private head = 0;
  /** Slots in use, from head on: live values and, between them, removed ones. */
  private used = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  get(index: number): T | undefined {
    const at = this.find(index);
    return at === undefined ? undefined : this.items[at];
  }

  /** Stores `value` at `index`, replacing what was there. In index order this costs O(1). */
  set(index: number, value: T): void {
    assert.ok(value !== undefined, 'an index queue holds values, not undefined');
    if (this.used === 0 || index > this.indexes[this.slot(this.used - 1)]) {
      if (this.used === this.indexes.length) this.grow();
      const at = this.slot(this.used++);
      this.indexes[at] = index;
      this.items[at] = value;
      this.live++;
      return;
    }
    const at = this.find(index);
    if (at !== undefined) {
      if (this.items[at] === undefined) this.live++;
      this.items[at] = value;
      return;
    }
    // Out of order (a proposal answered after a later one): rare, so rebuilt in order.
    const entries = this.removeEntries(() => true);
    entries.push([index, value]);
    entries.sort((a, b) => a[0] - b[0]);
    for (const [i, v] of entries) this.set(i, v);
  }

  /** Removes and returns the value at `index`. */
  take(index: number): T | undefined {
    const at = this.find(index);
    if (at === undefined) return undefined;
    const value = this.items[at];
    if (value === undefined) return undefined;
    this.items[at] = undefined;
    this.live--;
    this.trim();
    return value;
  }

  /** Removes every value `predicate` accepts; returns them in index order. */
  removeIf(predicate: (value: T, index: number) => boolean): T[] {
    return this.removeEntries(predicate).map(([, value]) => value);
  }

  /** The values in index order; the queue must not change during the iteration. */
  *values(): IterableIterator<T> {
    for (let i = 0; i < this.used; i++) {
      const value = this.items[this.slot(i)];
      if (value !== undefined) yield value;
    }
  }

  private removeEntries(predicate: (value: T, index: number) => boolean): Array<[index: number, value: T]> {
    const removed: Array<[number, T]> = [];
    for (let i = 0; i < this.used; i++) {
      const at = this.slot(i);
      const value = this.items[at];
      if (value === undefined || !predicate(value, this.indexes[at])) continue;
      removed.push([this.indexes[at], value]);
      this.items[at] = undefined;
      this.live--;
    }
    this.trim();
    return removed;
  }

  private slot(position: number): number {
    return (this.head + position) & (this.indexes.length - 1);
  }

  /** The ring position holding `index`, if a slot in use has it. */
  private find(index: number): number | undefined {
    if (this.used === 0) return undefined;
    const first = this.slot(0);
    if (this.indexes[first] === index) return first;
    let low = 0;
    let high = this.used;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.indexes[this.slot(mid)] < index) low = mid + 1;
      else high = mid;
    }
    if (low === this.used) return undefined;
    const at = this.slot(low);
    return this.indexes[at] === index ? at : undefined;
  }

  /** Drops removed slots at both ends, so that an empty queue uses none. */
  private trim(): void {
    while (this.used > 0 && this.items[this.head] === undefined) {
      this.head = this.slot(1);
      this.used--;
    }
    while (this.used > 0 && this.items[this.slot(this.used - 1)] === undefined) this.used--;
    if (this.used === 0) this.head = 0;
  }

  private grow(): void {
    const capacity = 2 * this.indexes.length;
    const indexes = new Float64Array(capacity);
    const items = new Array<T | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this.used; i++) {
      indexes[i] = this.indexes[this.slot(i)];
      items[i] = this.items[this.slot(i)];
    }
    this.indexes = indexes;
    this.items = items;
    this.head = 0;
  }
}
