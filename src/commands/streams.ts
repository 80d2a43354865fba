// Stream commands (Redis's t_stream.c): XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID and
// XREAD, blocking included. Entry IDs made by `*` come from the log entry's stamp, so every
// replica assigns the same IDs. Errors are Redis 7's, checked in Redis's order: the arguments
// first (in check, before the log), then the key (in apply).

import { ErrorReply, NullArray, OK, RespMap } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { MAX_ID, STREAM_ID_PART_MAX, StreamValue, ZERO_ID, compareIds, formatId, idAfter } from '../engine/stream-value.js';
import type { StreamEntry, StreamId } from '../engine/stream-value.js';
import { option, parseInt64 } from './arguments.js';
import { WouldBlock } from './command-spec.js';
import type { ApplyContext, CommandSpec, ReadContext, WriteCommand } from './command-spec.js';
import { NOT_INTEGER, SYNTAX, errorOf, errorReply, wrongArity } from './errors.js';
import { readCollection, writeCollection } from './typed-access.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
export const INVALID_ID = errorReply('ERR Invalid stream ID specified as stream command argument');
const ID_NOT_ABOVE_TOP = errorReply('ERR The ID specified in XADD is equal or smaller than the target stream top item');
const ID_ZERO = errorReply('ERR The ID specified in XADD must be greater than 0-0');
const IDS_EXHAUSTED = errorReply('ERR The stream has exhausted the last possible ID, unable to add more items');
const TIMEOUT_NOT_INTEGER = errorReply('ERR timeout is not an integer or out of range');
const TIMEOUT_NEGATIVE = errorReply('ERR timeout is negative');
/** Redis trims at most 100 nodes' worth of entries per approximate trim unless told a LIMIT. */
const DEFAULT_APPROXIMATE_LIMIT = 100 * 100;

function read(context: ReadContext, key: string): StreamValue | undefined | ErrorReply {
  return readCollection(context, key, StreamValue);
}

/**
 * A stream ID part, text[start, end): 1 to 16 decimal digits only, as Redis's string2ull, at
 * most STREAM_ID_PART_MAX (our 2^53 limit). Allocates nothing (XADD's hot path).
 */
function parsePart(text: string, start = 0, end = text.length): number | undefined {
  if (end - start < 1 || end - start > 16) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    // Exact below 2^53; past it the sum only rounds to another value above the maximum.
    value = value * 10 + digit;
  }
  return value <= STREAM_ID_PART_MAX ? value : undefined;
}

/** `ms-seq`, or `ms` with the sequence `missingSeq` (0 for a start, the maximum for an end). */
export function parseId(text: string, missingSeq: number): StreamId | undefined {
  const dash = text.indexOf('-');
  const ms = parsePart(text, 0, dash === -1 ? text.length : dash);
  if (ms === undefined) return undefined;
  if (dash === -1) return { ms, seq: missingSeq };
  const seq = parsePart(text, dash + 1);
  return seq === undefined ? undefined : { ms, seq };
}

/** An XRANGE bound: `-`, `+`, an ID (possibly without sequence), or `(ID` for an exclusive end. */
export function parseRangeBound(text: string, isStart: boolean): StreamId | ErrorReply {
  if (text === '-') return ZERO_ID;
  if (text === '+') return MAX_ID;
  const exclusive = text.startsWith('(');
  const id = parseId(exclusive ? text.slice(1) : text, isStart ? 0 : STREAM_ID_PART_MAX);
  if (id === undefined) return INVALID_ID;
  if (!exclusive) return id;
  if (isStart) {
    if (compareIds(id, MAX_ID) === 0) return errorReply('ERR invalid start ID for the interval');
    return idAfter(id);
  }
  if (compareIds(id, ZERO_ID) === 0) return errorReply('ERR invalid end ID for the interval');
  return id.seq === 0 ? { ms: id.ms - 1, seq: STREAM_ID_PART_MAX } : { ms: id.ms, seq: id.seq - 1 };
}

export function entryReply([id, fields]: StreamEntry): RespValue {
  return [formatId(id), [...fields]];
}

// ---- trimming options (XADD and XTRIM) ----

type TrimRule = { readonly maxLength: number } | { readonly minId: StreamId };

interface TrimOptions {
  readonly rule: TrimRule | undefined;
  readonly approximate: boolean;
  /** Entries an approximate trim may remove at most; negative: no limit. */
  readonly limit: number;
}

interface AddArguments {
  readonly trim: TrimOptions;
  readonly noMkStream: boolean;
  /** undefined for `*`; `seq` undefined for `ms-*`. */
  readonly id: { readonly ms: number; readonly seq: number | undefined } | undefined;
  readonly fieldsAt: number;
}

/**
 * Redis's streamParseAddOrTrimArgsOrReply: options up to the ID (XADD) or the end (XTRIM),
 * each error as its option is met, then the LIMIT rules.
 */
function parseTrimAndAdd(args: readonly string[], xadd: boolean): AddArguments | ErrorReply {
  let rule: TrimRule | undefined;
  let approximate = false;
  let limit: number | undefined;
  let noMkStream = false;
  let id: AddArguments['id'];
  let i = 2;
  for (; i < args.length; i++) {
    if (xadd && args[i] === '*') break;
    const more = args.length - i - 1;
    const name = option(args[i]);
    if (name === 'maxlen' || name === 'minid') {
      if (more < 1) return SYNTAX;
      if (rule !== undefined) return errorReply('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      let next = args[i + 1];
      if ((next === '~' || next === '=') && more >= 2) {
        approximate = next === '~';
        i++;
        next = args[i + 1];
      }
      i++;
      if (name === 'maxlen') {
        const maxLength = parseInt64(next);
        if (maxLength === undefined) return NOT_INTEGER;
        if (maxLength < 0) return errorReply('ERR The MAXLEN argument must be >= 0.');
        rule = { maxLength: Number(maxLength) };
      } else {
        const minId = parseId(next, 0);
        if (minId === undefined) return INVALID_ID;
        rule = { minId };
      }
    } else if (name === 'limit' && more >= 1) {
      const value = parseInt64(args[++i]);
      if (value === undefined) return NOT_INTEGER;
      if (value < 0) return errorReply('ERR The LIMIT argument must be >= 0.');
      limit = Number(value);
    } else if (xadd && name === 'nomkstream') {
      noMkStream = true;
    } else if (xadd) {
      const parsed = parseAddId(args[i]);
      if (parsed instanceof ErrorReply) return parsed;
      id = parsed;
      break;
    } else return SYNTAX;
  }
  if (limit !== undefined && rule === undefined && !xadd) return errorReply('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (limit !== undefined && !approximate) return errorReply('ERR syntax error, LIMIT cannot be used without the special ~ option');
  const effectiveLimit = !approximate ? -1 : limit === undefined ? DEFAULT_APPROXIMATE_LIMIT : limit === 0 ? -1 : limit;
  return { trim: { rule, approximate, limit: effectiveLimit }, noMkStream, id, fieldsAt: i + 1 };
}

/** XADD's ID: `ms-seq`, `ms` (sequence 0) or `ms-*` (next sequence). */
function parseAddId(text: string): AddArguments['id'] | ErrorReply {
  if (text.endsWith('-*')) {
    const ms = parsePart(text, 0, text.length - 2);
    return ms === undefined ? INVALID_ID : { ms, seq: undefined };
  }
  const id = parseId(text, 0);
  return id === undefined ? INVALID_ID : id;
}

function checkXadd(args: readonly string[]): ErrorReply | undefined {
  const parsed = parseTrimAndAdd(args, true);
  if (parsed instanceof ErrorReply) return parsed;
  const fields = args.length - parsed.fieldsAt;
  if (fields < 2 || fields % 2 !== 0) return wrongArity('xadd');
  if (parsed.id !== undefined && parsed.id.ms === 0 && parsed.id.seq === 0) return ID_ZERO;
  return undefined;
}

/** The ID a new entry gets: `*` from the entry's stamp, as Redis's streamNextID. */
function nextId(stream: StreamValue | undefined, requested: AddArguments['id'], nowMs: number): StreamId | ErrorReply {
  const last = stream?.lastId ?? ZERO_ID;
  if (requested === undefined) {
    if (nowMs > last.ms) return { ms: nowMs, seq: 0 };
    return idAfter(last);
  }
  if (requested.seq === undefined) {
    if (requested.ms > last.ms) return { ms: requested.ms, seq: 0 };
    if (requested.ms < last.ms || last.seq === STREAM_ID_PART_MAX) return ID_NOT_ABOVE_TOP;
    return { ms: last.ms, seq: last.seq + 1 };
  }
  const id = { ms: requested.ms, seq: requested.seq };
  return compareIds(id, last) > 0 ? id : ID_NOT_ABOVE_TOP;
}

function applyXadd(context: ApplyContext, args: readonly string[]): RespValue {
  const parsed = parseTrimAndAdd(args, true) as AddArguments;
  const existing = writeCollection(context, args[1], StreamValue);
  if (existing instanceof ErrorReply) return existing;
  if (existing === undefined && parsed.noMkStream) return null;
  if (existing !== undefined && compareIds(existing.lastId, MAX_ID) === 0) return IDS_EXHAUSTED;
  if (existing !== undefined && existing.rejectAboveLength > 0 && existing.size >= existing.rejectAboveLength) {
    return errorReply(`STREAMFULL the stream holds its ${existing.rejectAboveLength} entries (XCONFIG MAXLEN-REJECT); the entry was not added`);
  }
  const id = nextId(existing, parsed.id, context.nowMs);
  if (id instanceof ErrorReply) return id;
  const stream = existing ?? new StreamValue();
  stream.append(id, args.slice(parsed.fieldsAt));
  if (existing === undefined) context.keyspace.set(args[1], stream);
  if (parsed.trim.rule !== undefined) stream.trim(parsed.trim.rule, parsed.trim.approximate, parsed.trim.limit);
  context.signalReady(args[1]);
  return formatId(id);
}

function checkXtrim(args: readonly string[]): ErrorReply | undefined {
  const parsed = parseTrimAndAdd(args, false);
  if (parsed instanceof ErrorReply) return parsed;
  return parsed.trim.rule === undefined ? errorReply('ERR syntax error, XTRIM must be called with a trimming strategy') : undefined;
}

// ---- XREAD ----

export interface ReadOptions {
  /** 0: no limit. */
  readonly count: number;
  /** undefined: do not block; 0: block forever. */
  readonly blockMs: number | undefined;
  readonly keys: readonly string[];
  /** Each key's ID: `$` (XREAD: after the last entry at the time of the call) or `>` (XREADGROUP: new entries). */
  readonly ids: readonly string[];
  readonly streamsAt: number;
  /** XREADGROUP's GROUP group consumer and NOACK. */
  readonly group: string | undefined;
  readonly consumer: string | undefined;
  readonly noAck: boolean;
}

/** The options of XREAD and XREADGROUP, as Redis's xreadCommand reads them. */
export function parseReadOptions(args: readonly string[], xreadgroup: boolean): ReadOptions | ErrorReply {
  let count = 0;
  let blockMs: number | undefined;
  let group: string | undefined;
  let consumer: string | undefined;
  let noAck = false;
  for (let i = 1; i < args.length; i++) {
    const name = option(args[i]);
    const more = args.length - i - 1;
    if (name === 'streams' && more >= 1) {
      const streams = args.length - i - 1;
      if (streams % 2 !== 0) return errorReply('ERR Unbalanced XREAD list of streams: for each stream key an ID or \'$\' must be specified.');
      const keys = args.slice(i + 1, i + 1 + streams / 2);
      const ids = args.slice(i + 1 + streams / 2);
      if (xreadgroup && group === undefined) return errorReply('ERR Missing GROUP option for XREADGROUP');
      // The IDs are checked stream by stream, after each key's type (and group): see readIdError.
      return { count, blockMs, keys, ids, streamsAt: i, group, consumer, noAck };
    }
    if (name === 'count' && more >= 1) {
      const value = parseInt64(args[++i]);
      if (value === undefined) return NOT_INTEGER;
      count = value < 0 ? 0 : Number(value);
    } else if (name === 'block' && more >= 1) {
      const value = parseInt64(args[++i]);
      if (value === undefined) return TIMEOUT_NOT_INTEGER;
      if (value < 0) return TIMEOUT_NEGATIVE;
      blockMs = Number(value);
    } else if (name === 'group' && more >= 2) {
      if (!xreadgroup) return errorReply('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      group = args[++i];
      consumer = args[++i];
    } else if (name === 'noack') {
      if (!xreadgroup) return errorReply('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      noAck = true;
    } else return SYNTAX;
  }
  return SYNTAX;
}

const parseXread = (args: readonly string[]): ReadOptions | ErrorReply => parseReadOptions(args, false);

/** What Redis says of a stream's ID in XREAD (`$` allowed) or XREADGROUP (`>` allowed). */
export function readIdError(id: string, xreadgroup: boolean): ErrorReply | undefined {
  if (id === '$') {
    return xreadgroup ? errorReply('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.') : undefined;
  }
  if (id === '>') return xreadgroup ? undefined : errorReply('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
  return parseId(id, 0) === undefined ? INVALID_ID : undefined;
}

/** XREAD's keys: the first half of what follows STREAMS. */
function xreadKeys(args: readonly string[]): string[] {
  const request = parseXread(args);
  return request instanceof ErrorReply ? [] : [...request.keys];
}

function applyXread(context: ApplyContext, args: readonly string[]): RespValue | WouldBlock {
  const request = parseXread(args) as ReadOptions;
  // Every stream is checked (its type, then its ID) before any is served, as in Redis.
  for (let k = 0; k < request.keys.length; k++) {
    const found = writeCollection(context, request.keys[k], StreamValue);
    // A blocked reader whose key became another type waits on, as in Redis (a new call would fail).
    if (found instanceof ErrorReply && !context.retry) return found;
    const invalid = readIdError(request.ids[k], false);
    if (invalid !== undefined) return invalid;
  }
  const resolved: string[] = [];
  const served: Array<[RespValue, RespValue]> = [];
  for (let k = 0; k < request.keys.length; k++) {
    const found = writeCollection(context, request.keys[k], StreamValue);
    const stream = found instanceof ErrorReply ? undefined : found;
    const text = request.ids[k];
    const after = text === '$' ? (stream?.lastId ?? ZERO_ID) : (parseId(text, 0) as StreamId);
    resolved.push(formatId(after));
    if (stream === undefined || compareIds(after, MAX_ID) === 0) continue;
    const entries = stream.range(idAfter(after), MAX_ID, request.count === 0 ? -1 : request.count, false);
    if (entries.length > 0) served.push([request.keys[k], entries.map(entryReply)]);
  }
  if (served.length > 0) return new RespMap(served, 'pairs');
  if (request.blockMs === undefined) return NullArray.instance;
  // `$` means the last ID when the client blocked: the retries wait for entries after it.
  return WouldBlock.retryingWith([...args.slice(0, request.streamsAt + 1 + request.keys.length), ...resolved]);
}

/** XCONFIG key [MAXLEN-REJECT n]: Shoal's per-stream settings (peak shaving). */
function parseXconfig(args: readonly string[]): { rejectAboveLength: number | undefined } | ErrorReply {
  if (args.length === 2) return { rejectAboveLength: undefined };
  if (args.length !== 4 || option(args[2]) !== 'maxlen-reject') return SYNTAX;
  const value = parseInt64(args[3]);
  if (value === undefined || value < 0) return errorReply('ERR MAXLEN-REJECT must be a non-negative integer (0: no limit)');
  return { rejectAboveLength: Number(value) };
}

const xconfigCommand: WriteCommand = {
  name: 'xconfig', kind: 'write', arity: -2, flags: ['write', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'update']], categories: ['stream'],
  group: 'stream', since: '0.1.0', complexity: 'O(1)',
  summary: 'Shoal: shows a stream\'s settings, or sets MAXLEN-REJECT, a capacity beyond which XADD fails instead of trimming (0: none).',
  check: (args) => errorOf(parseXconfig(args)),
  apply: (context, args) => {
    const parsed = parseXconfig(args) as { rejectAboveLength: number | undefined };
    const stream = writeCollection(context, args[1], StreamValue);
    if (stream instanceof ErrorReply) return stream;
    if (stream === undefined) return errorReply('ERR no such key');
    if (parsed.rejectAboveLength === undefined) return new RespMap([['maxlen-reject', stream.rejectAboveLength]]);
    stream.rejectAboveLength = parsed.rejectAboveLength;
    return OK;
  },
};

export const streamCommands: readonly CommandSpec[] = [
  xconfigCommand,
  {
    name: 'xadd', kind: 'write', arity: -5, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'update']],
    tips: ['nondeterministic_output'], categories: ['stream'], group: 'stream', since: '5.0.0',
    complexity: 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
    summary: 'Appends a new message to a stream. Creates the key if it doesn\'t exist.',
    check: checkXadd,
    apply: applyXadd,
  },
  {
    name: 'xlen', kind: 'read', arity: 2, flags: ['readonly', 'fast'], keys: ONE_KEY, keySpecFlags: [['RO']], categories: ['stream'],
    group: 'stream', since: '5.0.0', complexity: 'O(1)', summary: 'Return the number of messages in a stream.',
    execute: (context, args) => {
      const stream = read(context, args[1]);
      return stream instanceof ErrorReply ? stream : (stream?.size ?? 0);
    },
  },
  ...(['xrange', 'xrevrange'] as const).map((name): CommandSpec => {
    const reverse = name === 'xrevrange';
    const parse = (args: readonly string[]): { start: StreamId; end: StreamId; count: number } | ErrorReply => {
      const start = parseRangeBound(args[reverse ? 3 : 2], true);
      if (start instanceof ErrorReply) return start;
      const end = parseRangeBound(args[reverse ? 2 : 3], false);
      if (end instanceof ErrorReply) return end;
      if (args.length === 4) return { start, end, count: -1 };
      if (args.length !== 6 || option(args[4]) !== 'count') return SYNTAX;
      const count = parseInt64(args[5]);
      if (count === undefined) return NOT_INTEGER;
      return { start, end, count: count < 0 ? 0 : Number(count) };
    };
    return {
      name, kind: 'read', arity: -4, flags: ['readonly'], keys: ONE_KEY, keySpecFlags: [['RO', 'access']], categories: ['stream'],
      group: 'stream', since: '5.0.0', complexity: 'O(N) with N being the number of elements being returned.',
      summary: reverse ? 'Returns the messages from a stream within a range of IDs in reverse order.' : 'Returns the messages from a stream within a range of IDs.',
      execute: (context, args) => {
        const range = parse(args);
        if (range instanceof ErrorReply) return range;
        const stream = read(context, args[1]);
        if (stream instanceof ErrorReply) return stream;
        if (stream === undefined) return [];
        // Redis answers COUNT 0 (or a negative count) on an existing stream with a null array.
        if (range.count === 0) return NullArray.instance;
        return stream.range(range.start, range.end, range.count, reverse).map(entryReply);
      },
    };
  }),
  {
    name: 'xdel', kind: 'write', arity: -3, flags: ['write', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'delete']], categories: ['stream'],
    group: 'stream', since: '5.0.0', complexity: 'O(1) for each single item to delete in the stream, regardless of the stream size.',
    summary: 'Returns the number of messages after removing them from a stream.',
    // The key first (missing: 0, WRONGTYPE), then every ID before any is deleted, as in Redis.
    apply: (context, args) => {
      const stream = writeCollection(context, args[1], StreamValue);
      if (stream instanceof ErrorReply) return stream;
      if (stream === undefined) return 0;
      const ids = args.slice(2).map((text) => parseId(text, 0));
      if (ids.includes(undefined)) return INVALID_ID;
      let deleted = 0;
      for (const id of ids) if (stream.delete(id as StreamId)) deleted++;
      return deleted;
    },
  },
  {
    name: 'xtrim', kind: 'write', arity: -4, flags: ['write'], keys: ONE_KEY, keySpecFlags: [['RW', 'delete']],
    tips: ['nondeterministic_output'], categories: ['stream'], group: 'stream', since: '5.0.0',
    complexity: 'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.',
    summary: 'Deletes messages from the beginning of a stream.',
    check: checkXtrim,
    apply: (context, args) => {
      const parsed = parseTrimAndAdd(args, false) as AddArguments;
      const stream = writeCollection(context, args[1], StreamValue);
      if (stream instanceof ErrorReply) return stream;
      if (stream === undefined || parsed.trim.rule === undefined) return 0;
      return stream.trim(parsed.trim.rule, parsed.trim.approximate, parsed.trim.limit);
    },
  },
  {
    name: 'xsetid', kind: 'write', arity: -3, flags: ['write', 'denyoom', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'update']], categories: ['stream'],
    group: 'stream', since: '5.0.0', complexity: 'O(1)', summary: 'An internal command for replicating stream values.',
    check: (args) => errorOf(parseXsetid(args)),
    apply: (context, args) => {
      const parsed = parseXsetid(args) as XsetidArguments;
      const stream = writeCollection(context, args[1], StreamValue);
      if (stream instanceof ErrorReply) return stream;
      if (stream === undefined) return errorReply('ERR no such key');
      if (parsed.entriesAdded !== undefined && stream.size > parsed.entriesAdded) {
        return errorReply('ERR The entries_added specified in XSETID is smaller than the target stream length');
      }
      const top = stream.last();
      if (top !== undefined && compareIds(parsed.id, top[0]) < 0) return errorReply('ERR The ID specified in XSETID is smaller than the target stream top item');
      stream.lastId = parsed.id;
      if (parsed.entriesAdded !== undefined) stream.entriesAdded = parsed.entriesAdded;
      if (parsed.maxDeletedId !== undefined) stream.maxDeletedId = parsed.maxDeletedId;
      return OK;
    },
  },
  {
    name: 'xread', kind: 'write', arity: -4, flags: ['readonly', 'blocking', 'movablekeys'], keys: { first: 0, last: 0, step: 0 },
    findKeys: xreadKeys, keySpecFlags: [['RO', 'access']], categories: ['stream'], group: 'stream', since: '5.0.0',
    complexity: 'For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.',
    summary: 'Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.',
    check: (args) => errorOf(parseXread(args)),
    blocking: {
      timeoutMs: (args) => (parseXread(args) as ReadOptions).blockMs ?? 0,
      timeoutReply: NullArray.instance,
      nonConsuming: true,
    },
    // Inside EXEC a WouldBlock becomes the timeout reply at once, as Redis does.
    apply: applyXread,
  } satisfies WriteCommand,
];

interface XsetidArguments {
  readonly id: StreamId;
  readonly entriesAdded: number | undefined;
  readonly maxDeletedId: StreamId | undefined;
}

function parseXsetid(args: readonly string[]): XsetidArguments | ErrorReply {
  const id = parseId(args[2], 0);
  if (id === undefined) return INVALID_ID;
  let entriesAdded: number | undefined;
  let maxDeletedId: StreamId | undefined;
  for (let i = 3; i < args.length; i += 2) {
    const name = option(args[i]);
    if (i + 1 >= args.length) return SYNTAX;
    if (name === 'entriesadded') {
      const value = parseInt64(args[i + 1]);
      if (value === undefined) return NOT_INTEGER;
      if (value < 0) return errorReply('ERR entries_added must be positive');
      entriesAdded = Number(value);
    } else if (name === 'maxdeletedid') {
      maxDeletedId = parseId(args[i + 1], 0);
      if (maxDeletedId === undefined) return INVALID_ID;
    } else return SYNTAX;
  }
  if (maxDeletedId !== undefined && compareIds(id, maxDeletedId) < 0) return errorReply('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
  return { id, entriesAdded, maxDeletedId };
}
