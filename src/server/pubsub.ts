// Publish/subscribe on this node: channel, pattern and shard-channel subscriptions of the
// connections, and delivery of messages as RESP3 pushes (arrays in RESP2). Subscribers that
// do not read are cut off by their output-buffer limit, not buffered without bound.

import { RespPush } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { globMatch } from '../engine/glob.js';
import type { Connection } from './connection.js';

type Kind = 'channel' | 'pattern' | 'shard';

const NAMES: Record<Kind, { subscribe: string; unsubscribe: string }> = {
  channel: { subscribe: 'subscribe', unsubscribe: 'unsubscribe' },
  pattern: { subscribe: 'psubscribe', unsubscribe: 'punsubscribe' },
  shard: { subscribe: 'ssubscribe', unsubscribe: 'sunsubscribe' },
};

export class PubSub {
  private readonly subscribers: Record<Kind, Map<string, Set<Connection>>> = { channel: new Map(), pattern: new Map(), shard: new Map() };

  subscribe(connection: Connection, kind: Kind, names: readonly string[]): void {
    for (const name of names) {
      const mine = connection.subscriptions[kind];
      if (!mine.has(name)) {
        mine.add(name);
        let set = this.subscribers[kind].get(name);
        if (set === undefined) {
          set = new Set();
          this.subscribers[kind].set(name, set);
        }
        set.add(connection);
      }
      connection.reply(new RespPush([NAMES[kind].subscribe, name, this.count(connection, kind)]));
    }
  }

  /** Unsubscribes from `names`, or from everything of that kind when none are named. */
  unsubscribe(connection: Connection, kind: Kind, names: readonly string[], silent = false): void {
    const mine = connection.subscriptions[kind];
    const targets = names.length > 0 ? names : [...mine];
    if (targets.length === 0 && !silent) {
      connection.reply(new RespPush([NAMES[kind].unsubscribe, null, this.count(connection, kind)]));
      return;
    }
    for (const name of targets) {
      if (mine.delete(name)) {
        const set = this.subscribers[kind].get(name);
        set?.delete(connection);
        if (set?.size === 0) this.subscribers[kind].delete(name);
      }
      if (!silent) connection.reply(new RespPush([NAMES[kind].unsubscribe, name, this.count(connection, kind)]));
    }
  }

  /** Drops every subscription of a connection that closed or was RESET. */
  forget(connection: Connection): void {
    for (const kind of ['channel', 'pattern', 'shard'] as const) this.unsubscribe(connection, kind, [], true);
  }

  /** Delivers to channel and pattern subscribers; returns how many received it. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    for (const connection of this.subscribers.channel.get(channel) ?? []) {
      connection.push(new RespPush(['message', channel, message]));
      receivers++;
    }
    for (const [pattern, connections] of this.subscribers.pattern) {
      if (!globMatch(pattern, channel)) continue;
      for (const connection of connections) {
        connection.push(new RespPush(['pmessage', pattern, channel, message]));
        receivers++;
      }
    }
    return receivers;
  }

  shardPublish(channel: string, message: string): number {
    let receivers = 0;
    for (const connection of this.subscribers.shard.get(channel) ?? []) {
      connection.push(new RespPush(['smessage', channel, message]));
      receivers++;
    }
    return receivers;
  }

  channels(kind: 'channel' | 'shard', pattern: string | undefined): string[] {
    return [...this.subscribers[kind].keys()].filter((name) => pattern === undefined || globMatch(pattern, name));
  }

  subscriberCount(kind: 'channel' | 'shard', name: string): number {
    return this.subscribers[kind].get(name)?.size ?? 0;
  }

  get patternCount(): number {
    return this.subscribers.pattern.size;
  }

  /** Redis counts channels and patterns together, and shard channels on their own. */
  private count(connection: Connection, kind: Kind): number {
    const mine = connection.subscriptions;
    return kind === 'shard' ? mine.shard.size : mine.channel.size + mine.pattern.size;
  }
}

/** PING in RESP2 subscribed mode answers with an array, as Redis does. */
export function subscribedPing(message: string | undefined): RespValue {
  return ['pong', message ?? ''];
}

