// The shape of a command declaration. Each command is declared once, next to its handler, in
// the file of its data type (strings.ts, keys.ts, ...); COMMAND, COMMAND DOCS, ACL categories,
// arity checks and key extraction for routing are all derived from these declarations.

import type { Keyspace } from '../engine/keyspace.js';
import type { ErrorReply, RespValue } from '../protocol/values.js';

export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'admin' | 'pubsub' | 'noscript' | 'blocking' | 'loading'
  | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'fast' | 'no_auth' | 'may_replicate' | 'no_multi'
  | 'allow_busy' | 'movablekeys';

export type AclCategory =
  | 'keyspace' | 'read' | 'write' | 'set' | 'sortedset' | 'list' | 'hash' | 'string' | 'bitmap'
  | 'hyperloglog' | 'geo' | 'stream' | 'pubsub' | 'admin' | 'fast' | 'slow' | 'blocking'
  | 'dangerous' | 'connection' | 'transaction' | 'scripting';

export type CommandGroup = 'generic' | 'string' | 'connection' | 'server' | 'list' | 'hash' | 'set' | 'sorted-set' | 'pubsub' | 'transactions' | 'stream' | 'cluster' | 'bitmap' | 'hyperloglog' | 'geo';

/** Positions of key arguments: first, last (negative counts from the end), step; 0,0,0 for none. */
export interface KeyPositions {
  readonly first: number;
  readonly last: number;
  readonly step: number;
}

export const NO_KEYS: KeyPositions = { first: 0, last: 0, step: 0 };

/** Redis 7 key-spec flags: what the command does with a key (COMMAND INFO, ACL key permissions). */
export type KeySpecFlag =
  | 'RO' | 'RW' | 'OW' | 'RM' | 'access' | 'update' | 'insert' | 'delete' | 'not_key' | 'incomplete'
  | 'variable_flags';

/** One key spec of COMMAND INFO: where the search for keys begins and how keys are found from there. */
export interface KeySpecDeclaration {
  readonly notes?: string;
  readonly flags: readonly KeySpecFlag[];
  readonly begin: { readonly index: number } | { readonly keyword: string; readonly startFrom: number } | 'unknown';
  readonly find: { readonly lastKey: number; readonly keyStep?: number } | 'unknown';
}

/** Redis 7 command tips for cluster-aware clients (COMMAND INFO). */
export type CommandTip =
  | 'nondeterministic_output' | 'nondeterministic_output_order' | 'request_policy:all_nodes'
  | 'request_policy:all_shards' | 'request_policy:multi_shard' | 'request_policy:special'
  | 'response_policy:one_succeeded' | 'response_policy:all_succeeded' | 'response_policy:agg_logical_and'
  | 'response_policy:agg_logical_or' | 'response_policy:agg_min' | 'response_policy:agg_max'
  | 'response_policy:agg_sum' | 'response_policy:special';

/** What a command does before it reaches a handler (reads) or the log (writes). */
export interface ReadContext {
  readonly keyspace: Keyspace;
  readonly nowMs: number;
  /** Uniform in [0, 1); the host's randomness (reads are not replicated). */
  readonly random: () => number;
}

/** What apply gives a write: the leader's time stamp and a seed fixed by the log position. */
export interface ApplyContext {
  readonly keyspace: Keyspace;
  readonly nowMs: number;
  readonly random: () => number;
  /** Tells blocked clients that `key` may now serve them (a list or sorted set gained elements). */
  signalReady(key: string): void;
  /** The entry is a blocked client's command proposed again (see LogCommand 'retry'). */
  readonly retry: boolean;
}

/**
 * What a blocking command's apply returns when nothing is there to take: the server then
 * parks the client and proposes the command again when one of its keys is signalled ready.
 */
export class WouldBlock {
  private constructor(readonly retryArgs: readonly string[] | undefined) {}
  static readonly instance = new WouldBlock(undefined);
  /** Blocks, retrying with these arguments instead (XREAD's `$` resolved to the ID it waits after). */
  static retryingWith(args: readonly string[]): WouldBlock {
    return new WouldBlock(args);
  }
}

export type ApplyResult = RespValue | WouldBlock;

interface CommandBase {
  /** Lower-case name; subcommands are `container|sub`. */
  readonly name: string;
  /** Redis arity: N means exactly N arguments including the name, -N means at least N. */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly keys: KeyPositions;
  /** For commands whose keys move (`movablekeys`): finds them in the arguments, which were checked. */
  readonly findKeys?: (args: readonly string[]) => string[];
  /**
   * Key-spec flags: one list for the whole key range, or one per key when the keys play
   * different roles (RENAME's source and destination). The positions come from `keys`.
   */
  readonly keySpecFlags?: readonly (readonly KeySpecFlag[])[];
  /** Redis 7 key specs written out, where positions and flags cannot say them: a key after a
   * keyword (STORE), keys named through patterns (SORT's BY/GET), keys in two roles with a range. */
  readonly keySpecs?: readonly KeySpecDeclaration[];
  readonly tips?: readonly CommandTip[];
  /**
   * A container's subcommands (CLIENT, CONFIG, XGROUP, XINFO...): the dispatcher checks the
   * subcommand and its arity from these before the command runs, and COMMAND lists them.
   */
  readonly subcommands?: readonly SubcommandSpec[];
  /** Categories beyond those derived from flags (write, read, fast/slow, admin, ...). */
  readonly categories: readonly AclCategory[];
  readonly group: CommandGroup;
  readonly summary: string;
  readonly since: string;
  readonly complexity: string;
}

/** Reads the keyspace without changing it; served by the leader from applied state. */
export interface ReadCommand extends CommandBase {
  readonly kind: 'read';
  execute(context: ReadContext, args: readonly string[]): RespValue;
}

/** Changes the keyspace: checked up front, then appended to the log and applied everywhere. */
export interface WriteCommand extends CommandBase {
  readonly kind: 'write';
  /** Errors knowable from the arguments alone, replied at once without touching the log. */
  check?(args: readonly string[]): ErrorReply | undefined;
  /** The keys it may change, when not all of its keys (SORT changes only STORE's destination):
   * what breaks a WATCH and invalidates client-side caches. */
  writtenKeys?(args: readonly string[]): readonly string[];
  apply(context: ApplyContext, args: readonly string[]): ApplyResult;
  /** Blocking commands: the timeout argument's position and what a timed-out client gets. */
  readonly blocking?: {
    /** How long a client waits, in ms (0: forever); the arguments were checked. */
    readonly timeoutMs: (args: readonly string[]) => number;
    readonly timeoutReply: RespValue;
    /** What it gives inside MULTI/EXEC, where it never blocks, if not the timeout reply: Redis
     * answers BLMOVE and BRPOPLPUSH there with a null bulk string, on a timeout with a null array. */
    readonly inTransactionReply?: RespValue;
    /**
     * Readers that take nothing (XREAD): every waiter on a ready key is retried, and one that
     * still finds nothing stays parked, instead of serving the longest-waiting client only.
     */
    readonly nonConsuming?: boolean;
  };
}

/** Acts on the connection or the node (PING, CLIENT, CONFIG...): implemented by server/. */
export interface ServerCommand extends CommandBase {
  readonly kind: 'server';
}

export interface SubcommandSpec extends Omit<CommandBase, 'group' | 'since' | 'complexity' | 'subcommands'> {
  readonly since?: string;
  readonly complexity?: string;
}

/** A subcommand `container|name` without keys (give `keys` where it has some). */
export function subcommand(container: string, name: string, arity: number, flags: readonly CommandFlag[], categories: readonly AclCategory[], summary: string): SubcommandSpec {
  return { name: `${container}|${name}`, arity, flags, keys: NO_KEYS, categories, summary };
}

export type CommandSpec = ReadCommand | WriteCommand | ServerCommand;
