// A list: a ring buffer of latin1 strings with O(1) push and pop at both ends and O(1) access
// by index (LINDEX, LSET, LRANGE). It grows by doubling and shrinks when a quarter full.

import assert from 'node:assert/strict';
import type { CollectionValue } from './keyspace.js';
import { MemoryEstimate } from './memory.js';

const MIN_CAPACITY = 8;

export class ListValue implements CollectionValue {
  readonly type = 'list';
  private items: Array<string | undefined>;
  private head = 0;
  private length = 0;

  constructor(items: Iterable<string> = []) {
    const initial = [...items];
    this.items = new Array(Math.max(MIN_CAPACITY, initial.length));
    initial.forEach((item, i) => (this.items[i] = item));
    this.length = initial.length;
  }

  readonly memory = new MemoryEstimate();

  sampleElementBytes(limit: number): number {
    const sampled = Math.min(limit, this.length);
    let bytes = 0;
    for (let i = 0; i < sampled; i++) bytes += this.at(i).length;
    return sampled === 0 ? 0 : bytes / sampled;
  }

  get size(): number {
    return this.length;
  }

  clone(): ListValue {
    return new ListValue(this.values());
  }

  /** The item at `index` (0 = head), which must be in range. */
  at(index: number): string {
    assert.ok(index >= 0 && index < this.length, 'list index in range');
    return this.items[(this.head + index) % this.items.length] as string;
  }

  set(index: number, item: string): void {
    assert.ok(index >= 0 && index < this.length, 'list index in range');
    this.items[(this.head + index) % this.items.length] = item;
  }

  pushHead(item: string): void {
    this.ensureCapacity(this.length + 1);
    this.head = (this.head - 1 + this.items.length) % this.items.length;
    this.items[this.head] = item;
    this.length++;
  }

  pushTail(item: string): void {
    this.ensureCapacity(this.length + 1);
    this.items[(this.head + this.length) % this.items.length] = item;
    this.length++;
  }

  popHead(): string | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.length--;
    this.maybeShrink();
    return item;
  }

  popTail(): string | undefined {
    if (this.length === 0) return undefined;
    const slot = (this.head + this.length - 1) % this.items.length;
    const item = this.items[slot];
    this.items[slot] = undefined;
    this.length--;
    this.maybeShrink();
    return item;
  }

  /** Items from `start` to `end` inclusive (already clamped to the list). */
  range(start: number, end: number): string[] {
    const result: string[] = [];
    for (let i = start; i <= end; i++) result.push(this.at(i));
    return result;
  }

  *values(): IterableIterator<string> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  /** Replaces the whole content (LREM, LINSERT, LTRIM rebuild the list: they are O(N) anyway). */
  replaceAll(items: readonly string[]): void {
    this.items = new Array(Math.max(MIN_CAPACITY, items.length));
    items.forEach((item, i) => (this.items[i] = item));
    this.head = 0;
    this.length = items.length;
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.items.length) return;
    this.resize(this.items.length * 2);
  }

  private maybeShrink(): void {
    if (this.items.length > MIN_CAPACITY && this.length < this.items.length / 4) this.resize(Math.max(MIN_CAPACITY, this.items.length / 2));
  }

  private resize(capacity: number): void {
    const next: Array<string | undefined> = new Array(capacity);
    for (let i = 0; i < this.length; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
