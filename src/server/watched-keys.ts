// WATCH bookkeeping, on whichever replica the client is connected to.
//
// A watch is broken by any entry that changes a watched key and is applied after the WATCH,
// or that is still in the log (not yet applied) when the EXEC takes its place there: the EXEC's
// gate runs at that moment, so "did anything reach my keys since WATCH?" is answered against
// the log itself (read only then: nothing is tracked per entry while nobody runs an EXEC).
// Entries in the log before the WATCH but applied after it also break it (the client may have
// read the state before them), which is conservative, never lax. A write counts as touching a
// key when its declared key positions name it, even if it ends up changing nothing (e.g. SET NX
// that fails).

import type { LogCommandKind } from '../commands/log-entry.js';
import type { DataGroup } from '../cluster/host.js';
import type { Connection } from './connection.js';
import { touchedKeys } from './touched-keys.js';

export class WatchedKeys {
  private readonly byKey = new Map<string, Set<Connection>>();

  constructor(private readonly group: DataGroup) {
    group.onRestored = () => this.breakAll();
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
    if (connection.watched.size === 0) return false;
    if (this.group.logTouches(this.group.appliedIndex, [...connection.watched.keys()])) return true;
    const nowMs = this.group.nowMs();
    for (const [key, existed] of connection.watched) {
      if (existed && this.group.machine.keyspace.get(key, nowMs) === undefined) return true;
    }
    return false;
  }

  /** An entry was applied: it breaks the watches on what it touched. */
  applied(kind: LogCommandKind, args: readonly string[]): void {
    if (this.byKey.size === 0) return;
    const keys = touchedKeys(kind, args);
    if (keys === 'all') return this.breakAll();
    for (const key of keys) {
      const watchers = this.byKey.get(key);
      if (watchers !== undefined) for (const connection of watchers) connection.watchDirty = true;
    }
  }

  /** Every watch is broken: a FLUSHALL-like entry, or a snapshot replaced the whole state. */
  private breakAll(): void {
    for (const watchers of this.byKey.values()) for (const connection of watchers) connection.watchDirty = true;
  }
}
