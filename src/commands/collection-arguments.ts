// Argument rules shared by the collection commands: the HSCAN/SSCAN/ZSCAN options, Redis's
// random sampling with a count (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER, SPOP), optional pop
// counts, and the `numkeys key...` lists of the multi-key pops and intersections.
//
// The collection SCANs return every matching element in one reply with cursor 0, which the
// SCAN contract allows (COUNT is a hint) and which is what Redis does for small collections.

import { ErrorReply } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { globMatch } from '../engine/glob.js';
import { option, parseInt64 } from './arguments.js';
import { INVALID_CURSOR, NOT_INTEGER, SYNTAX, errorReply } from './errors.js';

const MUST_BE_POSITIVE = errorReply('ERR value is out of range, must be positive');

/** `key [count]` of SPOP, ZPOPMIN, LPOP...: the count, when given, must be a non-negative integer. */
export function checkOptionalCount(args: readonly string[]): ErrorReply | undefined {
  if (args.length > 3) return SYNTAX;
  if (args.length === 3) {
    const count = parseInt64(args[2]);
    if (count === undefined || count < 0) return MUST_BE_POSITIVE;
  }
  return undefined;
}

/**
 * `numkeys key [key ...]` at `at`: the keys, checked as Redis checks them. More keys than
 * arguments is a syntax error, except for SINTERCARD (`tooManyKeys`).
 */
export function parseNumKeys(args: readonly string[], at: number, extraArgs: number, tooManyKeys = SYNTAX): readonly string[] | ErrorReply {
  const numKeys = parseInt64(args[at]);
  if (numKeys === undefined || numKeys <= 0) return errorReply('ERR numkeys should be greater than 0');
  if (typeof numKeys !== 'number' || numKeys > args.length - at - 1 - extraArgs) return tooManyKeys;
  return args.slice(at + 1, at + 1 + numKeys);
}

/**
 * `[LIMIT n]` of SINTERCARD/ZINTERCARD: Infinity when absent or 0. As in Redis, LIMIT may repeat
 * (the last wins), and a limit that is not an integer is also told it "can't be negative".
 */
export function parseCardinalityLimit(rest: readonly string[]): number | ErrorReply {
  let limit = 0;
  for (let i = 0; i < rest.length; i += 2) {
    if (i + 1 >= rest.length || option(rest[i]) !== 'limit') return SYNTAX;
    const parsed = parseInt64(rest[i + 1]);
    if (parsed === undefined || parsed < 0) return errorReply('ERR LIMIT can\'t be negative');
    limit = Number(parsed);
  }
  return limit === 0 ? Infinity : limit;
}

/** `[COUNT n]` after a multi-key pop's direction: 1 when absent. */
export function parsePopCount(rest: readonly string[]): number | ErrorReply {
  if (rest.length === 0) return 1;
  if (rest.length !== 2 || option(rest[0]) !== 'count') return SYNTAX;
  const count = parseInt64(rest[1]);
  if (count === undefined || count <= 0) return errorReply('ERR count should be greater than 0');
  return Number(count);
}

/**
 * HSCAN, SSCAN and ZSCAN of `collection` (read already), checked in Redis's order: the cursor,
 * then the key (missing: an empty scan whatever the options are; another type: its error),
 * then `[MATCH pattern] [COUNT count]`. `elements` lists what the matching elements contribute.
 */
export function scanCollection<V>(args: readonly string[], collection: V | undefined | ErrorReply, elements: (value: V, matches: (element: string) => boolean) => string[]): RespValue {
  if (!/^\d+$/.test(args[2])) return INVALID_CURSOR;
  if (collection instanceof ErrorReply) return collection;
  if (collection === undefined) return ['0', []];
  let pattern: string | undefined;
  for (let i = 3; i < args.length; i += 2) {
    if (i + 1 >= args.length) return SYNTAX;
    const name = option(args[i]);
    if (name === 'match') pattern = args[i + 1] === '*' ? undefined : args[i + 1];
    else if (name === 'count') {
      // A hint only: every match comes back at once.
      const count = parseInt64(args[i + 1]);
      if (count === undefined) return NOT_INTEGER;
      if (count < 1) return SYNTAX;
    } else return SYNTAX;
  }
  const matching = pattern;
  return ['0', elements(collection, (element) => matching === undefined || globMatch(matching, element))];
}

/**
 * How many items a negative random count may repeat: the reply is built whole in memory, and V8
 * aborts the process (no exception to catch) on an array of about 1.3e8 elements.
 */
export const MAX_RANDOM_REPEATS = 10_000_000;
const LONG_MIN = -(2n ** 63n);
const HALF_LONG_MAX = 2n ** 62n - 1n;

/**
 * The `count [WITHVALUES|WITHSCORES]` of HRANDFIELD, ZRANDMEMBER (`paired`: that option's name)
 * and SRANDMEMBER (none), checked in Redis's order: the count within ±LONG_MAX, the syntax, then
 * half that range when items come with their values. Plus MAX_RANDOM_REPEATS.
 */
export function parseRandomCount(args: readonly string[], paired?: string): { readonly count: number | undefined; readonly paired: boolean } | ErrorReply {
  if (args.length === 2) return { count: undefined, paired: false };
  if (paired === undefined && args.length > 3) return SYNTAX;
  const count = parseInt64(args[2]);
  if (count === undefined) return NOT_INTEGER;
  if (count === LONG_MIN) return errorReply('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  if (args.length > 4 || (args.length === 4 && option(args[3]) !== paired)) return SYNTAX;
  const withValues = args.length === 4;
  if (withValues && (count < -HALF_LONG_MAX || count > HALF_LONG_MAX)) return errorReply('ERR value is out of range');
  if (count < -MAX_RANDOM_REPEATS) return errorReply(`ERR value is out of range, value must between -${MAX_RANDOM_REPEATS} and 9223372036854775807`);
  return { count: Number(count), paired: withValues };
}

/**
 * `count` > 0: up to `count` distinct items; `count` < 0: exactly -count items, repeats
 * allowed; 0: none. Order is random in both cases.
 */
export function randomSample<T>(items: readonly T[], count: number, random: () => number): T[] {
  if (items.length === 0 || count === 0) return [];
  if (count < 0) {
    const picked: T[] = [];
    for (let i = 0; i < -count; i++) picked.push(items[Math.floor(random() * items.length)]);
    return picked;
  }
  const pool = [...items];
  const wanted = Math.min(count, pool.length);
  // Partial Fisher-Yates: the first `wanted` positions become a uniform sample.
  for (let i = 0; i < wanted; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, wanted);
}
