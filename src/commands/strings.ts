// String commands (Redis's t_string.c). Values are latin1 strings; numbers are stored as their
// decimal text, exactly as Redis stores them, so GET after INCR returns what Redis returns.

import assert from 'node:assert/strict';
import { ErrorReply, OK } from '../protocol/values.js';
import { MAX_ARGUMENT_BYTES } from '../protocol/parser.js';
import type { RespValue } from '../protocol/values.js';
import type { Keyspace } from '../engine/keyspace.js';
import { addInt64, formatHumanFloat, negateInt64, option, parseFloatArg, parseInt64, parseSafeInteger } from './arguments.js';
import type { ApplyContext, CommandSpec, ReadContext, WriteCommand } from './command-spec.js';
import {
  NAN_OR_INFINITY, NOT_FLOAT, NOT_INTEGER, OFFSET_OUT_OF_RANGE, OVERFLOW, STRING_TOO_LONG, SYNTAX, WRONGTYPE,
  errorOf, errorReply, wrongArity,
} from './errors.js';
import {
  parseExpiryArgument, parseExpiryOptions, readExpiryArgument, resolveExpiry,
  type ExpiryArgument, type ExpiryOption, type ResolvedExpiry,
} from './expiry-options.js';
import { readString, writeString } from './typed-access.js';

/**
 * The largest string a command may create: Redis's 512 MB proto-max-bulk-len, lowered to
 * V8's maximum string length (2^29 - 24 chars) which a value must fit in.
 */
export const MAX_STRING_BYTES = MAX_ARGUMENT_BYTES;

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const DECREMENT_OVERFLOW = errorReply('ERR decrement would overflow');

interface SetOptions {
  readonly condition?: 'nx' | 'xx';
  readonly returnOld: boolean;
  readonly expiry?: ExpiryOption;
}

const PLAIN_SET: SetOptions = { returnOld: false };

function parseSetOptions(args: readonly string[]): SetOptions | ErrorReply {
  if (args.length === 3) return PLAIN_SET;
  let condition: SetOptions['condition'];
  let returnOld = false;
  let expiryArgument: ExpiryArgument | undefined;
  for (let i = 3; i < args.length; i++) {
    const name = option(args[i]);
    // Repeating an option is allowed; NX with XX is not (Redis's parseExtendedStringArgumentsOrReply).
    if (name === 'nx' || name === 'xx') {
      if (condition !== undefined && condition !== name) return SYNTAX;
      condition = name;
    } else if (name === 'get') returnOld = true;
    else {
      const next = readExpiryArgument(args, i, expiryArgument, { keepTtl: true, persist: false });
      if (next === undefined || next instanceof ErrorReply) return SYNTAX;
      expiryArgument = next;
      if (next.time !== undefined) i++;
    }
  }
  if (expiryArgument === undefined) return { condition, returnOld };
  const expiry = parseExpiryArgument(expiryArgument, 'set');
  if (expiry instanceof ErrorReply) return expiry;
  return { condition, returnOld, expiry };
}

/** Stores a string honouring an expiry option; an absolute time in the past deletes the key. */
function storeWithExpiry(keyspace: Keyspace, key: string, value: string, expiry: ResolvedExpiry | undefined, nowMs: number): void {
  if (expiry === undefined) return keyspace.set(key, value);
  if (expiry.kind === 'keepttl') return keyspace.set(key, value, true);
  keyspace.set(key, value);
  if (expiry.kind === 'persist') return;
  if (expiry.atMs <= nowMs) keyspace.delete(key);
  else keyspace.setExpireAt(key, expiry.atMs);
}

/** The expiry of a parsed option at this entry's time, or the error for a time that overflows. */
function resolved(expiry: ExpiryOption | undefined, nowMs: number, command: string): ResolvedExpiry | undefined | ErrorReply {
  return expiry === undefined ? undefined : resolveExpiry(expiry, nowMs, command);
}

function applySet(context: ApplyContext, key: string, value: string, options: SetOptions): RespValue {
  const { keyspace, nowMs } = context;
  // Redis validates the time before it looks at the key (t_string.c setGenericCommand).
  const expiry = resolved(options.expiry, nowMs, 'set');
  if (expiry instanceof ErrorReply) return expiry;
  // Fast path: nothing depends on the old value (KEEPTTL does: an expired key's TTL must go).
  if (options.condition === undefined && !options.returnOld && expiry?.kind !== 'keepttl') {
    storeWithExpiry(keyspace, key, value, expiry, nowMs);
    return OK;
  }
  const old = options.returnOld ? writeString(context, key) : null;
  if (old instanceof ErrorReply) return WRONGTYPE;
  const exists = keyspace.getForWrite(key, nowMs) !== undefined;
  if ((options.condition === 'nx' && exists) || (options.condition === 'xx' && !exists)) {
    return options.returnOld ? old : null;
  }
  storeWithExpiry(keyspace, key, value, expiry, nowMs);
  return options.returnOld ? old : OK;
}

/** INCRBY and friends: the stored value must be an integer string; the result must fit int64. */
function incrementBy(context: ApplyContext, key: string, delta: number | bigint): RespValue {
  const current = writeString(context, key);
  if (current instanceof ErrorReply) return WRONGTYPE;
  const base = current === null ? 0 : parseInt64(current);
  if (base === undefined) return NOT_INTEGER;
  const sum = addInt64(base, delta);
  if (sum === undefined) return OVERFLOW;
  context.keyspace.set(key, String(sum), true);
  return sum;
}

function integerArgCheck(position: number) {
  return (args: readonly string[]) => (parseInt64(args[position]) === undefined ? NOT_INTEGER : undefined);
}

/** Redis's GETRANGE index arithmetic on a string of `length` bytes. */
function substring(value: string, startArg: number, endArg: number): string {
  const length = value.length;
  if (startArg < 0 && endArg < 0 && startArg > endArg) return '';
  let start = startArg < 0 ? length + startArg : startArg;
  let end = endArg < 0 ? length + endArg : endArg;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return '';
  return value.slice(start, end + 1);
}

const getexExpiry = (args: readonly string[]) => parseExpiryOptions(args.slice(2), 'getex', { keepTtl: false, persist: true });

const setexExpiry = (name: 'setex' | 'psetex', args: readonly string[]) =>
  parseExpiryArgument({ name: name === 'setex' ? 'ex' : 'px', time: args[2] }, name);

function executeGetrange(context: ReadContext, args: readonly string[]): RespValue {
  const start = parseInt64(args[2]);
  const end = parseInt64(args[3]);
  if (start === undefined || end === undefined) return NOT_INTEGER;
  const value = readString(context, args[1]);
  if (value instanceof ErrorReply) return value;
  return substring(value ?? '', clampToSafe(start), clampToSafe(end));
}

export const stringCommands: readonly CommandSpec[] = [
  {
    name: 'get', kind: 'read', arity: 2, flags: ['readonly', 'fast'], keys: ONE_KEY, keySpecFlags: [['RO', 'access']], categories: ['string'],
    group: 'string', summary: 'Returns the string value of a key.', since: '1.0.0', complexity: 'O(1)',
    execute: (context, args) => readString(context, args[1]),
  },
  {
    name: 'set', kind: 'write', arity: -3, flags: ['write', 'denyoom'], keys: ONE_KEY, keySpecFlags: [['RW', 'access', 'update', 'variable_flags']], categories: ['string'],
    group: 'string', summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.',
    since: '1.0.0', complexity: 'O(1)',
    check: (args) => errorOf(parseSetOptions(args)),
    apply: (context, args) => applySet(context, args[1], args[2], parseSetOptions(args) as SetOptions),
  },
  {
    name: 'setnx', kind: 'write', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, keySpecFlags: [['OW', 'insert']], categories: ['string'],
    group: 'string', summary: 'Set the string value of a key only when the key doesn\'t exist.', since: '1.0.0', complexity: 'O(1)',
    apply: (context, args) => (applySet(context, args[1], args[2], { condition: 'nx', returnOld: false }) === OK ? 1 : 0),
  },
  ...(['setex', 'psetex'] as const).map((name): WriteCommand => ({
    name, kind: 'write', arity: 4, flags: ['write', 'denyoom'], keys: ONE_KEY, keySpecFlags: [['OW', 'update']], categories: ['string'],
    group: 'string', summary: `Sets the string value and expiration time in ${name === 'setex' ? 'seconds' : 'milliseconds'} of a key.`,
    since: name === 'setex' ? '2.0.0' : '2.6.0', complexity: 'O(1)',
    check: (args) => errorOf(setexExpiry(name, args)),
    apply: (context, args) => {
      const expiry = resolveExpiry(setexExpiry(name, args) as ExpiryOption, context.nowMs, name);
      if (expiry instanceof ErrorReply) return expiry;
      storeWithExpiry(context.keyspace, args[1], args[3], expiry, context.nowMs);
      return OK;
    },
  })),
  {
    name: 'getset', kind: 'write', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'access', 'update']], categories: ['string'],
    group: 'string', summary: 'Returns the previous string value of a key after setting it to a new value.', since: '1.0.0', complexity: 'O(1)',
    apply: (context, args) => applySet(context, args[1], args[2], { returnOld: true }),
  },
  {
    name: 'getdel', kind: 'write', arity: 2, flags: ['write', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'access', 'delete']], categories: ['string'],
    group: 'string', summary: 'Returns the string value of a key after deleting the key.', since: '6.2.0', complexity: 'O(1)',
    apply: (context, args) => {
      const value = writeString(context, args[1]);
      if (typeof value === 'string') context.keyspace.delete(args[1]);
      return value;
    },
  },
  {
    name: 'getex', kind: 'write', arity: -2, flags: ['write', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'access', 'update']], categories: ['string'],
    group: 'string', summary: 'Returns the string value of a key after setting its expiration time.', since: '6.2.0', complexity: 'O(1)',
    // Redis rejects a malformed option list first, then looks the key up (nil or WRONGTYPE
    // win), and only then validates the time (t_string.c getexCommand).
    check: (args) => (args.length > 2 && getexExpiry(args) === SYNTAX ? SYNTAX : undefined),
    apply: (context, args) => {
      const value = writeString(context, args[1]);
      if (typeof value !== 'string' || args.length === 2) return value;
      const parsed = getexExpiry(args);
      const expiry = parsed instanceof ErrorReply ? parsed : resolveExpiry(parsed, context.nowMs, 'getex');
      if (expiry instanceof ErrorReply) return expiry;
      storeWithExpiry(context.keyspace, args[1], value, expiry, context.nowMs);
      return value;
    },
  },
  {
    name: 'mget', kind: 'read', arity: -2, flags: ['readonly', 'fast'], keys: { first: 1, last: -1, step: 1 }, keySpecFlags: [['RO', 'access']], tips: ['request_policy:multi_shard'], categories: ['string'],
    group: 'string', summary: 'Atomically returns the string values of one or more keys.', since: '1.0.0', complexity: 'O(N) where N is the number of keys to retrieve.',
    execute: (context, args) => {
      const values: RespValue[] = [];
      for (let i = 1; i < args.length; i++) {
        const value = context.keyspace.get(args[i], context.nowMs);
        values.push(typeof value === 'string' ? value : null);
      }
      return values;
    },
  },
  {
    name: 'mset', kind: 'write', arity: -3, flags: ['write', 'denyoom'], keys: { first: 1, last: -1, step: 2 }, keySpecFlags: [['OW', 'update']], tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'], categories: ['string'],
    group: 'string', summary: 'Atomically creates or modifies the string values of one or more keys.', since: '1.0.1', complexity: 'O(N) where N is the number of keys to set.',
    check: (args) => (args.length % 2 === 1 ? undefined : wrongArity('mset')),
    apply: (context, args) => {
      for (let i = 1; i < args.length; i += 2) context.keyspace.set(args[i], args[i + 1]);
      return OK;
    },
  },
  {
    name: 'msetnx', kind: 'write', arity: -3, flags: ['write', 'denyoom'], keys: { first: 1, last: -1, step: 2 }, keySpecFlags: [['OW', 'insert']], tips: ['request_policy:multi_shard', 'response_policy:agg_min'], categories: ['string'],
    group: 'string', summary: 'Atomically modifies the string values of one or more keys only when all keys don\'t exist.', since: '1.0.1', complexity: 'O(N) where N is the number of keys to set.',
    check: (args) => (args.length % 2 === 1 ? undefined : wrongArity('msetnx')),
    apply: (context, args) => {
      for (let i = 1; i < args.length; i += 2) if (context.keyspace.getForWrite(args[i], context.nowMs) !== undefined) return 0;
      for (let i = 1; i < args.length; i += 2) context.keyspace.set(args[i], args[i + 1]);
      return 1;
    },
  },
  {
    name: 'incr', kind: 'write', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'access', 'update']], categories: ['string'],
    group: 'string', summary: 'Increments the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.', since: '1.0.0', complexity: 'O(1)',
    apply: (context, args) => incrementBy(context, args[1], 1),
  },
  {
    name: 'decr', kind: 'write', arity: 2, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'access', 'update']], categories: ['string'],
    group: 'string', summary: 'Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.', since: '1.0.0', complexity: 'O(1)',
    apply: (context, args) => incrementBy(context, args[1], -1),
  },
  {
    name: 'incrby', kind: 'write', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'access', 'update']], categories: ['string'],
    group: 'string', summary: 'Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.', since: '1.0.0', complexity: 'O(1)',
    check: integerArgCheck(2),
    apply: (context, args) => incrementBy(context, args[1], parseInt64(args[2]) as number | bigint),
  },
  {
    name: 'decrby', kind: 'write', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'access', 'update']], categories: ['string'],
    group: 'string', summary: 'Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn\'t exist.', since: '1.0.0', complexity: 'O(1)',
    check: (args) => {
      const delta = parseInt64(args[2]);
      if (delta === undefined) return NOT_INTEGER;
      return negateInt64(delta) === undefined ? DECREMENT_OVERFLOW : undefined;
    },
    apply: (context, args) => incrementBy(context, args[1], negateInt64(parseInt64(args[2]) as number | bigint) as number | bigint),
  },
  {
    name: 'incrbyfloat', kind: 'write', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'access', 'update']], categories: ['string'],
    group: 'string', summary: 'Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.', since: '2.6.0', complexity: 'O(1)',
    check: (args) => (parseFloatArg(args[2]) === undefined ? NOT_FLOAT : undefined),
    apply: (context, args) => {
      const current = writeString(context, args[1]);
      if (current instanceof ErrorReply) return WRONGTYPE;
      const base = current === null ? 0 : parseFloatArg(current);
      if (base === undefined) return NOT_FLOAT;
      const sum = base + (parseFloatArg(args[2]) as number);
      if (!Number.isFinite(sum)) return NAN_OR_INFINITY;
      const text = formatHumanFloat(sum);
      context.keyspace.set(args[1], text, true);
      return text;
    },
  },
  {
    name: 'append', kind: 'write', arity: 3, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'insert']], categories: ['string'],
    group: 'string', summary: 'Appends a string to the value of a key. Creates the key if it doesn\'t exist.', since: '2.0.0', complexity: 'O(1).',
    apply: (context, args) => {
      const current = writeString(context, args[1]);
      if (current instanceof ErrorReply) return WRONGTYPE;
      const base = current ?? '';
      if (base.length + args[2].length > MAX_STRING_BYTES) return STRING_TOO_LONG;
      const next = base + args[2];
      context.keyspace.set(args[1], next, true);
      return next.length;
    },
  },
  {
    name: 'strlen', kind: 'read', arity: 2, flags: ['readonly', 'fast'], keys: ONE_KEY, keySpecFlags: [['RO']], categories: ['string'],
    group: 'string', summary: 'Returns the length of a string value.', since: '2.2.0', complexity: 'O(1)',
    execute: (context, args) => {
      const value = readString(context, args[1]);
      return value instanceof ErrorReply ? value : (value?.length ?? 0);
    },
  },
  {
    name: 'getrange', kind: 'read', arity: 4, flags: ['readonly'], keys: ONE_KEY, keySpecFlags: [['RO', 'access']], categories: ['string'],
    group: 'string', summary: 'Returns a substring of the string stored at a key.', since: '2.4.0', complexity: 'O(N) where N is the length of the returned string.',
    execute: executeGetrange,
  },
  {
    // GETRANGE's old name, still in Redis 7.
    name: 'substr', kind: 'read', arity: 4, flags: ['readonly'], keys: ONE_KEY, keySpecFlags: [['RO', 'access']], categories: ['string'],
    group: 'string', summary: 'Returns a substring from a string value.', since: '1.0.0', complexity: 'O(N) where N is the length of the returned string.',
    execute: executeGetrange,
  },
  {
    name: 'setrange', kind: 'write', arity: 4, flags: ['write', 'denyoom'], keys: ONE_KEY, keySpecFlags: [['RW', 'update']], categories: ['string'],
    group: 'string', summary: 'Overwrites a part of a string value with another by an offset. Creates the key if it doesn\'t exist.', since: '2.2.0', complexity: 'O(1), not counting the time taken to copy the new string in place.',
    check: (args) => {
      const offset = parseInt64(args[2]);
      if (offset === undefined) return NOT_INTEGER;
      if (offset < 0) return OFFSET_OUT_OF_RANGE;
      // Redis answers an empty write with the length before it checks the size.
      if (args[3].length === 0) return undefined;
      return Number(offset) + args[3].length > MAX_STRING_BYTES ? STRING_TOO_LONG : undefined;
    },
    apply: (context, args) => {
      const patch = args[3];
      const current = writeString(context, args[1]);
      if (current instanceof ErrorReply) return WRONGTYPE;
      const base = current ?? '';
      if (patch.length === 0) return base.length;
      const offset = parseSafeInteger(args[2]);
      assert.ok(offset !== undefined, 'check bounds the offset of a non-empty write');
      const padded = base.length < offset ? base + '\0'.repeat(offset - base.length) : base;
      const next = padded.slice(0, offset) + patch + padded.slice(offset + patch.length);
      context.keyspace.set(args[1], next, true);
      return next.length;
    },
  },
];

function clampToSafe(value: number | bigint): number {
  if (typeof value === 'number') return value;
  return value > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

