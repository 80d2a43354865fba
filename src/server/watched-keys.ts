// WATCH bookkeeping, on whichever replica the client is connected to.
//
// A watch is broken by any entry that changes a watched key and is applied after the WATCH,
// or that is still in the log (ordered, not yet applied) when the EXEC takes its place there:
// the EXEC's gate runs at that moment, so "did anything reach my keys since WATCH?" is answered
// against the log itself. Entries ordered before the WATCH but applied after it also break it
// (the client may have read the state before them), which is conservative, never lax.
// A write counts as touching a key when its declared key positions name it, even if it ends
// up changing nothing (e.g. SET NX that fails).

import type { LogCommandKind } from '../commands/log-entry.js';
import type { DataGroup } from '../cluster/host.js';
import type { Connection } from './connection.js';
import { touchedKeys } from './touched-keys.js';

export class WatchedKeys {
  private readonly byKey = new Map<string, Set<Connection>>();
  /** Keys touched by entries in the log but not applied yet: key → number of such entries. */
  private readonly inFlight = new Map<string, number>();
  /**
   * The touched keys of the in-flight entries, in log order (entries apply in that order);
   * consumed from `inFlightHead` so taking the oldest costs O(1) however long the queue.
   */
  private inFlightQueue: Array<{ readonly index: number; readonly keys: readonly string[] | 'all' }> = [];
  private inFlightHead = 0;
  private inFlightFlushes = 0;

  constructor(private readonly group: DataGroup) {
    group.onOrdered = (index, kind, args) => this.ordered(index, kind, args);
    group.onRestored = () => this.restored(group.appliedIndex);
    group.touches = (kind, args, keys) => {
      const touched = touchedKeys(kind, args);
      return touched === 'all' || touched.some((key) => keys.includes(key));
    };
  }

  /** Starts watching `key`, remembering whether it existed, so its expiry also aborts. */
  watch(connection: Connection, key: string): void {
    if (connection.watched.has(key)) return;
    const exists = this.group.machine.keyspace.get(key, this.group.nowMs()) !== undefined;
    connection.watched.set(key, exists);
    let watchers = this.byKey.get(key);
    if (watchers === undefined) {
      watchers = new Set();
      this.byKey.set(key, watchers);
    }
    watchers.add(connection);
  }

  unwatchAll(connection: Connection): void {
    for (const key of connection.watched.keys()) {
      const watchers = this.byKey.get(key);
      watchers?.delete(connection);
      if (watchers?.size === 0) this.byKey.delete(key);
    }
    connection.watched.clear();
    connection.watchDirty = false;
  }

  /** Whether an EXEC of this connection must abort: a watched key changed, may change, or expired. */
  mustAbort(connection: Connection): boolean {
    if (connection.watchDirty) return true;
    if (connection.watched.size > 0 && this.inFlightFlushes > 0) return true;
    const nowMs = this.group.nowMs();
    for (const [key, existed] of connection.watched) {
      if (this.inFlight.has(key)) return true;
      if (existed && this.group.machine.keyspace.get(key, nowMs) === undefined) return true;
    }
    return false;
  }

  /** An entry took its place in this replica's log. */
  private ordered(index: number, kind: LogCommandKind, args: readonly string[]): void {
    const keys = touchedKeys(kind, args);
    this.inFlightQueue.push({ index, keys });
    if (keys === 'all') this.inFlightFlushes++;
    else for (const key of keys) this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
  }

  /**
   * The entry at `index` was applied: it, and any entry ordered at or before that index (one a
   * newer leader replaced), break the watches on what they touched.
   */
  applied(index: number): void {
    while (this.inFlightHead < this.inFlightQueue.length && this.inFlightQueue[this.inFlightHead].index <= index) {
      this.release(this.inFlightQueue[this.inFlightHead++].keys);
    }
    if (this.inFlightHead === this.inFlightQueue.length) {
      this.inFlightQueue = [];
      this.inFlightHead = 0;
    }
  }

  /** A snapshot replaced the whole state: every watch is broken. */
  restored(index: number): void {
    this.applied(index);
    for (const watchers of this.byKey.values()) for (const connection of watchers) connection.watchDirty = true;
  }

  private release(keys: readonly string[] | 'all'): void {
    if (keys === 'all') {
      this.inFlightFlushes--;
      for (const watchers of this.byKey.values()) for (const connection of watchers) connection.watchDirty = true;
      return;
    }
    for (const key of keys) {
      const count = (this.inFlight.get(key) ?? 1) - 1;
      if (count === 0) this.inFlight.delete(key);
      else this.inFlight.set(key, count);
      const watchers = this.byKey.get(key);
      if (watchers !== undefined) for (const connection of watchers) connection.watchDirty = true;
    }
  }
}
