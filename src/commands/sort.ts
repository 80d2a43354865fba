// SORT and SORT_RO: the elements of a list, set or sorted set, ordered as numbers or (ALPHA)
// as strings, optionally by weights read from other keys (BY pattern), answered with other
// keys' values (GET pattern) and, for SORT, stored as a list (STORE). Redis 7's semantics,
// order of checks and edge cases (LIMIT clamping, BY without '*' meaning "do not sort").

import type { RespValue } from '../protocol/values.js';
import { ErrorReply } from '../protocol/values.js';
import type { Keyspace } from '../engine/keyspace.js';
import { HashValue } from '../engine/hash-value.js';
import { ListValue } from '../engine/list-value.js';
import { SetValue } from '../engine/set-value.js';
import { SortedSetValue } from '../engine/sorted-set.js';
import { option, parseFloatArg, parseInt64 } from './arguments.js';
import type { ApplyContext, CommandSpec, KeySpecDeclaration, ReadContext } from './command-spec.js';
import { NOT_INTEGER, SYNTAX, WRONGTYPE, errorOf, errorReply } from './errors.js';

interface SortRequest {
  /** The BY pattern; undefined when the elements themselves are compared. */
  readonly by: string | undefined;
  /** A BY pattern without '*' was given: the elements keep their order (Redis's "BY nosort"). */
  readonly dontSort: boolean;
  readonly offset: number | undefined;
  readonly count: number | undefined;
  readonly gets: readonly string[];
  readonly descending: boolean;
  readonly alpha: boolean;
  readonly store: string | undefined;
}

/** The options, parsed before the key is looked up (Redis's order); the last LIMIT, BY, STORE wins. */
function parseSort(args: readonly string[], readOnly: boolean): SortRequest | ErrorReply {
  let by: string | undefined;
  let dontSort = false;
  let offset: number | undefined;
  let count: number | undefined;
  const gets: string[] = [];
  let descending = false;
  let alpha = false;
  let store: string | undefined;
  for (let i = 2; i < args.length; i++) {
    const left = args.length - i - 1;
    const name = option(args[i]);
    if (name === 'asc') descending = false;
    else if (name === 'desc') descending = true;
    else if (name === 'alpha') alpha = true;
    else if (name === 'limit' && left >= 2) {
      const from = parseInt64(args[i + 1]);
      const many = parseInt64(args[i + 2]);
      if (from === undefined || many === undefined) return NOT_INTEGER;
      offset = Number(from);
      count = Number(many);
      i += 2;
    } else if (!readOnly && name === 'store' && left >= 1) store = args[++i];
    else if (name === 'by' && left >= 1) {
      by = args[++i];
      // Once set it stays set, as in Redis: a later BY with a '*' does not sort again.
      if (!by.includes('*')) dontSort = true;
    } else if (name === 'get' && left >= 1) gets.push(args[++i]);
    else return SYNTAX;
  }
  return { by, dontSort, offset, count, gets, descending, alpha, store };
}

/**
 * A BY or GET pattern's value for one element: '#' is the element, the first '*' is replaced
 * by it, and `key->field` reads a hash field. A missing key, a key of another type or a pattern
 * without '*' gives nothing (never an error).
 */
function lookupByPattern(keyspace: Keyspace, nowMs: number, pattern: string, element: string): string | undefined {
  if (pattern === '#') return element;
  const star = pattern.indexOf('*');
  if (star === -1) return undefined;
  const arrow = pattern.indexOf('->', star + 1);
  const field = arrow !== -1 && arrow + 2 < pattern.length ? pattern.slice(arrow + 2) : undefined;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, field === undefined ? pattern.length : arrow);
  const value = keyspace.get(key, nowMs);
  if (field !== undefined) return value instanceof HashValue ? value.fields.get(field) : undefined;
  return typeof value === 'string' ? value : undefined;
}

const LEADING_WHITESPACE = /^[ \t\n\v\f\r]+/;
const SMALLEST_NORMAL = 2.2250738585072014e-308;

/**
 * A weight as Redis reads it (strtod over the whole text): leading whitespace is allowed and ""
 * is 0; NaN, trailing characters, and a value beyond the range of a double either way (strtod's
 * ERANGE: an overflow to infinity, an underflow to zero or a rounded subnormal) are not. (Redis
 * does not clear errno first, so after one ERANGE a later SORT may fail spuriously; we do not.)
 */
function parseWeight(text: string): number | undefined {
  if (text.length === 0) return 0;
  const trimmed = text.replace(LEADING_WHITESPACE, '');
  const value = parseFloatArg(trimmed);
  if (value === undefined) return undefined;
  if (!Number.isFinite(value)) return /inf/i.test(trimmed) ? value : undefined;
  const hex = /^[+-]?0x/i.test(trimmed);
  const significand = trimmed.replace(/^[+-]?(0x)?/i, '').replace(hex ? /p[+-]?\d+$/i : /e[+-]?\d+$/i, '');
  // A hexadecimal subnormal is exact, so strtod does not flag it; a decimal one is rounded.
  const underflow = value === 0 ? /[1-9a-f]/i.test(significand) : !hex && Math.abs(value) < SMALLEST_NORMAL;
  return underflow ? undefined : value;
}

interface Item {
  readonly element: string;
  score: number;
  /** ALPHA with BY: the weight compared as a string; undefined (first) where the key is missing. */
  text: string | undefined;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The elements in the order the request asks for, before LIMIT; an error for a weight that is not a number. */
function orderedElements(context: ReadContext, value: ListValue | SetValue | SortedSetValue, request: SortRequest): string[] | ErrorReply {
  const elements = value instanceof ListValue ? [...value.values()]
    : value instanceof SetValue ? [...value.members]
      : value.rangeByRank(0, value.size - 1, false).map(([member]) => member);
  // A set has no order of its own: stored or not, the result must not depend on how it was built.
  const sortSet = request.dontSort && value instanceof SetValue && request.store !== undefined;
  if (request.dontSort && !sortSet) return request.descending ? elements.reverse() : elements;
  const by = sortSet ? undefined : request.by;
  const alpha = request.alpha || sortSet;
  const items: Item[] = [];
  for (const element of elements) {
    const weight = by === undefined ? element : lookupByPattern(context.keyspace, context.nowMs, by, element);
    const item: Item = { element, score: 0, text: by === undefined ? undefined : weight };
    if (!alpha && weight !== undefined) {
      const score = parseWeight(weight);
      if (score === undefined) return errorReply('ERR One or more scores can\'t be converted into double');
      item.score = score;
    }
    items.push(item);
  }
  const direction = request.descending ? -1 : 1;
  items.sort((a, b) => {
    let order: number;
    if (!alpha) order = a.score > b.score ? 1 : a.score < b.score ? -1 : compareStrings(a.element, b.element);
    else if (by === undefined) order = compareStrings(a.element, b.element);
    else if (a.text === undefined || b.text === undefined) order = a.text === b.text ? 0 : a.text === undefined ? -1 : 1;
    else order = compareStrings(a.text, b.text);
    return order * direction;
  });
  return items.map((item) => item.element);
}

/** Redis's LIMIT clamping: a negative offset is 0, a negative count is "all the rest". */
function limited(elements: string[], request: SortRequest): string[] {
  if (request.offset === undefined || request.count === undefined) return elements;
  const length = elements.length;
  let start = Math.max(0, request.offset);
  let end = request.count < 0 ? length - 1 : start + request.count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;
  return end < start ? [] : elements.slice(start, end + 1);
}

/** The reply's values: the elements, or for each element the value of every GET pattern. */
function sorted(context: ReadContext, key: string, request: SortRequest): Array<string | null> | ErrorReply {
  const value = context.keyspace.get(key, context.nowMs);
  if (value === undefined) return [];
  if (!(value instanceof ListValue || value instanceof SetValue || value instanceof SortedSetValue)) return WRONGTYPE;
  const ordered = orderedElements(context, value, request);
  if (ordered instanceof ErrorReply) return ordered;
  const chosen = limited(ordered, request);
  if (request.gets.length === 0) return chosen;
  return chosen.flatMap((element) => request.gets.map((pattern) => lookupByPattern(context.keyspace, context.nowMs, pattern, element) ?? null));
}

function applySort(context: ApplyContext, args: readonly string[]): RespValue {
  const request = parseSort(args, false) as SortRequest;
  const values = sorted(context, args[1], request);
  if (values instanceof ErrorReply || request.store === undefined) return values;
  context.keyspace.delete(request.store);
  // A missing GET value is stored as an empty string, as Redis does.
  if (values.length > 0) {
    context.keyspace.set(request.store, new ListValue(values.map((item) => item ?? '')));
    context.signalReady(request.store);
  }
  return values.length;
}

const SORTED_KEY: KeySpecDeclaration = { flags: ['RO', 'access'], begin: { index: 1 }, find: { lastKey: 0 } };
const PATTERN_KEYS: KeySpecDeclaration = {
  notes: 'For the optional BY/GET keyword. It is marked \'unknown\' because the key names derive from the content of the key we sort',
  flags: ['RO', 'access'], begin: 'unknown', find: 'unknown',
};

const SORT_SUMMARY = 'Sorts the elements in a list, a set, or a sorted set, optionally storing the result.';
const SORT_COMPLEXITY = 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements.';

export const sortCommands: readonly CommandSpec[] = [
  {
    // A write because of STORE; without it the entry changes nothing when applied.
    name: 'sort', kind: 'write', arity: -2, flags: ['write', 'denyoom', 'movablekeys'], keys: { first: 1, last: 1, step: 1 },
    keySpecs: [SORTED_KEY, PATTERN_KEYS, {
      notes: 'For the optional STORE keyword. It is marked \'unknown\' because the keyword can appear anywhere in the argument array',
      flags: ['OW', 'update'], begin: 'unknown', find: 'unknown',
    }],
    categories: ['set', 'sortedset', 'list', 'dangerous'],
    findKeys: (args) => {
      const { store } = parseSort(args, false) as SortRequest;
      return store === undefined ? [args[1]] : [args[1], store];
    },
    group: 'generic', since: '1.0.0', complexity: SORT_COMPLEXITY, summary: SORT_SUMMARY,
    check: (args) => errorOf(parseSort(args, false)),
    writtenKeys: (args) => {
      const { store } = parseSort(args, false) as SortRequest;
      return store === undefined ? [] : [store];
    },
    apply: applySort,
  },
  {
    name: 'sort_ro', kind: 'read', arity: -2, flags: ['readonly', 'movablekeys'], keys: { first: 1, last: 1, step: 1 },
    keySpecs: [SORTED_KEY, PATTERN_KEYS], categories: ['set', 'sortedset', 'list', 'dangerous'],
    group: 'generic', since: '7.0.0', complexity: SORT_COMPLEXITY, summary: 'Returns the sorted elements of a list, a set, or a sorted set.',
    execute: (context, args) => {
      const request = parseSort(args, true);
      return request instanceof ErrorReply ? request : sorted(context, args[1], request);
    },
  },
];
