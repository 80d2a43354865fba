// Shared by the collection commands: the HSCAN/SSCAN/ZSCAN options and Redis's rules for
// random sampling with a count (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER, SPOP).
//
// The collection SCANs return every matching element in one reply with cursor 0, which the
// SCAN contract allows (COUNT is a hint) and which is what Redis does for small collections.

import { ErrorReply } from '../protocol/values.js';
import { option, parseInt64 } from './arguments.js';
import { INVALID_CURSOR, NOT_INTEGER, SYNTAX } from './errors.js';

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
