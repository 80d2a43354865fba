// List commands (Redis's t_list.c), including the blocking pops. A blocking command is a
// write whose apply returns WouldBlock when every list is empty; the server then parks the
// client and proposes the same command again when one of its keys is signalled ready.

import { ErrorReply, NullArray, OK } from '../protocol/values.js';
import { ListValue } from '../engine/list-value.js';
import { option, parseFloatArg, parseInt64 } from './arguments.js';
import { WouldBlock } from './command-spec.js';
import type { ApplyContext, ApplyResult, CommandSpec, ReadContext, WriteCommand } from './command-spec.js';
import { NOT_INTEGER, NO_SUCH_KEY, SYNTAX, errorReply } from './errors.js';
import { readCollection, storeCollection, writeCollection } from './typed-access.js';
import { checkOptionalCount, parseNumKeys, parsePopCount } from './collection-arguments.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const TIMEOUT_NOT_FLOAT = errorReply('ERR timeout is not a float or out of range');
const TIMEOUT_NEGATIVE = errorReply('ERR timeout is negative');
const INDEX_OUT_OF_RANGE = errorReply('ERR index out of range');

type End = 'left' | 'right';

function read(context: ReadContext, key: string): ListValue | undefined | ErrorReply {
  return readCollection(context, key, ListValue);
}

function push(list: ListValue, end: End, item: string): void {
  if (end === 'left') list.pushHead(item);
  else list.pushTail(item);
}

function pop(list: ListValue, end: End): string | undefined {
  return end === 'left' ? list.popHead() : list.popTail();
}

function parseEnd(text: string): End | undefined {
  const name = option(text);
  return name === 'left' || name === 'right' ? name : undefined;
}

/** Redis's index normalisation for LRANGE/LTRIM: [start, end] clamped, or undefined if empty. */
function clampRange(size: number, startArg: number, endArg: number): [number, number] | undefined {
  let start = startArg < 0 ? size + startArg : startArg;
  let end = endArg < 0 ? size + endArg : endArg;
  if (start < 0) start = 0;
  if (start > end || start >= size) return undefined;
  if (end >= size) end = size - 1;
  return [start, end];
}

function toSafe(value: number | bigint): number {
  return typeof value === 'number' ? value : value > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

function pushCommand(name: string, end: End, onlyIfExists: boolean): WriteCommand {
  return {
    name, kind: 'write', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, categories: ['list'],
    group: 'list', since: onlyIfExists ? '2.2.0' : '1.0.0', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    summary: `${onlyIfExists ? 'Prepends/appends' : 'Prepends/appends'} one or more elements to a list${onlyIfExists ? ' only when the list exists' : '. Creates the key if it doesn\'t exist'}.`,
    apply: (context, args) => {
      const existing = writeCollection(context, args[1], ListValue);
      if (existing instanceof ErrorReply) return existing;
      if (existing === undefined && onlyIfExists) return 0;
      const list = existing ?? new ListValue();
      for (let i = 2; i < args.length; i++) push(list, end, args[i]);
      storeCollection(context, args[1], list, existing !== undefined);
      context.signalReady(args[1]);
      return list.size;
    },
  };
}

/** Pops up to `count` items from the first non-empty list among `keys`. */
function popFirst(context: ApplyContext, keys: readonly string[], end: End, count: number): [string, string[]] | undefined | ErrorReply {
  for (const key of keys) {
    const list = writeCollection(context, key, ListValue);
    if (list instanceof ErrorReply) return list;
    if (list === undefined) continue;
    const items: string[] = [];
    for (let i = 0; i < count && list.size > 0; i++) items.push(pop(list, end) as string);
    storeCollection(context, key, list, true);
    // Other clients may be waiting on what is left.
    if (list.size > 0) context.signalReady(key);
    return [key, items];
  }
  return undefined;
}

function popCommand(name: string, end: End): WriteCommand {
  return {
    name, kind: 'write', arity: -2, flags: ['write', 'fast'], keys: ONE_KEY, categories: ['list'],
    group: 'list', since: '1.0.0', complexity: 'O(N) where N is the number of elements returned',
    summary: `Returns and removes the ${end === 'left' ? 'first' : 'last'} elements of a list. Deletes the list if the ${end === 'left' ? 'first' : 'last'} element was popped.`,
    check: checkOptionalCount,
    apply: (context, args) => {
      const withCount = args.length === 3;
      const popped = popFirst(context, [args[1]], end, withCount ? toSafe(parseInt64(args[2]) as number | bigint) : 1);
      if (popped instanceof ErrorReply) return popped;
      if (popped === undefined) return withCount ? NullArray.instance : null;
      return withCount ? popped[1] : popped[1][0];
    },
  };
}

/** Parses a blocking timeout in seconds as Redis does, into milliseconds (0 = forever). */
export function parseTimeoutMs(text: string): number | ErrorReply {
  const seconds = parseFloatArg(text);
  if (seconds === undefined || !Number.isFinite(seconds)) return TIMEOUT_NOT_FLOAT;
  if (seconds < 0) return TIMEOUT_NEGATIVE;
  return Math.ceil(seconds * 1000);
}

function blockingPopCommand(name: string, end: End): WriteCommand {
  return {
    name, kind: 'write', arity: -3, flags: ['write', 'blocking'], keys: { first: 1, last: -2, step: 1 }, categories: ['list'],
    group: 'list', since: '2.0.0', complexity: 'O(N) where N is the number of provided keys.',
    summary: `Removes and returns the ${end === 'left' ? 'first' : 'last'} element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.`,
    check: (args) => {
      const timeout = parseTimeoutMs(args[args.length - 1]);
      return timeout instanceof ErrorReply ? timeout : undefined;
    },
    blocking: { timeoutMs: (args) => parseTimeoutMs(args[args.length - 1]) as number, timeoutReply: NullArray.instance },
    apply: (context, args) => {
      const popped = popFirst(context, args.slice(1, -1), end, 1);
      if (popped instanceof ErrorReply) return popped;
      return popped === undefined ? WouldBlock.instance : [popped[0], popped[1][0]];
    },
  };
}

interface MoveRequest { readonly from: End; readonly to: End }

function applyMove(context: ApplyContext, source: string, destination: string, request: MoveRequest, block: boolean): ApplyResult {
  const sourceList = writeCollection(context, source, ListValue);
  if (sourceList instanceof ErrorReply) return sourceList;
  // As in Redis, an empty source answers (or blocks) before the destination's type is checked.
  if (sourceList === undefined) return block ? WouldBlock.instance : null;
  const destinationList = writeCollection(context, destination, ListValue);
  if (destinationList instanceof ErrorReply) return destinationList;
  const item = pop(sourceList, request.from) as string;
  storeCollection(context, source, sourceList, true);
  // Re-read: when source and destination are the same list it may have just been deleted.
  const target = writeCollection(context, destination, ListValue) as ListValue | undefined;
  const list = target ?? new ListValue();
  push(list, request.to, item);
  storeCollection(context, destination, list, target !== undefined);
  context.signalReady(destination);
  if (sourceList.size > 0 && source !== destination) context.signalReady(source);
  return item;
}

function moveCommand(name: string, fixed: MoveRequest | undefined, blocking: boolean): WriteCommand {
  const endsAt = fixed === undefined ? 3 : undefined;
  const parse = (args: readonly string[]): MoveRequest | ErrorReply => {
    if (fixed !== undefined) return fixed;
    const from = parseEnd(args[endsAt as number]);
    const to = parseEnd(args[(endsAt as number) + 1]);
    return from === undefined || to === undefined ? SYNTAX : { from, to };
  };
  return {
    name, kind: 'write', arity: fixed === undefined ? (blocking ? 6 : 5) : blocking ? 4 : 3,
    flags: blocking ? ['write', 'denyoom', 'blocking'] : ['write', 'denyoom'], keys: { first: 1, last: 2, step: 1 }, categories: ['list'],
    group: 'list', since: fixed === undefined ? '6.2.0' : blocking ? '2.2.0' : '1.2.0', complexity: 'O(1)',
    summary: `${blocking ? 'Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise.' : 'Returns an element after popping it from one list and pushing it to another.'} Deletes the list if the last element was moved.`,
    check: (args) => {
      const request = parse(args);
      if (request instanceof ErrorReply) return request;
      if (!blocking) return undefined;
      const timeout = parseTimeoutMs(args[args.length - 1]);
      return timeout instanceof ErrorReply ? timeout : undefined;
    },
    blocking: blocking ? { timeoutMs: (args) => parseTimeoutMs(args[args.length - 1]) as number, timeoutReply: NullArray.instance, inTransactionReply: null } : undefined,
    apply: (context, args) => applyMove(context, args[1], args[2], parse(args) as MoveRequest, blocking),
  };
}

interface MultiPopRequest { readonly keys: readonly string[]; readonly end: End; readonly count: number }

/** LMPOP/BLMPOP: `[timeout] numkeys key... LEFT|RIGHT [COUNT n]` from `at`. */
function parseMultiPop(args: readonly string[], at: number): MultiPopRequest | ErrorReply {
  const keys = parseNumKeys(args, at, 1);
  if (keys instanceof ErrorReply) return keys;
  const end = parseEnd(args[at + 1 + keys.length]);
  if (end === undefined) return SYNTAX;
  const count = parsePopCount(args.slice(at + 2 + keys.length));
  return count instanceof ErrorReply ? count : { keys, end, count };
}

function multiPopCommand(name: string, blocking: boolean): WriteCommand {
  const at = blocking ? 2 : 1;
  return {
    name, kind: 'write', arity: blocking ? -5 : -4, flags: blocking ? ['write', 'blocking', 'movablekeys'] : ['write', 'movablekeys'],
    keys: { first: at + 1, last: -2, step: 1 }, categories: ['list'], group: 'list', since: '7.0.0',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
    summary: blocking ? 'Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.' : 'Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.',
    check: (args) => {
      if (blocking) {
        const timeout = parseTimeoutMs(args[1]);
        if (timeout instanceof ErrorReply) return timeout;
      }
      const request = parseMultiPop(args, at);
      return request instanceof ErrorReply ? request : undefined;
    },
    blocking: blocking ? { timeoutMs: (args) => parseTimeoutMs(args[1]) as number, timeoutReply: NullArray.instance } : undefined,
    apply: (context, args) => {
      const request = parseMultiPop(args, at) as MultiPopRequest;
      const popped = popFirst(context, request.keys, request.end, request.count);
      if (popped instanceof ErrorReply) return popped;
      if (popped === undefined) return blocking ? WouldBlock.instance : NullArray.instance;
      return [popped[0], popped[1]];
    },
  };
}

interface PositionRequest { readonly rank: number; readonly count: number | undefined; readonly maxLength: number }

function parseLpos(args: readonly string[]): PositionRequest | ErrorReply {
  let rank = 1;
  let count: number | undefined;
  let maxLength = 0;
  for (let i = 3; i < args.length; i += 2) {
    const name = option(args[i]);
    if (i + 1 >= args.length || (name !== 'rank' && name !== 'count' && name !== 'maxlen')) return SYNTAX;
    const value = parseInt64(args[i + 1]);
    if (name === 'rank') {
      if (value === undefined) return NOT_INTEGER;
      if (value === 0) return errorReply('ERR RANK can\'t be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list');
      if (typeof value !== 'number') return errorReply('ERR value is out of range');
      rank = value;
      continue;
    }
    // Redis's getPositiveLongFromObjectOrReply: one message for a non-integer and a negative.
    const negative = errorReply(`ERR ${name === 'count' ? 'COUNT' : 'MAXLEN'} can't be negative`);
    if (value === undefined || value < 0) return negative;
    if (name === 'count') count = toSafe(value);
    else maxLength = toSafe(value);
  }
  return { rank, count, maxLength };
}

export const listCommands: readonly CommandSpec[] = [
  pushCommand('lpush', 'left', false),
  pushCommand('rpush', 'right', false),
  pushCommand('lpushx', 'left', true),
  pushCommand('rpushx', 'right', true),
  popCommand('lpop', 'left'),
  popCommand('rpop', 'right'),
  blockingPopCommand('blpop', 'left'),
  blockingPopCommand('brpop', 'right'),
  moveCommand('rpoplpush', { from: 'right', to: 'left' }, false),
  moveCommand('brpoplpush', { from: 'right', to: 'left' }, true),
  moveCommand('lmove', undefined, false),
  moveCommand('blmove', undefined, true),
  multiPopCommand('lmpop', false),
  multiPopCommand('blmpop', true),
  {
    name: 'llen', kind: 'read', arity: 2, flags: ['readonly', 'fast'], keys: ONE_KEY, categories: ['list'],
    group: 'list', summary: 'Returns the length of a list.', since: '1.0.0', complexity: 'O(1)',
    execute: (context, args) => {
      const list = read(context, args[1]);
      return list instanceof ErrorReply ? list : (list?.size ?? 0);
    },
  },
  {
    name: 'lrange', kind: 'read', arity: 4, flags: ['readonly'], keys: ONE_KEY, categories: ['list'],
    group: 'list', summary: 'Returns a range of elements from a list.', since: '1.0.0', complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
    execute: (context, args) => {
      const start = parseInt64(args[2]);
      const end = parseInt64(args[3]);
      if (start === undefined || end === undefined) return NOT_INTEGER;
      const list = read(context, args[1]);
      if (list instanceof ErrorReply) return list;
      const range = list === undefined ? undefined : clampRange(list.size, toSafe(start), toSafe(end));
      return range === undefined || list === undefined ? [] : list.range(range[0], range[1]);
    },
  },
  {
    name: 'lindex', kind: 'read', arity: 3, flags: ['readonly'], keys: ONE_KEY, categories: ['list'],
    group: 'list', summary: 'Returns an element from a list by its index.', since: '1.0.0', complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
    // The key is looked up before the index is parsed, as in Redis.
    execute: (context, args) => {
      const list = read(context, args[1]);
      if (list === undefined || list instanceof ErrorReply) return list ?? null;
      const index = parseInt64(args[2]);
      if (index === undefined) return NOT_INTEGER;
      const position = toSafe(index) < 0 ? list.size + toSafe(index) : toSafe(index);
      return position >= 0 && position < list.size ? list.at(position) : null;
    },
  },
  {
    name: 'lset', kind: 'write', arity: 4, flags: ['write', 'denyoom'], keys: ONE_KEY, categories: ['list'],
    group: 'list', summary: 'Sets the value of an element in a list by its index.', since: '1.0.0', complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
    // The key is looked up before the index is parsed (no such key, WRONGTYPE come first).
    apply: (context, args) => {
      const list = writeCollection(context, args[1], ListValue);
      if (list instanceof ErrorReply) return list;
      if (list === undefined) return NO_SUCH_KEY;
      const parsed = parseInt64(args[2]);
      if (parsed === undefined) return NOT_INTEGER;
      const index = toSafe(parsed);
      const position = index < 0 ? list.size + index : index;
      if (position < 0 || position >= list.size) return INDEX_OUT_OF_RANGE;
      list.set(position, args[3]);
      return OK;
    },
  },
  {
    name: 'linsert', kind: 'write', arity: 5, flags: ['write', 'denyoom'], keys: ONE_KEY, categories: ['list'],
    group: 'list', summary: 'Inserts an element before or after another element in a list.', since: '2.2.0', complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
    check: (args) => (['before', 'after'].includes(option(args[2])) ? undefined : SYNTAX),
    apply: (context, args) => {
      const list = writeCollection(context, args[1], ListValue);
      if (list === undefined || list instanceof ErrorReply) return list ?? 0;
      const items = [...list.values()];
      const pivot = items.indexOf(args[3]);
      if (pivot === -1) return -1;
      items.splice(option(args[2]) === 'before' ? pivot : pivot + 1, 0, args[4]);
      list.replaceAll(items);
      context.signalReady(args[1]);
      return list.size;
    },
  },
  {
    name: 'lrem', kind: 'write', arity: 4, flags: ['write'], keys: ONE_KEY, categories: ['list'],
    group: 'list', summary: 'Removes elements from a list. Deletes the list if the last element was removed.', since: '1.0.0', complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
    check: (args) => (parseInt64(args[2]) === undefined ? NOT_INTEGER : undefined),
    apply: (context, args) => {
      const list = writeCollection(context, args[1], ListValue);
      if (list === undefined || list instanceof ErrorReply) return list ?? 0;
      const count = toSafe(parseInt64(args[2]) as number | bigint);
      const limit = count === 0 ? Infinity : Math.abs(count);
      const items = [...list.values()];
      if (count < 0) items.reverse();
      let removed = 0;
      const kept = items.filter((item) => {
        if (removed < limit && item === args[3]) {
          removed++;
          return false;
        }
        return true;
      });
      if (count < 0) kept.reverse();
      list.replaceAll(kept);
      storeCollection(context, args[1], list, true);
      return removed;
    },
  },
  {
    name: 'ltrim', kind: 'write', arity: 4, flags: ['write'], keys: ONE_KEY, categories: ['list'],
    group: 'list', summary: 'Removes elements from both ends a list. Deletes the list if all elements were trimmed.', since: '1.0.0', complexity: 'O(N) where N is the number of elements to be removed by the operation.',
    check: (args) => (parseInt64(args[2]) === undefined || parseInt64(args[3]) === undefined ? NOT_INTEGER : undefined),
    apply: (context, args) => {
      const list = writeCollection(context, args[1], ListValue);
      if (list === undefined || list instanceof ErrorReply) return list ?? OK;
      const range = clampRange(list.size, toSafe(parseInt64(args[2]) as number | bigint), toSafe(parseInt64(args[3]) as number | bigint));
      list.replaceAll(range === undefined ? [] : list.range(range[0], range[1]));
      storeCollection(context, args[1], list, true);
      return OK;
    },
  },
  {
    name: 'lpos', kind: 'read', arity: -3, flags: ['readonly'], keys: ONE_KEY, categories: ['list'],
    group: 'list', summary: 'Returns the index of matching elements in a list.', since: '6.0.6', complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
    execute: (context, args) => {
      const request = parseLpos(args);
      if (request instanceof ErrorReply) return request;
      const list = read(context, args[1]);
      if (list instanceof ErrorReply) return list;
      const matches: number[] = [];
      const wanted = request.count === undefined ? 1 : request.count === 0 ? Infinity : request.count;
      let toSkip = Math.abs(request.rank) - 1;
      const size = list?.size ?? 0;
      const scanLimit = request.maxLength === 0 ? size : Math.min(size, request.maxLength);
      for (let step = 0; step < scanLimit && matches.length < wanted; step++) {
        const position = request.rank > 0 ? step : size - 1 - step;
        if ((list as ListValue).at(position) !== args[2]) continue;
        if (toSkip > 0) toSkip--;
        else matches.push(position);
      }
      if (request.count !== undefined) return matches;
      return matches.length === 0 ? null : matches[0];
    },
  },
];

