// Sorted set commands (Redis's t_zset.c).

import { ErrorReply, NullArray, RespDouble, RespPairs } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { SetValue } from '../engine/set-value.js';
import { SortedSetValue, belowMax, lexAboveMin, lexBelowMax } from '../engine/sorted-set.js';
import type { LexBound, ScoreBound } from '../engine/sorted-set.js';
import { option, parseFloatArg, parseInt64 } from './arguments.js';
import { WouldBlock } from './command-spec.js';
import type { ApplyContext, CommandSpec, ReadContext, WriteCommand } from './command-spec.js';
import { NOT_FLOAT, NOT_INTEGER, SYNTAX, WRONGTYPE, errorReply } from './errors.js';
import { readCollection, storeCollection, writeCollection } from './typed-access.js';
import { checkOptionalCount, parseCardinalityLimit, parseNumKeys, parsePopCount, scanCollection, parseRandomCount, randomSample } from './collection-arguments.js';
import { parseTimeoutMs } from './lists.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const NOT_A_FLOAT_RANGE = errorReply('ERR min or max is not a float');
const NOT_A_LEX_RANGE = errorReply('ERR min or max not valid string range item');

type Scored = [member: string, score: number];

function read(context: ReadContext, key: string): SortedSetValue | undefined | ErrorReply {
  return readCollection(context, key, SortedSetValue);
}

function withScores(items: readonly Scored[]): RespPairs {
  return new RespPairs(items.map(([member, score]) => [member, new RespDouble(score)]));
}

function parseScoreBound(text: string): ScoreBound | undefined {
  const exclusive = text.startsWith('(');
  const value = parseFloatArg(exclusive ? text.slice(1) : text);
  return value === undefined ? undefined : { value, exclusive };
}

function parseLexBound(text: string): LexBound | undefined {
  if (text === '-') return { value: '', exclusive: false, infinite: 'min' };
  if (text === '+') return { value: '', exclusive: false, infinite: 'max' };
  if (text.startsWith('(')) return { value: text.slice(1), exclusive: true };
  if (text.startsWith('[')) return { value: text.slice(1), exclusive: false };
  return undefined;
}

/** Members within score bounds, ascending (or descending from max when reversed), after offset/count. */
function byScore(zset: SortedSetValue, min: ScoreBound, max: ScoreBound, reverse: boolean, offset = 0, count = -1): Scored[] {
  const start = zset.firstRankAtLeast(min);
  const inRange: Scored[] = [];
  for (const entry of zset.rangeByRank(start, zset.size - 1, false)) {
    if (!belowMax(entry[1], max)) break;
    inRange.push(entry);
  }
  if (reverse) inRange.reverse();
  return inRange.slice(offset, count < 0 ? undefined : offset + count);
}

function byLex(zset: SortedSetValue, min: LexBound, max: LexBound, reverse: boolean, offset = 0, count = -1): Scored[] {
  const start = zset.firstRankAtLeastLex(min);
  const inRange: Scored[] = [];
  for (const entry of zset.rangeByRank(start, zset.size - 1, false)) {
    if (!lexBelowMax(entry[0], max)) break;
    if (lexAboveMin(entry[0], min)) inRange.push(entry);
  }
  if (reverse) inRange.reverse();
  return inRange.slice(offset, count < 0 ? undefined : offset + count);
}

function byRank(zset: SortedSetValue, startArg: number, endArg: number, reverse: boolean): Scored[] {
  const size = zset.size;
  let start = startArg < 0 ? size + startArg : startArg;
  let end = endArg < 0 ? size + endArg : endArg;
  if (start < 0) start = 0;
  if (start > end || start >= size) return [];
  if (end >= size) end = size - 1;
  return zset.rangeByRank(start, end, reverse);
}

interface RangeRequest {
  readonly kind: 'rank' | 'score' | 'lex';
  readonly reverse: boolean;
  readonly withScores: boolean;
  readonly offset: number;
  readonly count: number;
  readonly min: string;
  readonly max: string;
}

/** ZRANGE's arguments from `at` (min max [BYSCORE|BYLEX] [REV] [LIMIT o c] [WITHSCORES]). */
function parseRange(args: readonly string[], at: number, allowWithScores: boolean): RangeRequest | ErrorReply {
  let kind: RangeRequest['kind'] = 'rank';
  let reverse = false;
  let withScoresFlag = false;
  let offset = 0;
  let count = -1;
  let limited = false;
  for (let i = at + 2; i < args.length; i++) {
    const name = option(args[i]);
    if (name === 'byscore' && kind === 'rank') kind = 'score';
    else if (name === 'bylex' && kind === 'rank') kind = 'lex';
    else if (name === 'rev' && !reverse) reverse = true;
    else if (name === 'withscores' && allowWithScores) withScoresFlag = true;
    else if (name === 'limit' && i + 2 < args.length) {
      const o = parseInt64(args[i + 1]);
      const c = parseInt64(args[i + 2]);
      if (o === undefined || c === undefined) return NOT_INTEGER;
      offset = Number(o);
      count = Number(c);
      limited = true;
      i += 2;
    } else return SYNTAX;
  }
  if (limited && kind === 'rank') return errorReply('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScoresFlag && kind === 'lex') return errorReply('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  const [min, max] = reverse && kind !== 'rank' ? [args[at + 1], args[at]] : [args[at], args[at + 1]];
  const request: RangeRequest = { kind, reverse, withScores: withScoresFlag, offset, count, min, max };
  // Redis checks the bounds before it looks the key up: a bad bound outranks WRONGTYPE.
  const bounds = runRange(undefined, request);
  return bounds instanceof ErrorReply ? bounds : request;
}

function runRange(zset: SortedSetValue | undefined, request: RangeRequest): Scored[] | ErrorReply {
  if (request.kind === 'rank') {
    const start = parseInt64(request.min);
    const end = parseInt64(request.max);
    if (start === undefined || end === undefined) return NOT_INTEGER;
    return zset === undefined ? [] : byRank(zset, Number(start), Number(end), request.reverse);
  }
  if (request.kind === 'score') {
    const min = parseScoreBound(request.min);
    const max = parseScoreBound(request.max);
    if (min === undefined || max === undefined) return NOT_A_FLOAT_RANGE;
    if (zset === undefined || request.offset < 0) return [];
    return byScore(zset, min, max, request.reverse, request.offset, request.count);
  }
  const min = parseLexBound(request.min);
  const max = parseLexBound(request.max);
  if (min === undefined || max === undefined) return NOT_A_LEX_RANGE;
  if (zset === undefined || request.offset < 0) return [];
  return byLex(zset, min, max, request.reverse, request.offset, request.count);
}

function rangeReply(items: Scored[] | ErrorReply, scores: boolean): RespValue {
  if (items instanceof ErrorReply) return items;
  return scores ? withScores(items) : items.map(([member]) => member);
}

function rangeCommand(name: string, at: number, legacy: { kind: RangeRequest['kind']; reverse: boolean } | undefined, since: string): CommandSpec {
  return {
    name, kind: 'read', arity: legacy === undefined ? -4 : -4, flags: ['readonly'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', since, complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
    summary: 'Returns members in a sorted set within a range.',
    execute: (context, args) => {
      let request: RangeRequest | ErrorReply;
      if (legacy === undefined) request = parseRange(args, at, true);
      else {
        // ZRANGEBYSCORE & co: the legacy spellings map onto ZRANGE's options.
        const extra = args.slice(at + 2).map((arg) => arg);
        request = parseRange([...args.slice(0, at + 2), ...(legacy.kind === 'score' ? ['BYSCORE'] : legacy.kind === 'lex' ? ['BYLEX'] : []), ...(legacy.reverse ? ['REV'] : []), ...extra], at, legacy.kind !== 'lex');
        if (!(request instanceof ErrorReply) && legacy.reverse && legacy.kind !== 'rank') request = { ...request, min: args[at + 1], max: args[at] };
      }
      if (request instanceof ErrorReply) return request;
      const zset = read(context, args[1]);
      if (zset instanceof ErrorReply) return zset;
      return rangeReply(runRange(zset, request), request.withScores);
    },
  };
}

interface AddOptions { nx: boolean; xx: boolean; gt: boolean; lt: boolean; ch: boolean; incr: boolean; pairsAt: number }

/** ZADD's flags and where its score/member pairs start, unchecked. */
function zaddOptions(args: readonly string[]): AddOptions {
  const options: AddOptions = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: false, pairsAt: 2 };
  let i = 2;
  for (; i < args.length; i++) {
    const name = option(args[i]);
    if (name === 'nx') options.nx = true;
    else if (name === 'xx') options.xx = true;
    else if (name === 'gt') options.gt = true;
    else if (name === 'lt') options.lt = true;
    else if (name === 'ch') options.ch = true;
    else if (name === 'incr') options.incr = true;
    else break;
  }
  options.pairsAt = i;
  return options;
}

function parseZadd(args: readonly string[]): AddOptions | ErrorReply {
  const options = zaddOptions(args);
  const i = options.pairsAt;
  const pairs = args.length - i;
  if (pairs === 0 || pairs % 2 !== 0) return SYNTAX;
  if (options.nx && options.xx) return errorReply('ERR XX and NX options at the same time are not compatible');
  if ((options.gt && options.nx) || (options.lt && options.nx) || (options.gt && options.lt)) return errorReply('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (options.incr && pairs > 2) return errorReply('ERR INCR option supports a single increment-element pair');
  for (let j = i; j < args.length; j += 2) if (parseFloatArg(args[j]) === undefined) return NOT_FLOAT;
  return options;
}

/** ZADD run on arguments another command built (GEOADD's scores), so checked here rather than up front. */
export function applyBuiltZadd(context: ApplyContext, args: readonly string[]): RespValue {
  const options = parseZadd(args);
  return options instanceof ErrorReply ? options : applyZadd(context, args);
}

/** ZADD on arguments parseZadd accepted. */
function applyZadd(context: ApplyContext, args: readonly string[]): RespValue {
  const options = zaddOptions(args);
  const existing = writeCollection(context, args[1], SortedSetValue);
  if (existing instanceof ErrorReply) return existing;
  const zset = existing ?? new SortedSetValue();
  let added = 0;
  let changed = 0;
  let incrResult: number | null = null;
  for (let i = options.pairsAt; i < args.length; i += 2) {
    const member = args[i + 1];
    let score = parseFloatArg(args[i]) as number;
    const current = zset.score(member);
    if ((options.nx && current !== undefined) || (options.xx && current === undefined)) continue;
    if (options.incr && current !== undefined) score += current;
    if (Number.isNaN(score)) return errorReply('ERR resulting score is not a number (NaN)');
    if (current !== undefined && ((options.gt && score <= current) || (options.lt && score >= current))) continue;
    if (current === undefined) added++;
    else if (current !== score) changed++;
    zset.add(member, score, current);
    incrResult = score;
  }
  storeCollection(context, args[1], zset, existing !== undefined);
  if (added > 0 || changed > 0) context.signalReady(args[1]);
  if (options.incr) return incrResult === null ? null : new RespDouble(incrResult);
  return options.ch ? added + changed : added;
}

/** Pops up to `count` members from the low or high end; undefined when the key is missing. */
export function popFromSortedSet(context: ApplyContext, key: string, fromMax: boolean, count: number): Scored[] | undefined | ErrorReply {
  const zset = writeCollection(context, key, SortedSetValue);
  if (zset === undefined || zset instanceof ErrorReply) return zset;
  const taken = zset.rangeByRank(0, Math.min(count, zset.size) - 1, fromMax);
  for (const [member] of taken) zset.remove(member);
  storeCollection(context, key, zset, true);
  if (zset.size > 0) context.signalReady(key);
  return taken;
}

function popCommand(name: string, fromMax: boolean): WriteCommand {
  return {
    name, kind: 'write', arity: -2, flags: ['write', 'fast'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', since: '5.0.0', complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    summary: `Returns the ${fromMax ? 'highest' : 'lowest'}-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.`,
    check: checkOptionalCount,
    apply: (context, args) => {
      const withCount = args.length === 3;
      const taken = popFromSortedSet(context, args[1], fromMax, withCount ? Number(parseInt64(args[2])) : 1);
      if (taken instanceof ErrorReply) return taken;
      if (taken === undefined || taken.length === 0) return [];
      if (!withCount) return [taken[0][0], new RespDouble(taken[0][1])];
      return withScores(taken);
    },
  };
}

function blockingPopCommand(name: string, fromMax: boolean): WriteCommand {
  return {
    name, kind: 'write', arity: -3, flags: ['write', 'blocking', 'fast'], keys: { first: 1, last: -2, step: 1 }, categories: ['sortedset'],
    group: 'sorted-set', since: '5.0.0', complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    summary: `Removes and returns the member with the ${fromMax ? 'highest' : 'lowest'} score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.`,
    check: (args) => {
      const timeout = parseTimeoutMs(args[args.length - 1]);
      return timeout instanceof ErrorReply ? timeout : undefined;
    },
    blocking: { timeoutMs: (args) => parseTimeoutMs(args[args.length - 1]) as number, timeoutReply: NullArray.instance },
    apply: (context, args) => {
      for (const key of args.slice(1, -1)) {
        const taken = popFromSortedSet(context, key, fromMax, 1);
        if (taken instanceof ErrorReply) return taken;
        if (taken !== undefined && taken.length > 0) return [key, taken[0][0], new RespDouble(taken[0][1])];
      }
      return WouldBlock.instance;
    },
  };
}

interface MultiPop { readonly keys: readonly string[]; readonly fromMax: boolean; readonly count: number }

function parseZmpop(args: readonly string[], at: number): MultiPop | ErrorReply {
  const keys = parseNumKeys(args, at, 1);
  if (keys instanceof ErrorReply) return keys;
  const end = option(args[at + 1 + keys.length]);
  if (end !== 'min' && end !== 'max') return SYNTAX;
  const count = parsePopCount(args.slice(at + 2 + keys.length));
  return count instanceof ErrorReply ? count : { keys, fromMax: end === 'max', count };
}

function zmpopCommand(name: string, blocking: boolean): WriteCommand {
  const at = blocking ? 2 : 1;
  return {
    name, kind: 'write', arity: blocking ? -5 : -4, flags: blocking ? ['write', 'blocking', 'movablekeys'] : ['write', 'movablekeys'],
    keys: { first: at + 1, last: -2, step: 1 }, categories: ['sortedset'], group: 'sorted-set', since: '7.0.0',
    complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    summary: `Returns the highest- or lowest-scoring members from one or more sorted sets after removing them.${blocking ? ' Blocks until a member is available otherwise.' : ''} Deletes the sorted set if the last member was popped.`,
    check: (args) => {
      if (blocking) {
        const timeout = parseTimeoutMs(args[1]);
        if (timeout instanceof ErrorReply) return timeout;
      }
      const request = parseZmpop(args, at);
      return request instanceof ErrorReply ? request : undefined;
    },
    blocking: blocking ? { timeoutMs: (args) => parseTimeoutMs(args[1]) as number, timeoutReply: NullArray.instance } : undefined,
    apply: (context, args) => {
      const request = parseZmpop(args, at) as MultiPop;
      for (const key of request.keys) {
        const taken = popFromSortedSet(context, key, request.fromMax, request.count);
        if (taken instanceof ErrorReply) return taken;
        if (taken !== undefined && taken.length > 0) return [key, taken.map(([member, score]) => [member, new RespDouble(score)])];
      }
      return blocking ? WouldBlock.instance : NullArray.instance;
    },
  };
}

type Aggregate = 'sum' | 'min' | 'max';
interface CombineRequest {
  readonly keys: readonly string[];
  readonly weights: readonly number[];
  readonly aggregate: Aggregate;
  readonly withScores: boolean;
  /** A bad WEIGHTS/AGGREGATE/WITHSCORES, answered once the keys' types passed. */
  readonly optionsError: ErrorReply | undefined;
}

function parseCombine(args: readonly string[], at: number, name: string, allowWithScores: boolean, allowWeights: boolean): CombineRequest | ErrorReply {
  const numKeys = parseInt64(args[at]);
  if (numKeys === undefined) return NOT_INTEGER;
  if (numKeys < 1) return errorReply(`ERR at least 1 input key is needed for '${name}' command`);
  if (typeof numKeys !== 'number' || numKeys > args.length - at - 1) return SYNTAX;
  const keys = args.slice(at + 1, at + 1 + numKeys);
  const weights: number[] = keys.map(() => 1);
  let aggregate: Aggregate = 'sum';
  let withScoresFlag = false;
  // Redis reads the options only after it checked the keys' types: their error waits for that.
  let optionsError: ErrorReply | undefined;
  for (let i = at + 1 + numKeys; i < args.length && optionsError === undefined; i++) {
    const word = option(args[i]);
    if (word === 'weights' && allowWeights && i + numKeys < args.length) {
      for (let j = 0; j < numKeys && optionsError === undefined; j++) {
        const weight = parseFloatArg(args[i + 1 + j]);
        if (weight === undefined) optionsError = errorReply('ERR weight value is not a float');
        else weights[j] = weight;
      }
      i += numKeys;
    } else if (word === 'aggregate' && allowWeights && i + 1 < args.length) {
      const how = option(args[++i]);
      if (how !== 'sum' && how !== 'min' && how !== 'max') optionsError = SYNTAX;
      else aggregate = how;
    } else if (word === 'withscores' && allowWithScores) withScoresFlag = true;
    else optionsError = SYNTAX;
  }
  return { keys, weights, aggregate, withScores: withScoresFlag, optionsError };
}

/** Reads inputs that may be sorted sets or plain sets (members score 1), as Redis allows. */
function readScored(context: ReadContext, key: string): Map<string, number> | undefined | ErrorReply {
  const value = context.keyspace.get(key, context.nowMs);
  if (value === undefined) return undefined;
  if (value instanceof SortedSetValue) return value.scores;
  if (value instanceof SetValue) return new Map([...value.members].map((member) => [member, 1]));
  return WRONGTYPE;
}

function combine(context: ReadContext, operation: 'union' | 'inter' | 'diff', request: CombineRequest): Scored[] | ErrorReply {
  const inputs: Array<Map<string, number> | undefined> = [];
  for (const key of request.keys) {
    const input = readScored(context, key);
    if (input instanceof ErrorReply) return input;
    inputs.push(input);
  }
  if (request.optionsError !== undefined) return request.optionsError;
  const merge = (a: number, b: number): number => {
    const sum = request.aggregate === 'sum' ? a + b : request.aggregate === 'min' ? Math.min(a, b) : Math.max(a, b);
    return Number.isNaN(sum) ? 0 : sum;
  };
  const weighted = (score: number, i: number): number => {
    const value = score * request.weights[i];
    return Number.isNaN(value) ? 0 : value;
  };
  const result = new Map<string, number>();
  if (operation === 'diff') {
    for (const [member, score] of inputs[0] ?? []) if (!inputs.slice(1).some((input) => input?.has(member))) result.set(member, score);
  } else if (operation === 'union') {
    inputs.forEach((input, i) => {
      for (const [member, score] of input ?? []) {
        const current = result.get(member);
        result.set(member, current === undefined ? weighted(score, i) : merge(current, weighted(score, i)));
      }
    });
  } else if (inputs.every((input) => input !== undefined)) {
    for (const [member, score] of inputs[0] as Map<string, number>) {
      if (!inputs.every((input) => input?.has(member))) continue;
      let total = weighted(score, 0);
      for (let i = 1; i < inputs.length; i++) total = merge(total, weighted((inputs[i] as Map<string, number>).get(member) as number, i));
      result.set(member, total);
    }
  }
  const sorted = new SortedSetValue();
  for (const [member, score] of result) sorted.add(member, score);
  return [...sorted.entries()];
}

function combineCommands(operation: 'union' | 'inter' | 'diff'): CommandSpec[] {
  const weights = operation !== 'diff';
  return [
    {
      name: `z${operation}`, kind: 'read', arity: -3, flags: ['readonly', 'movablekeys'], keys: { first: 2, last: -1, step: 1 }, categories: ['sortedset'],
      group: 'sorted-set', since: '6.2.0', complexity: 'O(N)+O(M*log(M))', summary: `Returns the ${operation} of multiple sorted sets.`,
      execute: (context, args) => {
        const request = parseCombine(args, 1, `z${operation}`, true, weights);
        if (request instanceof ErrorReply) return request;
        return rangeReply(combine(context, operation, request), request.withScores);
      },
    },
    {
      name: `z${operation}store`, kind: 'write', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], keys: { first: 1, last: -1, step: 1 }, categories: ['sortedset'],
      group: 'sorted-set', since: operation === 'diff' ? '6.2.0' : '2.0.0', complexity: 'O(N)+O(M log(M))', summary: `Stores the ${operation} of multiple sorted sets in a key.`,
      check: (args) => {
        const request = parseCombine(args, 2, `z${operation}store`, false, weights);
        return request instanceof ErrorReply ? request : undefined;
      },
      apply: (context, args) => {
        const result = combine(context, operation, parseCombine(args, 2, `z${operation}store`, false, weights) as CombineRequest);
        if (result instanceof ErrorReply) return result;
        context.keyspace.delete(args[1]);
        if (result.length > 0) {
          const zset = new SortedSetValue();
          for (const [member, score] of result) zset.add(member, score);
          context.keyspace.set(args[1], zset);
          context.signalReady(args[1]);
        }
        return result.length;
      },
    },
  ];
}

function removeRange(name: string, kind: 'rank' | 'score' | 'lex'): WriteCommand {
  return {
    name, kind: 'write', arity: 4, flags: ['write'], keys: ONE_KEY, categories: ['sortedset'], group: 'sorted-set', since: kind === 'lex' ? '2.8.9' : '2.0.0',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    summary: `Removes members in a sorted set within a range of ${kind === 'rank' ? 'indexes' : kind === 'score' ? 'scores' : 'lexicographical range'}. Deletes the sorted set if all members were removed.`,
    check: (args) => {
      const probe = runRange(undefined, { kind, reverse: false, withScores: false, offset: 0, count: -1, min: args[2], max: args[3] });
      return probe instanceof ErrorReply ? probe : undefined;
    },
    apply: (context, args) => {
      const zset = writeCollection(context, args[1], SortedSetValue);
      if (zset === undefined || zset instanceof ErrorReply) return zset ?? 0;
      const doomed = runRange(zset, { kind, reverse: false, withScores: false, offset: 0, count: -1, min: args[2], max: args[3] }) as Scored[];
      for (const [member] of doomed) zset.remove(member);
      storeCollection(context, args[1], zset, true);
      return doomed.length;
    },
  };
}

export const sortedSetCommands: readonly CommandSpec[] = [
  {
    name: 'zadd', kind: 'write', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', summary: 'Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn\'t exist.', since: '1.2.0', complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    check: (args) => {
      const options = parseZadd(args);
      return options instanceof ErrorReply ? options : undefined;
    },
    apply: applyZadd,
  },
  {
    name: 'zincrby', kind: 'write', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', summary: 'Increments the score of a member in a sorted set.', since: '1.2.0', complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
    check: (args) => (parseFloatArg(args[2]) === undefined ? NOT_FLOAT : undefined),
    apply: (context, args) => applyZadd(context, ['ZADD', args[1], 'INCR', args[2], args[3]]),
  },
  {
    name: 'zrem', kind: 'write', arity: -3, flags: ['write', 'fast'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', summary: 'Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.', since: '1.2.0', complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
    apply: (context, args) => {
      const zset = writeCollection(context, args[1], SortedSetValue);
      if (zset === undefined || zset instanceof ErrorReply) return zset ?? 0;
      let removed = 0;
      for (let i = 2; i < args.length; i++) if (zset.remove(args[i])) removed++;
      storeCollection(context, args[1], zset, true);
      return removed;
    },
  },
  {
    name: 'zscore', kind: 'read', arity: 3, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', summary: 'Returns the score of a member in a sorted set.', since: '1.2.0', complexity: 'O(1)',
    execute: (context, args) => {
      const zset = read(context, args[1]);
      if (zset instanceof ErrorReply) return zset;
      const score = zset?.score(args[2]);
      return score === undefined ? null : new RespDouble(score);
    },
  },
  {
    name: 'zmscore', kind: 'read', arity: -3, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', summary: 'Returns the score of one or more members in a sorted set.', since: '6.2.0', complexity: 'O(N) where N is the number of members being requested.',
    execute: (context, args) => {
      const zset = read(context, args[1]);
      if (zset instanceof ErrorReply) return zset;
      return args.slice(2).map((member) => {
        const score = zset?.score(member);
        return score === undefined ? null : new RespDouble(score);
      });
    },
  },
  {
    name: 'zcard', kind: 'read', arity: 2, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', summary: 'Returns the number of members in a sorted set.', since: '1.2.0', complexity: 'O(1)',
    execute: (context, args) => {
      const zset = read(context, args[1]);
      return zset instanceof ErrorReply ? zset : (zset?.size ?? 0);
    },
  },
  ...(['zcount', 'zlexcount'] as const).map((name): CommandSpec => ({
    name, kind: 'read', arity: 4, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', since: name === 'zcount' ? '2.0.0' : '2.8.9', complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    summary: name === 'zcount' ? 'Returns the count of members in a sorted set that have scores within a range.' : 'Returns the number of members in a sorted set within a lexicographical range.',
    execute: (context, args) => {
      const request: RangeRequest = { kind: name === 'zcount' ? 'score' : 'lex', reverse: false, withScores: false, offset: 0, count: -1, min: args[2], max: args[3] };
      const probe = runRange(undefined, request);
      if (probe instanceof ErrorReply) return probe;
      const zset = read(context, args[1]);
      if (zset instanceof ErrorReply) return zset;
      const found = runRange(zset, request);
      return found instanceof ErrorReply ? found : found.length;
    },
  })),
  rangeCommand('zrange', 2, undefined, '1.2.0'),
  rangeCommand('zrevrange', 2, { kind: 'rank', reverse: true }, '1.2.0'),
  rangeCommand('zrangebyscore', 2, { kind: 'score', reverse: false }, '1.0.5'),
  rangeCommand('zrevrangebyscore', 2, { kind: 'score', reverse: true }, '2.2.0'),
  rangeCommand('zrangebylex', 2, { kind: 'lex', reverse: false }, '2.8.9'),
  rangeCommand('zrevrangebylex', 2, { kind: 'lex', reverse: true }, '2.8.9'),
  {
    name: 'zrangestore', kind: 'write', arity: -5, flags: ['write', 'denyoom'], keys: { first: 1, last: 2, step: 1 }, categories: ['sortedset'],
    group: 'sorted-set', summary: 'Stores a range of members from sorted set in a key.', since: '6.2.0', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
    check: (args) => {
      const request = parseRange(args, 3, false);
      return request instanceof ErrorReply ? request : undefined;
    },
    apply: (context, args) => {
      const source = writeCollection(context, args[2], SortedSetValue);
      if (source instanceof ErrorReply) return source;
      const items = runRange(source, parseRange(args, 3, false) as RangeRequest);
      if (items instanceof ErrorReply) return items;
      context.keyspace.delete(args[1]);
      if (items.length > 0) {
        const zset = new SortedSetValue();
        for (const [member, score] of items) zset.add(member, score);
        context.keyspace.set(args[1], zset);
      }
      return items.length;
    },
  },
  ...(['zrank', 'zrevrank'] as const).map((name): CommandSpec => ({
    name, kind: 'read', arity: -3, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', since: name === 'zrank' ? '2.0.0' : '2.0.0', complexity: 'O(log(N))',
    summary: name === 'zrank' ? 'Returns the index of a member in a sorted set ordered by ascending scores.' : 'Returns the index of a member in a sorted set ordered by descending scores.',
    execute: (context, args) => {
      if (args.length > 4 || (args.length === 4 && option(args[3]) !== 'withscore')) return SYNTAX;
      const zset = read(context, args[1]);
      if (zset instanceof ErrorReply) return zset;
      const rank = zset?.rank(args[2]);
      if (zset === undefined || rank === undefined) return args.length === 4 ? NullArray.instance : null;
      const position = name === 'zrank' ? rank : zset.size - 1 - rank;
      return args.length === 4 ? [position, new RespDouble(zset.score(args[2]) as number)] : position;
    },
  })),
  removeRange('zremrangebyrank', 'rank'),
  removeRange('zremrangebyscore', 'score'),
  removeRange('zremrangebylex', 'lex'),
  popCommand('zpopmin', false),
  popCommand('zpopmax', true),
  blockingPopCommand('bzpopmin', false),
  blockingPopCommand('bzpopmax', true),
  zmpopCommand('zmpop', false),
  zmpopCommand('bzmpop', true),
  ...combineCommands('union'),
  ...combineCommands('inter'),
  ...combineCommands('diff'),
  {
    name: 'zintercard', kind: 'read', arity: -3, flags: ['readonly', 'movablekeys'], keys: { first: 2, last: -1, step: 1 }, categories: ['sortedset'],
    group: 'sorted-set', summary: 'Returns the number of members of the intersect of multiple sorted sets.', since: '7.0.0', complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
    execute: (context, args) => {
      const keys = parseNumKeys(args, 1, 0);
      if (keys instanceof ErrorReply) return keys;
      const limit = parseCardinalityLimit(args.slice(2 + keys.length));
      const optionsError = limit instanceof ErrorReply ? limit : undefined;
      const result = combine(context, 'inter', { keys, weights: keys.map(() => 1), aggregate: 'sum', withScores: false, optionsError });
      return result instanceof ErrorReply ? result : Math.min(result.length, limit as number);
    },
  },
  {
    name: 'zrandmember', kind: 'read', arity: -2, flags: ['readonly'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', summary: 'Returns one or more random members from a sorted set.', since: '6.2.0', complexity: 'O(N) where N is the number of members returned',
    execute: (context, args) => {
      const parsed = parseRandomCount(args, 'withscores');
      if (parsed instanceof ErrorReply) return parsed;
      const zset = read(context, args[1]);
      if (zset instanceof ErrorReply) return zset;
      if (parsed.count === undefined) return zset === undefined ? null : randomSample([...zset.scores.keys()], 1, context.random)[0];
      if (zset === undefined) return [];
      const members = randomSample([...zset.scores.keys()], parsed.count, context.random);
      return parsed.paired ? withScores(members.map((member) => [member, zset.score(member) as number])) : members;
    },
  },
  {
    name: 'zscan', kind: 'read', arity: -3, flags: ['readonly'], keys: ONE_KEY, categories: ['sortedset'],
    group: 'sorted-set', summary: 'Iterates over members and scores of a sorted set.', since: '2.8.0', complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    execute: (context, args) => scanCollection(args, read(context, args[1]), (zset, matches) => {
      const items: string[] = [];
      for (const [member, score] of zset.entries()) if (matches(member)) items.push(member, String(score));
      return items;
    }),
  },
];

