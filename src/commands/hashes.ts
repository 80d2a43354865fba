// Hash commands (Redis's t_hash.c).

import { ErrorReply, OK, RespMap, RespPairs } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { HashValue } from '../engine/hash-value.js';
import { addInt64, formatHumanFloat, parseFloatArg, parseInt64 } from './arguments.js';
import type { ApplyContext, CommandSpec, ReadContext } from './command-spec.js';
import { NAN_OR_INFINITY, NOT_FLOAT, NOT_INTEGER, OVERFLOW, errorReply, wrongArity } from './errors.js';
import { readCollection, storeCollection, writeCollection } from './typed-access.js';
import { scanCollection, parseRandomCount, randomSample } from './collection-arguments.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const HASH_NOT_INTEGER = errorReply('ERR hash value is not an integer');
const HASH_NOT_FLOAT = errorReply('ERR hash value is not a float');
/** HINCRBYFLOAT refuses a non-finite increment outright, before it looks at the key (unlike INCRBYFLOAT). */
const INFINITE_INCREMENT = errorReply('ERR value is NaN or Infinity');

function read(context: ReadContext, key: string): HashValue | undefined | ErrorReply {
  return readCollection(context, key, HashValue);
}

/** Runs `mutate` on the hash at `key` (created if missing), then stores or deletes it. */
function mutate(context: ApplyContext, key: string, change: (hash: HashValue) => RespValue): RespValue {
  const existing = writeCollection(context, key, HashValue);
  if (existing instanceof ErrorReply) return existing;
  const hash = existing ?? new HashValue();
  const reply = change(hash);
  storeCollection(context, key, hash, existing !== undefined);
  return reply;
}

function setFields(name: string) {
  return {
    check: (args: readonly string[]) => (args.length % 2 === 0 ? undefined : wrongArity(name)),
    apply: (context: ApplyContext, args: readonly string[]) => mutate(context, args[1], (hash) => {
      // One lookup per field: the size tells a new field from a replaced one.
      const before = hash.fields.size;
      for (let i = 2; i < args.length; i += 2) hash.fields.set(args[i], args[i + 1]);
      return name === 'hmset' ? OK : hash.fields.size - before;
    }),
  };
}

export const hashCommands: readonly CommandSpec[] = [
  {
    name: 'hset', kind: 'write', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Creates or modifies the value of a field in a hash.', since: '2.0.0', complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    ...setFields('hset'),
  },
  {
    name: 'hmset', kind: 'write', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Sets the values of multiple fields.', since: '2.0.0', complexity: 'O(N) where N is the number of fields being set.',
    ...setFields('hmset'),
  },
  {
    name: 'hsetnx', kind: 'write', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Sets the value of a field in a hash only when the field doesn\'t exist.', since: '2.0.0', complexity: 'O(1)',
    apply: (context, args) => mutate(context, args[1], (hash) => {
      if (hash.fields.has(args[2])) return 0;
      hash.fields.set(args[2], args[3]);
      return 1;
    }),
  },
  {
    name: 'hget', kind: 'read', arity: 3, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Returns the value of a field in a hash.', since: '2.0.0', complexity: 'O(1)',
    execute: (context, args) => {
      const hash = read(context, args[1]);
      return hash instanceof ErrorReply ? hash : (hash?.fields.get(args[2]) ?? null);
    },
  },
  {
    name: 'hmget', kind: 'read', arity: -3, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Returns the values of all fields in a hash.', since: '2.0.0', complexity: 'O(N) where N is the number of fields being requested.',
    execute: (context, args) => {
      const hash = read(context, args[1]);
      if (hash instanceof ErrorReply) return hash;
      return args.slice(2).map((field) => hash?.fields.get(field) ?? null);
    },
  },
  {
    name: 'hdel', kind: 'write', arity: -3, flags: ['write', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.', since: '2.0.0', complexity: 'O(N) where N is the number of fields to be removed.',
    apply: (context, args) => {
      const hash = writeCollection(context, args[1], HashValue);
      if (hash === undefined || hash instanceof ErrorReply) return hash ?? 0;
      let deleted = 0;
      for (let i = 2; i < args.length; i++) if (hash.fields.delete(args[i])) deleted++;
      storeCollection(context, args[1], hash, true);
      return deleted;
    },
  },
  {
    name: 'hexists', kind: 'read', arity: 3, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Determines whether a field exists in a hash.', since: '2.0.0', complexity: 'O(1)',
    execute: (context, args) => {
      const hash = read(context, args[1]);
      return hash instanceof ErrorReply ? hash : hash?.fields.has(args[2]) ? 1 : 0;
    },
  },
  {
    name: 'hlen', kind: 'read', arity: 2, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Returns the number of fields in a hash.', since: '2.0.0', complexity: 'O(1)',
    execute: (context, args) => {
      const hash = read(context, args[1]);
      return hash instanceof ErrorReply ? hash : (hash?.size ?? 0);
    },
  },
  {
    name: 'hstrlen', kind: 'read', arity: 3, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Returns the length of the value of a field.', since: '3.2.0', complexity: 'O(1)',
    execute: (context, args) => {
      const hash = read(context, args[1]);
      return hash instanceof ErrorReply ? hash : (hash?.fields.get(args[2])?.length ?? 0);
    },
  },
  ...(['hkeys', 'hvals', 'hgetall'] as const).map((name): CommandSpec => ({
    name, kind: 'read', arity: 2, flags: ['readonly'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', since: '2.0.0', complexity: 'O(N) where N is the size of the hash.',
    summary: { hkeys: 'Returns all fields in a hash.', hvals: 'Returns all values in a hash.', hgetall: 'Returns all fields and values in a hash.' }[name],
    execute: (context, args) => {
      const hash = read(context, args[1]);
      if (hash instanceof ErrorReply) return hash;
      if (name === 'hkeys') return [...(hash?.fields.keys() ?? [])];
      if (name === 'hvals') return [...(hash?.fields.values() ?? [])];
      return new RespMap([...(hash?.fields ?? [])]);
    },
  })),
  {
    name: 'hincrby', kind: 'write', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn\'t exist.', since: '2.0.0', complexity: 'O(1)',
    check: (args) => (parseInt64(args[3]) === undefined ? NOT_INTEGER : undefined),
    apply: (context, args) => mutate(context, args[1], (hash) => {
      const current = hash.fields.get(args[2]);
      const base = current === undefined ? 0 : parseInt64(current);
      if (base === undefined) return HASH_NOT_INTEGER;
      const sum = addInt64(base, parseInt64(args[3]) as number | bigint);
      if (sum === undefined) return OVERFLOW;
      hash.fields.set(args[2], String(sum));
      return sum;
    }),
  },
  {
    name: 'hincrbyfloat', kind: 'write', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn\'t exist.', since: '2.6.0', complexity: 'O(1)',
    check: (args) => {
      const increment = parseFloatArg(args[3]);
      if (increment === undefined) return NOT_FLOAT;
      return Number.isFinite(increment) ? undefined : INFINITE_INCREMENT;
    },
    apply: (context, args) => mutate(context, args[1], (hash) => {
      const current = hash.fields.get(args[2]);
      const base = current === undefined ? 0 : parseFloatArg(current);
      if (base === undefined) return HASH_NOT_FLOAT;
      const sum = base + (parseFloatArg(args[3]) as number);
      if (!Number.isFinite(sum)) return NAN_OR_INFINITY;
      const text = formatHumanFloat(sum);
      hash.fields.set(args[2], text);
      return text;
    }),
  },
  {
    name: 'hrandfield', kind: 'read', arity: -2, flags: ['readonly'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Returns one or more random fields from a hash.', since: '6.2.0', complexity: 'O(N) where N is the number of fields returned',
    execute: (context, args) => {
      const parsed = parseRandomCount(args, 'withvalues');
      if (parsed instanceof ErrorReply) return parsed;
      const hash = read(context, args[1]);
      if (hash instanceof ErrorReply) return hash;
      if (parsed.count === undefined) return hash === undefined ? null : randomSample([...hash.fields.keys()], 1, context.random)[0];
      if (hash === undefined) return [];
      const fields = randomSample([...hash.fields.keys()], parsed.count, context.random);
      if (!parsed.paired) return fields;
      return new RespPairs(fields.map((field) => [field, hash.fields.get(field) as string]));
    },
  },
  {
    name: 'hscan', kind: 'read', arity: -3, flags: ['readonly'], keys: ONE_KEY, categories: ['hash'],
    group: 'hash', summary: 'Iterates over fields and values of a hash.', since: '2.8.0', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    execute: (context, args) => scanCollection(args, read(context, args[1]), (hash, matches) => {
      const items: string[] = [];
      for (const [field, value] of hash.fields) if (matches(field)) items.push(field, value);
      return items;
    }),
  },
];
