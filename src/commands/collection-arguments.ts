// Argument rules shared by the collection commands: the HSCAN/SSCAN/ZSCAN options, Redis's
// random sampling with a count (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER, SPOP), optional pop
// counts, and the `numkeys key...` lists of the multi-key pops and intersections.
//
// The collection SCANs return every matching element in one reply with cursor 0, which the
// SCAN contract allows (COUNT is a hint) and which is what Redis does for small collections.

import { ErrorReply } from '../protocol/values.js';
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

/** `numkeys key [key ...]` at `at`: the keys, checked as Redis checks them. */
export function parseNumKeys(args: readonly string[], at: number, extraArgs: number): readonly string[] | ErrorReply {
  const numKeys = parseInt64(args[at]);
  if (numKeys === undefined || numKeys <= 0) return errorReply('ERR numkeys should be greater than 0');
  if (typeof numKeys !== 'number' || numKeys > args.length - at - 1 - extraArgs) return errorReply('ERR Number of keys can\'t be greater than number of args');
  return args.slice(at + 1, at + 1 + numKeys);
}

/** `[LIMIT n]` of SINTERCARD/ZINTERCARD: Infinity when absent or 0. */
export function parseCardinalityLimit(rest: readonly string[]): number | ErrorReply {
  if (rest.length === 0) return Infinity;
  if (rest.length !== 2 || option(rest[0]) !== 'limit') return SYNTAX;
  const limit = parseInt64(rest[1]);
  if (limit === undefined) return NOT_INTEGER;
  if (limit < 0) return errorReply('ERR LIMIT can\'t be negative');
  return limit === 0 ? Infinity : Number(limit);
}

/** `[COUNT n]` after a multi-key pop's direction: 1 when absent. */
export function parsePopCount(rest: readonly string[]): number | ErrorReply {
  if (rest.length === 0) return 1;
  if (rest.length !== 2 || option(rest[0]) !== 'count') return SYNTAX;
  const count = parseInt64(rest[1]);
  if (count === undefined || count <= 0) return errorReply('ERR count should be greater than 0');
  return Number(count);
}

export interface ScanOptions {
  readonly pattern?: string;
  readonly count: number;
}

/** Parses `cursor [MATCH pattern] [COUNT count]`, the options starting at `optionsFrom`. */
export function parseScanOptions(args: readonly string[], optionsFrom: number): ScanOptions | ErrorReply {
  if (!/^\d+$/.test(args[optionsFrom - 1])) return INVALID_CURSOR;
  let pattern: string | undefined;
  let count = 10;
  for (let i = optionsFrom; i < args.length; i += 2) {
    if (i + 1 >= args.length) return SYNTAX;
    const name = option(args[i]);
    if (name === 'match') pattern = args[i + 1] === '*' ? undefined : args[i + 1];
    else if (name === 'count') {
      const parsed = parseInt64(args[i + 1]);
      if (parsed === undefined) return NOT_INTEGER;
      if (parsed < 1) return SYNTAX;
      count = Number(parsed);
    } else return SYNTAX;
  }
  return { pattern, count };
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
