// Publish/subscribe commands. Declared here; the server implements them (subscriptions belong
// to connections, and messages never touch the keyspace or the log).

import type { CommandFlag, ServerCommand, SubcommandSpec } from './command-spec.js';
import { NO_KEYS } from './command-spec.js';

const flags: readonly CommandFlag[] = ['pubsub', 'noscript', 'loading', 'stale'];

function declare(name: string, arity: number, summary: string, since: string, extraFlags: readonly CommandFlag[] = [], subcommands?: readonly SubcommandSpec[]): ServerCommand {
  return { name, kind: 'server', arity, flags: [...flags, ...extraFlags], keys: NO_KEYS, categories: [], group: 'pubsub', summary, since, complexity: 'O(N) where N is the number of channels or patterns involved.', subcommands };
}

function sub(name: string, arity: number, summary: string): SubcommandSpec {
  return { name: `pubsub|${name}`, arity, flags: ['pubsub', 'loading', 'stale'], keys: NO_KEYS, categories: [], summary };
}

export const pubsubCommands: readonly ServerCommand[] = [
  declare('subscribe', -2, 'Listens for messages published to channels.', '2.0.0'),
  declare('unsubscribe', -1, 'Stops listening to messages posted to channels.', '2.0.0'),
  declare('psubscribe', -2, 'Listens for messages published to channels that match one or more patterns.', '2.0.0'),
  declare('punsubscribe', -1, 'Stops listening to messages published to channels that match one or more patterns.', '2.0.0'),
  declare('ssubscribe', -2, 'Listens for messages published to shard channels.', '7.0.0'),
  declare('sunsubscribe', -1, 'Stops listening to messages posted to shard channels.', '7.0.0'),
  declare('publish', 3, 'Posts a message to a channel.', '2.0.0', ['fast', 'may_replicate']),
  declare('spublish', 3, 'Post a message to a shard channel', '7.0.0', ['fast', 'may_replicate']),
  declare('pubsub', -2, 'A container for Pub/Sub commands.', '2.8.0', [], [
    sub('channels', -2, 'Returns the active channels.'),
    sub('numsub', -2, 'Returns a count of subscribers to channels.'),
    sub('numpat', 2, 'Returns a count of unique pattern subscriptions.'),
    sub('shardchannels', -2, 'Returns the active shard channels.'),
    sub('shardnumsub', -2, 'Returns the count of subscribers of shard channels.'),
    sub('help', 2, 'Returns helpful text about the different subcommands.'),
  ]),
];

/** What a RESP2 client in subscribed mode may still send. */
export const ALLOWED_WHILE_SUBSCRIBED: ReadonlySet<string> = new Set([
  'subscribe', 'ssubscribe', 'psubscribe', 'unsubscribe', 'sunsubscribe', 'punsubscribe', 'ping', 'quit', 'reset',
]);
