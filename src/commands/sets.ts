// Set commands (Redis's t_set.c).

import { ErrorReply, RespSet } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { SetValue } from '../engine/set-value.js';
import { parseInt64 } from './arguments.js';
import type { ApplyContext, CommandSpec, ReadContext } from './command-spec.js';
import { WRONGTYPE, errorReply } from './errors.js';
import { readCollection, storeCollection, writeCollection } from './typed-access.js';
import { checkOptionalCount, parseCardinalityLimit, parseNumKeys, scanCollection, parseRandomCount, randomSample } from './collection-arguments.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const ALL_KEYS = { first: 1, last: -1, step: 1 } as const;
const EMPTY = new SetValue();
/** SINTERCARD's own wording; the other `numkeys` commands call it a syntax error. */
const TOO_MANY_KEYS = errorReply('ERR Number of keys can\'t be greater than number of args');

type SetOperation = 'inter' | 'union' | 'diff';

/** Reads every named set (missing = empty); the first key of another type is WRONGTYPE. */
function readSets(context: ReadContext, keys: readonly string[]): SetValue[] | ErrorReply {
  const sets: SetValue[] = [];
  for (const key of keys) {
    const set = readCollection(context, key, SetValue);
    if (set instanceof ErrorReply) return set;
    sets.push(set ?? EMPTY);
  }
  return sets;
}

function combine(operation: SetOperation, sets: readonly SetValue[], limit = Infinity): Set<string> {
  const result = new Set<string>();
  if (operation === 'union') {
    for (const set of sets) for (const member of set.members) result.add(member);
    return result;
  }
  if (operation === 'diff') {
    const [first, ...rest] = sets;
    for (const member of first.members) if (!rest.some((set) => set.members.has(member))) result.add(member);
    return result;
  }
  // Intersections walk the smallest set, as Redis does.
  const ordered = [...sets].sort((a, b) => a.size - b.size);
  for (const member of ordered[0].members) {
    if (ordered.every((set) => set.members.has(member))) result.add(member);
    if (result.size >= limit) break;
  }
  return result;
}

function mutateSet(context: ApplyContext, key: string, change: (set: SetValue) => RespValue): RespValue {
  const existing = writeCollection(context, key, SetValue);
  if (existing instanceof ErrorReply) return existing;
  const set = existing ?? new SetValue();
  const reply = change(set);
  storeCollection(context, key, set, existing !== undefined);
  return reply;
}

function read(context: ReadContext, key: string): SetValue | undefined | ErrorReply {
  return readCollection(context, key, SetValue);
}

function setOperationCommands(operation: SetOperation): CommandSpec[] {
  const summaries = { inter: 'the intersect of multiple sets', union: 'the union of multiple sets', diff: 'the difference of multiple sets' };
  return [
    {
      name: `s${operation}`, kind: 'read', arity: -2, flags: ['readonly'], keys: ALL_KEYS, categories: ['set'],
      group: 'set', summary: `Returns ${summaries[operation]}.`, since: '1.0.0', complexity: 'O(N) where N is the total number of elements in all given sets.',
      execute: (context, args) => {
        const sets = readSets(context, args.slice(1));
        return sets instanceof ErrorReply ? sets : new RespSet([...combine(operation, sets)]);
      },
    },
    {
      name: `s${operation}store`, kind: 'write', arity: -3, flags: ['write', 'denyoom'], keys: ALL_KEYS, categories: ['set'],
      group: 'set', summary: `Stores ${summaries[operation]} in a key.`, since: '1.0.0', complexity: 'O(N) where N is the total number of elements in all given sets.',
      apply: (context, args) => {
        const sets = readSets(context, args.slice(2));
        if (sets instanceof ErrorReply) return sets;
        const result = combine(operation, sets);
        context.keyspace.delete(args[1]);
        if (result.size > 0) context.keyspace.set(args[1], new SetValue(result));
        return result.size;
      },
    },
  ];
}

export const setCommands: readonly CommandSpec[] = [
  {
    name: 'sadd', kind: 'write', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, categories: ['set'],
    group: 'set', summary: 'Adds one or more members to a set. Creates the key if it doesn\'t exist.', since: '1.0.0', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    apply: (context, args) => mutateSet(context, args[1], (set) => {
      const before = set.size;
      for (let i = 2; i < args.length; i++) set.members.add(args[i]);
      return set.size - before;
    }),
  },
  {
    name: 'srem', kind: 'write', arity: -3, flags: ['write', 'fast'], keys: ONE_KEY, categories: ['set'],
    group: 'set', summary: 'Removes one or more members from a set. Deletes the set if the last member was removed.', since: '1.0.0', complexity: 'O(N) where N is the number of members to be removed.',
    apply: (context, args) => {
      const set = writeCollection(context, args[1], SetValue);
      if (set === undefined || set instanceof ErrorReply) return set ?? 0;
      let removed = 0;
      for (let i = 2; i < args.length; i++) if (set.members.delete(args[i])) removed++;
      storeCollection(context, args[1], set, true);
      return removed;
    },
  },
  {
    name: 'smembers', kind: 'read', arity: 2, flags: ['readonly'], keys: ONE_KEY, categories: ['set'],
    group: 'set', summary: 'Returns all members of a set.', since: '1.0.0', complexity: 'O(N) where N is the set cardinality.',
    execute: (context, args) => {
      const set = read(context, args[1]);
      return set instanceof ErrorReply ? set : new RespSet([...(set?.members ?? [])]);
    },
  },
  {
    name: 'sismember', kind: 'read', arity: 3, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['set'],
    group: 'set', summary: 'Determines whether a member belongs to a set.', since: '1.0.0', complexity: 'O(1)',
    execute: (context, args) => {
      const set = read(context, args[1]);
      return set instanceof ErrorReply ? set : set?.members.has(args[2]) ? 1 : 0;
    },
  },
  {
    name: 'smismember', kind: 'read', arity: -3, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['set'],
    group: 'set', summary: 'Determines whether multiple members belong to a set.', since: '6.2.0', complexity: 'O(N) where N is the number of elements being checked for membership',
    execute: (context, args) => {
      const set = read(context, args[1]);
      return set instanceof ErrorReply ? set : args.slice(2).map((member) => (set?.members.has(member) ? 1 : 0));
    },
  },
  {
    name: 'scard', kind: 'read', arity: 2, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['set'],
    group: 'set', summary: 'Returns the number of members in a set.', since: '1.0.0', complexity: 'O(1)',
    execute: (context, args) => {
      const set = read(context, args[1]);
      return set instanceof ErrorReply ? set : (set?.size ?? 0);
    },
  },
  {
    name: 'spop', kind: 'write', arity: -2, flags: ['write', 'fast'], keys: ONE_KEY, categories: ['set'],
    group: 'set', summary: 'Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.', since: '1.0.0', complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
    check: checkOptionalCount,
    apply: (context, args) => {
      const set = writeCollection(context, args[1], SetValue);
      if (set instanceof ErrorReply) return set;
      const count = args.length === 3 ? Number(parseInt64(args[2])) : undefined;
      if (set === undefined) return count === undefined ? null : new RespSet([]);
      const popped = randomSample([...set.members], count ?? 1, context.random);
      for (const member of popped) set.members.delete(member);
      storeCollection(context, args[1], set, true);
      return count === undefined ? popped[0] : new RespSet(popped);
    },
  },
  {
    name: 'srandmember', kind: 'read', arity: -2, flags: ['readonly'], keys: ONE_KEY, categories: ['set'],
    group: 'set', summary: 'Get one or multiple random members from a set', since: '1.0.0', complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
    execute: (context, args) => {
      const parsed = parseRandomCount(args);
      if (parsed instanceof ErrorReply) return parsed;
      const set = read(context, args[1]);
      if (set instanceof ErrorReply) return set;
      if (parsed.count === undefined) return set === undefined ? null : randomSample([...set.members], 1, context.random)[0];
      return randomSample([...(set?.members ?? [])], parsed.count, context.random);
    },
  },
  {
    name: 'smove', kind: 'write', arity: 4, flags: ['write', 'fast'], keys: { first: 1, last: 2, step: 1 }, categories: ['set'],
    group: 'set', summary: 'Moves a member from one set to another.', since: '1.0.0', complexity: 'O(1)',
    apply: (context, args) => {
      const [, sourceKey, destinationKey, member] = args;
      const source = writeCollection(context, sourceKey, SetValue);
      const destination = writeCollection(context, destinationKey, SetValue);
      // A missing source answers 0 before any type is checked, as in Redis.
      if (source === undefined) return 0;
      if (source instanceof ErrorReply || destination instanceof ErrorReply) return WRONGTYPE;
      if (!source.members.has(member)) return 0;
      if (sourceKey === destinationKey) return 1;
      source.members.delete(member);
      storeCollection(context, sourceKey, source, true);
      return mutateSet(context, destinationKey, (set) => {
        set.members.add(member);
        return 1;
      });
    },
  },
  ...setOperationCommands('inter'),
  ...setOperationCommands('union'),
  ...setOperationCommands('diff'),
  {
    name: 'sintercard', kind: 'read', arity: -3, flags: ['readonly'], keys: { first: 2, last: -1, step: 1 }, categories: ['set'],
    group: 'set', summary: 'Returns the number of members of the intersect of multiple sets.', since: '7.0.0', complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
    execute: (context, args) => {
      const keys = parseNumKeys(args, 1, 0, TOO_MANY_KEYS);
      if (keys instanceof ErrorReply) return keys;
      const limit = parseCardinalityLimit(args.slice(2 + keys.length));
      if (limit instanceof ErrorReply) return limit;
      const sets = readSets(context, keys);
      return sets instanceof ErrorReply ? sets : combine('inter', sets, limit).size;
    },
  },
  {
    name: 'sscan', kind: 'read', arity: -3, flags: ['readonly'], keys: ONE_KEY, categories: ['set'],
    group: 'set', summary: 'Iterates over members of a set.', since: '2.8.0', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    execute: (context, args) => scanCollection(args, read(context, args[1]), (set, matches) => [...set.members].filter(matches)),
  },
];

