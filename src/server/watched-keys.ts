// WATCH bookkeeping on the leader. Every proposal is reported here in its final log order (as
// the batch is written), and marks the connections watching any key it may change as dirty.
// An EXEC's gate runs in that same order, so "was a watched key changed before my EXEC?" is
// answered exactly against the log. A write counts as a change when its declared key
// positions name the key, even if it turns out to change nothing (e.g. SET NX that fails):
// more conservative than Redis, never less.

import type { LogCommandKind } from '../commands/log-entry.js';
import { touchedKeys } from './touched-keys.js';
import type { LocalGroup } from '../cluster/local-group.js';
import type { Connection } from './connection.js';

export class WatchedKeys {
  private readonly byKey = new Map<string, Set<Connection>>();

  constructor(private readonly group: LocalGroup) {
    group.onOrdered = (kind, args) => this.ordered(kind, args);
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

  /** Whether an EXEC of this connection must abort: a watched key changed, or expired. */
  mustAbort(connection: Connection): boolean {
    if (connection.watchDirty) return true;
    const nowMs = this.group.nowMs();
    for (const [key, existed] of connection.watched) {
      if (existed && this.group.machine.keyspace.get(key, nowMs) === undefined) return true;
    }
    return false;
  }

  private ordered(kind: LogCommandKind, args: readonly string[]): void {
    if (this.byKey.size === 0) return;
    const keys = touchedKeys(kind, args);
    if (keys === 'all') {
      for (const watchers of this.byKey.values()) for (const connection of watchers) connection.watchDirty = true;
      return;
    }
    for (const key of keys) {
      const watchers = this.byKey.get(key);
      if (watchers !== undefined) for (const connection of watchers) connection.watchDirty = true;
    }
  }
}
