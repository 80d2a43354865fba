// Generic key commands (Redis's db.c and expire.c): existence, deletion, renaming, expiry,
// iteration. Expiry times are absolute milliseconds resolved against the entry's stamp.

import assert from 'node:assert/strict';
import { ErrorReply, OK, SimpleString } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { SLOT_COUNT } from '../engine/key-slot.js';
import { globMatch } from '../engine/glob.js';
import { typeOf } from '../engine/keyspace.js';
import type { Keyspace, TypeName, Value } from '../engine/keyspace.js';
import { option, parseInt64 } from './arguments.js';
import type { ApplyContext, CommandSpec, ReadContext, WriteCommand } from './command-spec.js';
import { DB_OUT_OF_RANGE, INVALID_CURSOR, NOT_INTEGER, NO_SUCH_KEY, SYNTAX, errorReply, invalidExpireTime } from './errors.js';
import { INT64_MAX, INT64_MIN, msAsDouble } from './expiry-options.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const ALL_KEYS = { first: 1, last: -1, step: 1 } as const;
const TWO_KEYS = { first: 1, last: 2, step: 1 } as const;
const TYPE_NAMES: ReadonlySet<string> = new Set<TypeName>(['string', 'list', 'set', 'zset', 'hash', 'stream']);

function exists(context: ReadContext, key: string): boolean {
  return context.keyspace.get(key, context.nowMs) !== undefined;
}

/** EXISTS and TOUCH: how many of the named keys exist (a key named twice counts twice). */
function countExisting(context: ReadContext, args: readonly string[]): number {
  let count = 0;
  for (let i = 1; i < args.length; i++) if (exists(context, args[i])) count++;
  return count;
}

function deleteKeys(context: ApplyContext, args: readonly string[]): number {
  let deleted = 0;
  for (let i = 1; i < args.length; i++) {
    if (context.keyspace.getForWrite(args[i], context.nowMs) !== undefined && context.keyspace.delete(args[i])) deleted++;
  }
  return deleted;
}

type ExpireCondition = 'nx' | 'xx' | 'gt' | 'lt';

interface ExpireRequest {
  readonly atMs: number;
  /** All must hold (XX may be combined with GT or LT). */
  readonly conditions: ReadonlySet<ExpireCondition>;
}

/** EXPIRE and friends: the time argument and NX/XX/GT/LT, checked exactly like Redis 7. */
function parseExpire(args: readonly string[], unitMs: 1 | 1000, absolute: boolean, nowMs: number): ExpireRequest | ErrorReply {
  const command = args[0].toLowerCase();
  const when = parseInt64(args[2]);
  if (when === undefined) return NOT_INTEGER;
  const flags = new Set<ExpireCondition>();
  for (let i = 3; i < args.length; i++) {
    const name = option(args[i]);
    if (name !== 'nx' && name !== 'xx' && name !== 'gt' && name !== 'lt') return errorReply(`ERR Unsupported option ${args[i]}`);
    flags.add(name);
  }
  if (flags.has('nx') && flags.size > 1) return errorReply('ERR NX and XX, GT or LT options at the same time are not compatible');
  if (flags.has('gt') && flags.has('lt')) return errorReply('ERR GT and LT options at the same time are not compatible');
  let ms = BigInt(when) * BigInt(unitMs);
  if (ms > INT64_MAX || ms < INT64_MIN) return invalidExpireTime(command);
  if (!absolute) {
    ms += BigInt(nowMs);
    if (ms > INT64_MAX) return invalidExpireTime(command);
  }
  return { atMs: msAsDouble(ms), conditions: flags };
}

function applyExpire(context: ApplyContext, args: readonly string[], unitMs: 1 | 1000, absolute: boolean): RespValue {
  const request = parseExpire(args, unitMs, absolute, context.nowMs);
  if (request instanceof ErrorReply) return request;
  const { keyspace, nowMs } = context;
  const key = args[1];
  if (keyspace.getForWrite(key, nowMs) === undefined) return 0;
  const current = keyspace.expireAt(key);
  for (const condition of request.conditions) {
    if (condition === 'nx' && current !== undefined) return 0;
    if (condition === 'xx' && current === undefined) return 0;
    if (condition === 'gt' && (current === undefined || request.atMs <= current)) return 0;
    if (condition === 'lt' && current !== undefined && request.atMs >= current) return 0;
  }
  if (request.atMs <= nowMs) keyspace.delete(key);
  else keyspace.setExpireAt(key, request.atMs);
  return 1;
}

function expireCommand(name: string, unitMs: 1 | 1000, absolute: boolean, since: string): WriteCommand {
  const unit = unitMs === 1000 ? 'seconds' : 'milliseconds';
  return {
    name, kind: 'write', arity: -3, flags: ['write', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'update']], categories: ['keyspace'],
    group: 'generic', since, complexity: 'O(1)',
    summary: absolute ? `Sets the expiration time of a key to a Unix ${unitMs === 1000 ? 'timestamp' : 'milliseconds timestamp'}.` : `Sets the expiration time of a key in ${unit}.`,
    // The relative forms depend on the apply time only for overflow; checking with 0 catches the rest.
    check: (args) => {
      const request = parseExpire(args, unitMs, absolute, 0);
      return request instanceof ErrorReply ? request : undefined;
    },
    apply: (context, args) => applyExpire(context, args, unitMs, absolute),
  };
}

function ttlCommand(name: string, unitMs: 1 | 1000, mode: 'ttl' | 'time', since: string, summary: string): CommandSpec {
  return {
    name, kind: 'read', arity: 2, flags: ['readonly', 'fast'], keys: ONE_KEY, keySpecFlags: [['RO', 'access']], categories: ['keyspace'],
    tips: mode === 'ttl' ? ['nondeterministic_output'] : [],
    group: 'generic', summary, since, complexity: 'O(1)',
    execute: (context, args) => {
      if (!exists(context, args[1])) return -2;
      const atMs = context.keyspace.expireAt(args[1]);
      if (atMs === undefined) return -1;
      const ms = mode === 'time' ? atMs : Math.max(0, atMs - context.nowMs);
      // Redis rounds both the relative and the absolute form to the nearest second.
      if (!Number.isSafeInteger(ms)) return unitMs === 1 ? BigInt(ms) : (BigInt(ms) + 500n) / 1000n;
      return unitMs === 1 ? ms : Math.floor((ms + 500) / 1000);
    },
  };
}

/** Moves `from` to `to` with its expiry, replacing `to`. */
function moveKey(keyspace: Keyspace, from: string, to: string): void {
  const value = keyspace.getForWrite(from, Number.NEGATIVE_INFINITY);
  if (value === undefined) throw new Error('moveKey: source vanished');
  const atMs = keyspace.expireAt(from);
  keyspace.delete(from);
  keyspace.delete(to);
  keyspace.set(to, value);
  if (atMs !== undefined) keyspace.setExpireAt(to, atMs);
}

function applyRename(context: ApplyContext, args: readonly string[], onlyIfAbsent: boolean): RespValue {
  const { keyspace, nowMs } = context;
  const [, from, to] = args;
  const value = keyspace.getForWrite(from, nowMs);
  if (value === undefined) return NO_SUCH_KEY;
  if (from === to) return onlyIfAbsent ? 0 : OK;
  if (onlyIfAbsent && keyspace.getForWrite(to, nowMs) !== undefined) return 0;
  moveKey(keyspace, from, to);
  signalIfBlockable(context, to, value);
  return onlyIfAbsent ? 1 : OK;
}

/** A key that now holds a list, sorted set or stream may serve clients blocked on it, as Redis's dbAdd signals. */
function signalIfBlockable(context: ApplyContext, key: string, value: Value): void {
  if (typeof value !== 'string' && (value.type === 'list' || value.type === 'zset' || value.type === 'stream')) context.signalReady(key);
}

interface CopyRequest { readonly replace: boolean }

function parseCopy(args: readonly string[]): CopyRequest | ErrorReply {
  let replace = false;
  for (let i = 3; i < args.length; i++) {
    const name = option(args[i]);
    if (name === 'replace') replace = true;
    else if (name === 'db' && i + 1 < args.length) {
      const db = parseInt64(args[++i]);
      if (db === undefined) return NOT_INTEGER;
      if (db !== 0) return DB_OUT_OF_RANGE;
    } else return SYNTAX;
  }
  if (args[1] === args[2]) return errorReply('ERR source and destination objects are the same');
  return { replace };
}

interface ScanRequest {
  readonly cursor: number;
  readonly pattern?: string;
  readonly count: number;
  readonly type?: string;
}

function parseScan(args: readonly string[]): ScanRequest | ErrorReply {
  if (!/^\d+$/.test(args[1]) || BigInt(args[1]) > 18446744073709551615n) return INVALID_CURSOR;
  const cursor = Number(args[1]);
  let pattern: string | undefined;
  let count = 10;
  let type: string | undefined;
  for (let i = 2; i < args.length; i++) {
    const name = option(args[i]);
    if (i + 1 >= args.length) return SYNTAX;
    const value = args[++i];
    if (name === 'match') pattern = value;
    else if (name === 'count') {
      const parsed = parseInt64(value);
      if (parsed === undefined) return NOT_INTEGER;
      if (parsed < 1) return SYNTAX;
      count = typeof parsed === 'number' ? Math.min(parsed, SLOT_COUNT * 1024) : SLOT_COUNT * 1024;
    } else if (name === 'type') {
      if (!TYPE_NAMES.has(value.toLowerCase())) return errorReply(`ERR unknown type name '${value}'`);
      type = value.toLowerCase();
    } else return SYNTAX;
  }
  return { cursor, pattern, count, type };
}

function executeScan(context: ReadContext, request: ScanRequest): RespValue {
  const keys: string[] = [];
  if (request.cursor >= SLOT_COUNT) return ['0', keys];
  const next = context.keyspace.scan(request.cursor, request.count, (key, value) => {
    if (context.keyspace.isExpired(key, context.nowMs)) return;
    if (request.pattern !== undefined && request.pattern !== '*' && !globMatch(request.pattern, key)) return;
    if (request.type !== undefined && typeOf(value) !== request.type) return;
    keys.push(key);
  });
  return [String(next), keys];
}

const RANDOM_KEY_ATTEMPTS = 100;

/** A database index as Redis's getIntFromObject reads it (an int), or undefined. */
function parseDatabase(text: string): number | undefined {
  const index = parseInt64(text);
  return index === undefined || index < -(2 ** 31) || index >= 2 ** 31 ? undefined : Number(index);
}

/** Only database 0 exists here. */
function checkDatabases(args: readonly string[], errors: readonly ErrorReply[]): ErrorReply | undefined {
  const indexes = args.map(parseDatabase);
  const bad = indexes.findIndex((index) => index === undefined);
  if (bad !== -1) return errors[bad];
  return indexes.every((index) => index === 0) ? undefined : DB_OUT_OF_RANGE;
}

export const keyCommands: readonly CommandSpec[] = [
  {
    // One database: a key can only be "moved" where it already is, which Redis refuses.
    name: 'move', kind: 'write', arity: 3, flags: ['write', 'fast'], keys: { first: 1, last: 1, step: 1 }, keySpecFlags: [['RW', 'access', 'update']], categories: ['keyspace'],
    group: 'generic', summary: 'Moves a key to another database.', since: '1.0.0', complexity: 'O(1)',
    check: (args) => {
      const index = parseDatabase(args[2]);
      if (index === undefined) return parseInt64(args[2]) === undefined ? NOT_INTEGER : errorReply('ERR value is out of range, value must between -2147483648 and 2147483647');
      return index === 0 ? errorReply('ERR source and destination objects are the same') : DB_OUT_OF_RANGE;
    },
    apply: () => assert.fail('MOVE never passes its check, so it never reaches the log'),
  },
  {
    name: 'swapdb', kind: 'write', arity: 3, flags: ['write', 'fast'], keys: { first: 0, last: 0, step: 0 }, categories: ['keyspace', 'dangerous'],
    group: 'server', summary: 'Swaps two Redis databases.', since: '4.0.0', complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
    check: (args) => checkDatabases(args.slice(1), [errorReply('ERR invalid first DB index'), errorReply('ERR invalid second DB index')]),
    // Swapping database 0 with itself changes nothing.
    apply: () => OK,
  },
  ...(['del', 'unlink'] as const).map((name): WriteCommand => ({
    name, kind: 'write', arity: -2, flags: name === 'del' ? ['write'] : ['write', 'fast'], keys: ALL_KEYS, categories: ['keyspace'],
    keySpecFlags: [['RM', 'delete']], tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
    group: 'generic', since: name === 'del' ? '1.0.0' : '4.0.0', complexity: 'O(N) where N is the number of keys that will be removed.',
    summary: name === 'del' ? 'Deletes one or more keys.' : 'Asynchronously deletes one or more keys.',
    apply: deleteKeys,
  })),
  {
    name: 'exists', kind: 'read', arity: -2, flags: ['readonly', 'fast'], keys: ALL_KEYS, keySpecFlags: [['RO']], tips: ['request_policy:multi_shard', 'response_policy:agg_sum'], categories: ['keyspace'],
    group: 'generic', summary: 'Determines whether one or more keys exist.', since: '1.0.0', complexity: 'O(N) where N is the number of keys to check.',
    execute: countExisting,
  },
  {
    name: 'touch', kind: 'read', arity: -2, flags: ['readonly', 'fast'], keys: ALL_KEYS, keySpecFlags: [['RO']], tips: ['request_policy:multi_shard', 'response_policy:agg_sum'], categories: ['keyspace'],
    group: 'generic', summary: 'Returns the number of existing keys out of those specified after updating the time they were last accessed.', since: '3.2.1', complexity: 'O(N) where N is the number of keys that will be touched.',
    execute: countExisting,
  },
  {
    name: 'type', kind: 'read', arity: 2, flags: ['readonly', 'fast'], keys: ONE_KEY, keySpecFlags: [['RO']], categories: ['keyspace'],
    group: 'generic', summary: 'Determines the type of value stored at a key.', since: '1.0.0', complexity: 'O(1)',
    execute: (context, args) => {
      const value = context.keyspace.get(args[1], context.nowMs);
      return new SimpleString(value === undefined ? 'none' : typeOf(value));
    },
  },
  expireCommand('expire', 1000, false, '1.0.0'),
  expireCommand('pexpire', 1, false, '2.6.0'),
  expireCommand('expireat', 1000, true, '1.2.0'),
  expireCommand('pexpireat', 1, true, '2.6.0'),
  ttlCommand('ttl', 1000, 'ttl', '1.0.0', 'Returns the expiration time in seconds of a key.'),
  ttlCommand('pttl', 1, 'ttl', '2.6.0', 'Returns the expiration time in milliseconds of a key.'),
  ttlCommand('expiretime', 1000, 'time', '7.0.0', 'Returns the expiration time of a key as a Unix timestamp.'),
  ttlCommand('pexpiretime', 1, 'time', '7.0.0', 'Returns the expiration time of a key as a Unix milliseconds timestamp.'),
  {
    name: 'persist', kind: 'write', arity: 2, flags: ['write', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'update']], categories: ['keyspace'],
    group: 'generic', summary: 'Removes the expiration time of a key.', since: '2.2.0', complexity: 'O(1)',
    apply: (context, args) => (context.keyspace.getForWrite(args[1], context.nowMs) !== undefined && context.keyspace.persist(args[1]) ? 1 : 0),
  },
  {
    name: 'rename', kind: 'write', arity: 3, flags: ['write'], keys: TWO_KEYS, keySpecFlags: [['RW', 'access', 'delete'], ['OW', 'update']], categories: ['keyspace'],
    group: 'generic', summary: 'Renames a key and overwrites the destination.', since: '1.0.0', complexity: 'O(1)',
    apply: (context, args) => applyRename(context, args, false),
  },
  {
    name: 'renamenx', kind: 'write', arity: 3, flags: ['write', 'fast'], keys: TWO_KEYS, keySpecFlags: [['RW', 'access', 'delete'], ['OW', 'insert']], categories: ['keyspace'],
    group: 'generic', summary: 'Renames a key only when the target key name doesn\'t exist.', since: '1.0.0', complexity: 'O(1)',
    apply: (context, args) => applyRename(context, args, true),
  },
  {
    name: 'copy', kind: 'write', arity: -3, flags: ['write', 'denyoom'], keys: TWO_KEYS, keySpecFlags: [['RO', 'access'], ['OW', 'update']], categories: ['keyspace'],
    group: 'generic', summary: 'Copies the value of a key to a new key.', since: '6.2.0', complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
    check: (args) => {
      const request = parseCopy(args);
      return request instanceof ErrorReply ? request : undefined;
    },
    apply: (context, args) => {
      const request = parseCopy(args) as CopyRequest;
      const { keyspace, nowMs } = context;
      const value = keyspace.getForWrite(args[1], nowMs);
      if (value === undefined) return 0;
      if (keyspace.getForWrite(args[2], nowMs) !== undefined) {
        if (!request.replace) return 0;
        keyspace.delete(args[2]);
      }
      keyspace.set(args[2], typeof value === 'string' ? value : value.clone());
      const atMs = keyspace.expireAt(args[1]);
      if (atMs !== undefined) keyspace.setExpireAt(args[2], atMs);
      signalIfBlockable(context, args[2], value);
      return 1;
    },
  },
  {
    name: 'keys', kind: 'read', arity: 2, flags: ['readonly'], keys: { first: 0, last: 0, step: 0 }, tips: ['request_policy:all_shards', 'nondeterministic_output_order'], categories: ['keyspace', 'dangerous'],
    group: 'generic', summary: 'Returns all key names that match a pattern.', since: '1.0.0', complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
    execute: (context, args) => {
      const matched: string[] = [];
      const everything = args[1] === '*';
      for (const key of context.keyspace.keys()) {
        if (context.keyspace.isExpired(key, context.nowMs)) continue;
        if (everything || globMatch(args[1], key)) matched.push(key);
      }
      return matched;
    },
  },
  {
    name: 'scan', kind: 'read', arity: -2, flags: ['readonly'], keys: { first: 0, last: 0, step: 0 }, tips: ['nondeterministic_output', 'request_policy:special'], categories: ['keyspace'],
    group: 'generic', summary: 'Iterates over the key names in the database.', since: '2.8.0', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    execute: (context, args) => {
      const request = parseScan(args);
      return request instanceof ErrorReply ? request : executeScan(context, request);
    },
  },
  {
    name: 'randomkey', kind: 'read', arity: 1, flags: ['readonly'], keys: { first: 0, last: 0, step: 0 }, tips: ['request_policy:all_shards', 'nondeterministic_output'], categories: ['keyspace'],
    group: 'generic', summary: 'Returns a random key name from the database.', since: '1.0.0', complexity: 'O(1)',
    execute: (context) => {
      for (let attempt = 0; attempt < RANDOM_KEY_ATTEMPTS; attempt++) {
        const key = context.keyspace.randomKey(context.random);
        if (key === undefined) return null;
        if (!context.keyspace.isExpired(key, context.nowMs)) return key;
      }
      // Mostly expired keys that active expiry has not removed yet: Redis would delete what it
      // draws until a live key turns up; readers here never delete, so look for one in order.
      for (const key of context.keyspace.keys()) if (!context.keyspace.isExpired(key, context.nowMs)) return key;
      return null;
    },
  },
  {
    name: 'dbsize', kind: 'read', arity: 1, flags: ['readonly', 'fast'], keys: { first: 0, last: 0, step: 0 }, tips: ['request_policy:all_shards', 'response_policy:agg_sum'], categories: ['keyspace'],
    group: 'server', summary: 'Returns the number of keys in the database.', since: '1.0.0', complexity: 'O(1)',
    execute: (context) => context.keyspace.size,
  },
  ...(['flushall', 'flushdb'] as const).map((name): WriteCommand => ({
    name, kind: 'write', arity: -1, flags: ['write'], keys: { first: 0, last: 0, step: 0 }, categories: ['keyspace', 'dangerous'],
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    group: 'server', since: '1.0.0', complexity: 'O(N) where N is the total number of keys in all databases',
    summary: name === 'flushall' ? 'Removes all keys from all databases.' : 'Remove all keys from the current database.',
    check: (args) => (args.length > 2 || (args.length === 2 && !['async', 'sync'].includes(option(args[1]))) ? SYNTAX : undefined),
    apply: (context) => {
      context.keyspace.clear();
      return OK;
    },
  })),
];
