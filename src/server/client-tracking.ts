// Client-side caching support (CLIENT TRACKING), Redis's design: in the default mode the
// server remembers which tracking clients read which keys and, when a key changes, sends each
// of them one "invalidate" push (then forgets them for that key); in BCAST mode clients name
// key prefixes and hear about every change under them. Invalidations are sent after the
// change is applied, so a client that re-reads on invalidation never caches the old value.
// RESP2 clients receive them through a REDIRECT connection subscribed to __redis__:invalidate.

import { RespPush } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import type { LogCommandKind } from '../commands/log-entry.js';
import type { Connection } from './connection.js';
import { touchedKeys } from './touched-keys.js';

export interface TrackingOptions {
  readonly redirect: number;
  readonly bcast: boolean;
  readonly prefixes: readonly string[];
  readonly optin: boolean;
  readonly optout: boolean;
  readonly noloop: boolean;
}

export const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** Keys remembered for tracking clients at most; past it the oldest are invalidated early. */
const MAX_TRACKED_KEYS = 1_000_000;

export class ClientTracking {
  private readonly readers = new Map<string, Set<number>>();
  private readonly broadcasters = new Map<number, readonly string[]>();

  constructor(private readonly clients: ReadonlyMap<number, Connection>) {}

  enable(connection: Connection, options: TrackingOptions): void {
    this.disable(connection);
    connection.tracking = { ...options, cachingNext: undefined };
    if (options.bcast) this.broadcasters.set(connection.id, options.prefixes.length === 0 ? [''] : options.prefixes);
  }

  disable(connection: Connection): void {
    connection.tracking = undefined;
    this.broadcasters.delete(connection.id);
  }

  /** A tracking client read `keys`: remember it for them (unless OPTIN/OPTOUT says not to). */
  afterRead(connection: Connection, keys: readonly string[]): void {
    const tracking = connection.tracking;
    if (tracking === undefined || tracking.bcast) return;
    const caching = tracking.cachingNext;
    tracking.cachingNext = undefined;
    if ((tracking.optin && caching !== true) || (tracking.optout && caching === false)) return;
    for (const key of keys) {
      let readers = this.readers.get(key);
      if (readers === undefined) {
        if (this.readers.size >= MAX_TRACKED_KEYS) this.evictOldest();
        readers = new Set();
        this.readers.set(key, readers);
      }
      readers.add(connection.id);
    }
  }

  /** An entry was applied: tell whoever cached what it changed. */
  applied(kind: LogCommandKind, args: readonly string[], origin: number | undefined): void {
    if (this.readers.size === 0 && this.broadcasters.size === 0) return;
    const keys = touchedKeys(kind, args);
    if (keys === 'all') return this.invalidateAll();
    const perClient = new Map<number, string[]>();
    const note = (id: number, key: string) => {
      const client = this.clients.get(id);
      if (client?.tracking === undefined || (client.tracking.noloop && id === origin)) return;
      const list = perClient.get(id);
      if (list === undefined) perClient.set(id, [key]);
      else list.push(key);
    };
    for (const key of keys) {
      const readers = this.readers.get(key);
      if (readers !== undefined) {
        this.readers.delete(key);
        for (const id of readers) note(id, key);
      }
      for (const [id, prefixes] of this.broadcasters) if (prefixes.some((prefix) => key.startsWith(prefix))) note(id, key);
    }
    for (const [id, changed] of perClient) this.send(id, changed);
  }

  private invalidateAll(): void {
    this.readers.clear();
    for (const client of this.clients.values()) if (client.tracking !== undefined) this.send(client.id, null);
  }

  private evictOldest(): void {
    const oldest = this.readers.keys().next();
    if (oldest.done) return;
    const readers = this.readers.get(oldest.value) ?? new Set<number>();
    this.readers.delete(oldest.value);
    for (const id of readers) this.send(id, [oldest.value]);
  }

  private send(id: number, keys: string[] | null): void {
    const client = this.clients.get(id);
    const tracking = client?.tracking;
    if (client === undefined || tracking === undefined) return;
    // As Redis: RESP3 clients get an "invalidate" push; RESP2 ones only through a redirect
    // target that is in subscribed mode (as a message on __redis__:invalidate).
    if (tracking.redirect === 0) {
      if (client.protocol === 3) client.push(new RespPush(['invalidate', keys]));
      return;
    }
    const target = this.clients.get(tracking.redirect);
    if (target === undefined) {
      if (client.protocol === 3) client.push(new RespPush(['tracking-redir-broken', tracking.redirect]));
      return;
    }
    if (!target.isSubscriber) return;
    const message: RespValue = target.protocol === 3 ? new RespPush(['invalidate', keys]) : new RespPush(['message', INVALIDATE_CHANNEL, keys]);
    target.push(message);
  }
}
