// Connection and node commands. Only their declarations live here (so COMMAND and ACL
// categories see them); server/ implements them because they act on connection state.

import type { AclCategory, CommandFlag, CommandGroup, ServerCommand, SubcommandSpec } from './command-spec.js';
import { NO_KEYS, subcommand } from './command-spec.js';

function declare(
  name: string, arity: number, flags: readonly CommandFlag[], categories: readonly AclCategory[],
  group: CommandGroup, since: string, summary: string, subcommands?: readonly SubcommandSpec[],
): ServerCommand {
  return { name, kind: 'server', arity, flags, keys: NO_KEYS, categories, group, since, summary, complexity: 'O(1)', subcommands };
}

const sub = subcommand;

const clientSub = (name: string, arity: number, flags: readonly CommandFlag[], summary: string, extra: readonly AclCategory[] = []) =>
  sub('client', name, arity, ['noscript', 'loading', 'stale', ...flags], ['connection', ...extra], summary);
const configSub = (name: string, arity: number, summary: string) =>
  sub('config', name, arity, ['admin', 'noscript', 'loading', 'stale'], [], summary);
const commandSub = (name: string, arity: number, summary: string) =>
  sub('command', name, arity, ['loading', 'stale'], ['connection'], summary);

export const connectionCommands: readonly ServerCommand[] = [
  { ...declare('ping', -1, ['fast'], ['connection'], 'connection', '1.0.0', 'Returns the server\'s liveliness response.'), tips: ['request_policy:all_shards', 'response_policy:all_succeeded'] },
  declare('echo', 2, ['loading', 'stale', 'fast'], ['connection'], 'connection', '1.0.0', 'Returns the given string.'),
  declare('auth', -2, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], ['connection'], 'connection', '1.0.0', 'Authenticates the connection.'),
  declare('hello', -1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], ['connection'], 'connection', '6.0.0', 'Handshakes with the Redis server.'),
  declare('quit', -1, ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], ['connection'], 'connection', '1.0.0', 'Closes the connection.'),
  declare('reset', 1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], ['connection'], 'connection', '6.2.0', 'Resets the connection.'),
  declare('select', 2, ['loading', 'stale', 'fast'], ['connection'], 'connection', '1.0.0', 'Changes the selected database.'),
  { ...declare('wait', 3, ['noscript'], ['connection'], 'generic', '3.0.0', 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.'), tips: ['request_policy:all_shards', 'response_policy:agg_min'] },
  declare('role', 1, ['noscript', 'loading', 'stale', 'fast'], ['admin', 'dangerous'], 'server', '2.8.12', 'Returns the replication role.'),
  declare('monitor', 1, ['admin', 'noscript', 'loading', 'stale'], [], 'server', '1.0.0', 'Listens for all requests received by the server in real-time.'),
  declare('client', -2, [], [], 'connection', '2.4.0', 'A container for client connection commands.', [
    clientSub('id', 2, [], 'Returns the unique client ID of the connection.'),
    clientSub('setname', 3, [], 'Sets the connection name.'),
    clientSub('getname', 2, [], 'Returns the name of the connection.'),
    clientSub('reply', 3, [], 'Instructs the server whether to reply to commands.'),
    clientSub('setinfo', 4, [], 'Sets information specific to the client or connection.'),
    { ...clientSub('info', 2, [], 'Returns information about the connection.'), tips: ['nondeterministic_output'] },
    { ...clientSub('list', -2, ['admin'], 'Lists open connections.', ['dangerous']), tips: ['nondeterministic_output'] },
    clientSub('kill', -3, ['admin'], 'Terminates open connections.', ['dangerous']),
    clientSub('tracking', -3, [], 'Controls server-assisted client-side caching for the connection.'),
    clientSub('caching', 3, [], 'Instructs the server whether to track the keys in the next request.'),
    clientSub('getredir', 2, [], 'Returns the client ID to which the connection\'s tracking notifications are redirected.'),
    clientSub('trackinginfo', 2, [], 'Returns information about server-assisted client-side caching for the connection.'),
    clientSub('no-evict', 3, ['admin'], 'Sets the client eviction mode of the connection.', ['dangerous']),
    clientSub('no-touch', 3, [], 'Controls whether commands sent by the client affect the LRU/LFU of accessed keys.'),
    clientSub('pause', -3, ['admin'], 'Suspends commands processing.', ['dangerous']),
    clientSub('unpause', 2, ['admin'], 'Resumes processing commands from paused clients.', ['dangerous']),
    sub('client', 'help', 2, ['loading', 'stale'], ['connection'], 'Returns helpful text about the different subcommands.'),
  ]),
];

const keyedSub = (container: string, name: string, arity: number, summary: string): SubcommandSpec =>
  ({ ...sub(container, name, arity, ['readonly'], ['keyspace'], summary), keys: { first: 2, last: 2, step: 1 } });

const clusterSub = (name: string, arity: number, summary: string, flags: readonly CommandFlag[] = []) =>
  sub('cluster', name, arity, ['loading', 'stale', ...flags], [], summary);

export const clusterCommands: readonly ServerCommand[] = [
  declare('cluster', -2, [], [], 'cluster', '3.0.0', 'A container for Redis Cluster commands.', [
    { ...clusterSub('info', 2, 'Returns information about the state of a node.'), tips: ['nondeterministic_output'] },
    { ...clusterSub('nodes', 2, 'Returns the cluster configuration for a node.'), tips: ['nondeterministic_output'] },
    { ...clusterSub('slots', 2, 'Returns the mapping of cluster slots to nodes.'), tips: ['nondeterministic_output'] },
    clusterSub('myid', 2, 'Returns the ID of a node.'),
    clusterSub('keyslot', 3, 'Returns the hash slot for a key.'),
    clusterSub('addnode', 4, 'Adds a node to the cluster (Shoal).', ['admin']),
    clusterSub('forget', 3, 'Removes a node from the nodes table.', ['admin']),
    clusterSub('help', 2, 'Returns helpful text about the different subcommands.'),
  ]),
  declare('readonly', 1, ['loading', 'stale', 'fast'], ['connection'], 'cluster', '3.0.0', 'Enables read-only queries for a connection to a Redis Cluster replica node.'),
  declare('readwrite', 1, ['loading', 'stale', 'fast'], ['connection'], 'cluster', '3.0.0', 'Enables read-write queries for a connection to a Reids Cluster replica node.'),
];

export const serverCommands: readonly ServerCommand[] = [
  declare('object', -2, [], [], 'generic', '2.2.3', 'A container for object introspection commands.', [
    keyedSub('object', 'encoding', 3, 'Returns the internal encoding of a Redis object.'),
    keyedSub('object', 'freq', 3, 'Returns the logarithmic access frequency counter of a Redis object.'),
    keyedSub('object', 'idletime', 3, 'Returns the time since the last access to a Redis object.'),
    keyedSub('object', 'refcount', 3, 'Returns the reference count of a value of a key.'),
    sub('object', 'help', 2, ['loading', 'stale'], ['keyspace'], 'Returns helpful text about the different subcommands.'),
  ]),
  declare('memory', -2, [], [], 'server', '4.0.0', 'A container for memory diagnostics commands.', [
    keyedSub('memory', 'usage', -3, 'Estimates the memory usage of a key.'),
    sub('memory', 'help', 2, ['loading', 'stale'], [], 'Returns helpful text about the different subcommands.'),
  ]),
  {
    ...declare('info', -1, ['loading', 'stale'], ['dangerous'], 'server', '1.0.0', 'Returns information and statistics about the server.'),
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
  },
  { ...declare('time', 1, ['loading', 'stale', 'fast'], [], 'server', '2.6.0', 'Returns the server time.'), tips: ['nondeterministic_output'] },
  declare('shutdown', -1, ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], [], 'server', '1.0.0', 'Synchronously saves the database(s) to disk and shuts down the Redis server.'),
  declare('save', 1, ['admin', 'noscript', 'no_multi'], [], 'server', '1.0.0', 'Synchronously saves the database(s) to disk.'),
  declare('bgsave', -1, ['admin', 'noscript', 'no_multi'], [], 'server', '1.0.0', 'Asynchronously saves the database(s) to disk.'),
  declare('lastsave', 1, ['loading', 'stale', 'fast'], ['admin', 'dangerous'], 'server', '1.0.0', 'Returns the Unix timestamp of the last successful save to disk.'),
  declare('slowlog', -2, [], [], 'server', '2.2.12', 'A container for slow log commands.', [
    sub('slowlog', 'get', -2, ['admin', 'loading', 'stale'], [], 'Returns the slow log\'s entries.'),
    sub('slowlog', 'len', 2, ['admin', 'loading', 'stale'], [], 'Returns the number of entries in the slow log.'),
    sub('slowlog', 'reset', 2, ['admin', 'loading', 'stale'], [], 'Clears all entries from the slow log.'),
    sub('slowlog', 'help', 2, ['loading', 'stale'], [], 'Show helpful text about the different subcommands'),
  ]),
  declare('config', -2, [], [], 'server', '2.0.0', 'A container for server configuration commands.', [
    configSub('get', -3, 'Returns the effective values of configuration parameters.'),
    { ...configSub('set', -4, 'Sets configuration parameters in-flight.'), tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] },
    configSub('resetstat', 2, 'Resets the server\'s statistics.'),
    sub('config', 'help', 2, ['loading', 'stale'], [], 'Returns helpful text about the different subcommands.'),
  ]),
  { ...declare('command', -1, ['loading', 'stale'], ['connection'], 'server', '2.8.13', 'Returns detailed information about all commands.', [
    commandSub('count', 2, 'Returns a count of commands.'),
    { ...commandSub('info', -2, 'Returns information about one, multiple or all commands.'), tips: ['nondeterministic_output_order'] },
    { ...commandSub('docs', -2, 'Returns documentary information about one, multiple or all commands.'), tips: ['nondeterministic_output_order'] },
    { ...commandSub('list', -2, 'Returns a list of command names.'), tips: ['nondeterministic_output_order'] },
    commandSub('getkeys', -4, 'Extracts the key names from an arbitrary command.'),
    commandSub('help', 2, 'Returns helpful text about the different subcommands.'),
  ]), tips: ['nondeterministic_output_order'] },
];
