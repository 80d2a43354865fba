// A stream's consumer group: where the group has read up to, its consumers, and the pending
// entries list (PEL) of entries delivered but not acknowledged, each with its consumer, the
// time of its last delivery (the log entry's stamp, never a local clock) and a delivery count.
//
// The PEL is a Map by ID for O(1) acknowledgement plus a sorted array of IDs for range
// queries (XPENDING, XAUTOCLAIM); deliveries arrive mostly in ID order, so inserts are appends.

import assert from 'node:assert/strict';
import { compareIds, formatId } from './stream-value.js';
import type { StreamId } from './stream-value.js';

export interface PendingEntry {
  readonly id: StreamId;
  consumer: string;
  deliveredAtMs: number;
  deliveries: number;
}

export interface Consumer {
  readonly name: string;
  /** Last time the consumer was seen by a command (XREADGROUP, XCLAIM...). */
  seenAtMs: number;
  /** Last time it read or claimed an entry (Redis 7.2's active-time); -1 never. */
  activeAtMs: number;
  /** IDs of its pending entries. */
  readonly pending: Set<string>;
}

/** IDs in ascending order, found by binary search. */
class SortedIds {
  readonly ids: StreamId[] = [];

  /** The first index whose ID is not below `id`. */
  indexOf(id: StreamId): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compareIds(this.ids[mid], id) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  insert(id: StreamId): void {
    const last = this.ids[this.ids.length - 1];
    if (last === undefined || compareIds(last, id) < 0) this.ids.push(id);
    else this.ids.splice(this.indexOf(id), 0, id);
  }

  remove(id: StreamId): void {
    const index = this.indexOf(id);
    assert.ok(index < this.ids.length && compareIds(this.ids[index], id) === 0, 'a removed pending ID is present');
    this.ids.splice(index, 1);
  }
}

export class ConsumerGroup {
  readonly consumers = new Map<string, Consumer>();
  private readonly pendingById = new Map<string, PendingEntry>();
  private readonly order = new SortedIds();

  constructor(
    public lastDeliveredId: StreamId,
    /** Entries the group has read (Redis 7's entries-read), or undefined when unknown. */
    public entriesRead: number | undefined,
  ) {}

  get pendingCount(): number {
    return this.pendingById.size;
  }

  pending(id: StreamId): PendingEntry | undefined {
    return this.pendingById.get(formatId(id));
  }

  /** The consumer named `name`, created (seen now) if it is new. */
  consumer(name: string, nowMs: number): Consumer {
    let consumer = this.consumers.get(name);
    if (consumer === undefined) {
      consumer = { name, seenAtMs: nowMs, activeAtMs: -1, pending: new Set() };
      this.consumers.set(name, consumer);
    }
    return consumer;
  }

  /** Records a delivery to `consumer`: a new pending entry, or a re-delivery that moves it. */
  deliver(id: StreamId, consumer: Consumer, nowMs: number, countDelivery: boolean): PendingEntry {
    const key = formatId(id);
    let entry = this.pendingById.get(key);
    if (entry === undefined) {
      entry = { id, consumer: consumer.name, deliveredAtMs: nowMs, deliveries: 0 };
      this.pendingById.set(key, entry);
      this.order.insert(id);
    } else if (entry.consumer !== consumer.name) {
      this.consumers.get(entry.consumer)?.pending.delete(key);
      entry.consumer = consumer.name;
    }
    consumer.pending.add(key);
    entry.deliveredAtMs = nowMs;
    if (countDelivery) entry.deliveries++;
    return entry;
  }

  /** Removes a pending entry (acknowledged, or its stream entry is gone); false if not pending. */
  acknowledge(id: StreamId): boolean {
    const key = formatId(id);
    const entry = this.pendingById.get(key);
    if (entry === undefined) return false;
    this.pendingById.delete(key);
    this.order.remove(id);
    this.consumers.get(entry.consumer)?.pending.delete(key);
    return true;
  }

  /** Pending entries with IDs in [start, end] in ID order, at most `count`, optionally of one consumer. */
  pendingRange(start: StreamId, end: StreamId, count: number, filter?: (entry: PendingEntry) => boolean): PendingEntry[] {
    const result: PendingEntry[] = [];
    for (let i = this.order.indexOf(start); i < this.order.ids.length && result.length < count; i++) {
      const id = this.order.ids[i];
      if (compareIds(id, end) > 0) break;
      const entry = this.pendingById.get(formatId(id)) as PendingEntry;
      if (filter === undefined || filter(entry)) result.push(entry);
    }
    return result;
  }

  /** Removes a consumer; returns how many entries it had pending (they are dropped too). */
  deleteConsumer(name: string): number {
    const consumer = this.consumers.get(name);
    if (consumer === undefined) return 0;
    const pending = consumer.pending.size;
    for (const key of [...consumer.pending]) {
      const entry = this.pendingById.get(key) as PendingEntry;
      this.acknowledge(entry.id);
    }
    this.consumers.delete(name);
    return pending;
  }

  /** Every pending entry in ID order (snapshots, XINFO STREAM FULL). */
  allPending(): PendingEntry[] {
    return this.order.ids.map((id) => this.pendingById.get(formatId(id)) as PendingEntry);
  }

  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.lastDeliveredId, this.entriesRead);
    for (const consumer of this.consumers.values()) {
      copy.consumers.set(consumer.name, { name: consumer.name, seenAtMs: consumer.seenAtMs, activeAtMs: consumer.activeAtMs, pending: new Set() });
    }
    for (const entry of this.allPending()) copy.restorePending({ ...entry });
    return copy;
  }

  /** Restores a pending entry whose consumer was restored first (snapshots, clone). */
  restorePending(entry: PendingEntry): void {
    const consumer = this.consumers.get(entry.consumer);
    assert.ok(consumer !== undefined, 'a pending entry belongs to a known consumer');
    const key = formatId(entry.id);
    this.pendingById.set(key, entry);
    this.order.insert(entry.id);
    consumer.pending.add(key);
  }
}
