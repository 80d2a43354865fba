// Stream consumer groups (Redis's t_stream.c, second half): XGROUP, XREADGROUP, XACK, XPENDING,
// XCLAIM, XAUTOCLAIM and XINFO. Delivery times and idle times come from the log entry's stamp
// (writes) or the node's clock (XPENDING and XINFO reads), never from a replica's own clock.

import assert from 'node:assert/strict';
import { ErrorReply, NullArray, OK, RespMap } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { ConsumerGroup } from '../engine/consumer-group.js';
import type { Consumer, PendingEntry } from '../engine/consumer-group.js';
import { MAX_ID, StreamValue, ZERO_ID, compareIds, formatId, idAfter } from '../engine/stream-value.js';
import type { StreamEntry, StreamId } from '../engine/stream-value.js';
import { option, parseInt64 } from './arguments.js';
import { WouldBlock, subcommand } from './command-spec.js';
import type { ApplyContext, CommandSpec, ReadContext, SubcommandSpec, WriteCommand } from './command-spec.js';
import { NOT_INTEGER, SYNTAX, errorOf, errorReply, subcommandSyntaxError } from './errors.js';
import { readCollection, writeCollection } from './typed-access.js';
import { INVALID_ID, entryReply, parseId, parseRangeBound, parseReadOptions, readIdError } from './streams.js';
import type { ReadOptions } from './streams.js';
import { helpReply } from './help-reply.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const GROUP_AT_2 = { first: 2, last: 2, step: 1 } as const;
const keyed = (spec: SubcommandSpec): SubcommandSpec => ({ ...spec, keys: GROUP_AT_2 });

/** HELP replies are simple strings, a line each. */
function noGroup(key: string, group: string): ErrorReply {
  return errorReply(`NOGROUP No such key '${key}' or consumer group '${group}'`);
}

function noGroupForKey(key: string, group: string): ErrorReply {
  return errorReply(`NOGROUP No such consumer group '${group}' for key name '${key}'`);
}

/** The stream and its group, for commands that need both to exist. */
function findGroup(stream: StreamValue | undefined | ErrorReply, name: string, missing: ErrorReply): [StreamValue, ConsumerGroup] | ErrorReply {
  if (stream instanceof ErrorReply) return stream;
  const group = stream?.groups.get(name);
  return stream === undefined || group === undefined ? missing : [stream, group];
}

// ---- XGROUP ----

const NEEDS_KEY = errorReply('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');

interface GroupOptions { readonly mkStream: boolean; readonly entriesRead: number | undefined }

/** The options after the ID (ENTRIESREAD, and MKSTREAM for CREATE), parsed before the key is
 * looked up; the ID itself only after the key and group checks, in Redis's order. */
function parseGroupOptions(args: readonly string[]): GroupOptions | ErrorReply {
  const sub = option(args[1]);
  let mkStream = false;
  let entriesRead: number | undefined;
  for (let i = 5; i < args.length; i++) {
    const name = option(args[i]);
    if (sub === 'create' && name === 'mkstream') mkStream = true;
    else if ((sub === 'create' || sub === 'setid') && name === 'entriesread' && i + 1 < args.length) {
      const value = parseInt64(args[++i]);
      if (value === undefined) return NOT_INTEGER;
      if (value < -1) return errorReply('ERR value for ENTRIESREAD must be positive or -1');
      entriesRead = value === -1 ? undefined : Number(value);
    } else return subcommandSyntaxError(args[1], 'xgroup');
  }
  return { mkStream, entriesRead };
}

/** The subcommand and its arity were checked by the dispatcher, from the declarations below. */
function checkXgroup(args: readonly string[]): ErrorReply | undefined {
  return errorOf(parseGroupOptions(args));
}

const XGROUP_HELP = helpReply('xgroup', [
  'CREATE <key> <groupname> <id|$> [option]', '    Create a new consumer group. Options are:',
  '    * MKSTREAM', '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read', '      Set the group\'s entries_read counter (internal use).',
  'CREATECONSUMER <key> <groupname> <consumer>', '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>', '    Remove the specified consumer.',
  'DESTROY <key> <groupname>', '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]', '    Set the current group ID and entries_read counter.',
]);

function applyXgroup(context: ApplyContext, args: readonly string[]): RespValue {
  const sub = option(args[1]);
  if (sub === 'help') return XGROUP_HELP;
  const options = parseGroupOptions(args) as GroupOptions;
  const key = args[2];
  const found = writeCollection(context, key, StreamValue);
  if (found instanceof ErrorReply) return found;
  const group = found?.groups.get(args[3]);
  if (!options.mkStream) {
    if (found === undefined) return NEEDS_KEY;
    if (group === undefined && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) return noGroupForKey(key, args[3]);
  }
  if (sub === 'create') {
    if (args.length > 8) return subcommandSyntaxError(args[1], 'xgroup');
    const fromEnd = args[4] === '$';
    const id = fromEnd ? found?.lastId ?? ZERO_ID : parseId(args[4], 0);
    if (id === undefined) return INVALID_ID;
    const stream = found ?? new StreamValue();
    if (found === undefined) context.keyspace.set(key, stream);
    if (group !== undefined) return errorReply('BUSYGROUP Consumer Group name already exists');
    stream.groups.set(args[3], new ConsumerGroup(id, options.entriesRead ?? (fromEnd ? stream.entriesAdded : undefined)));
    return OK;
  }
  assert.ok(found !== undefined, 'only CREATE takes MKSTREAM');
  if (sub === 'destroy') {
    if (group === undefined) return 0;
    found.groups.delete(args[3]);
    // Readers blocked on the group learn it is gone.
    context.signalReady(key);
    return 1;
  }
  assert.ok(group !== undefined, 'a missing group was refused above');
  if (sub === 'setid') {
    if (args.length !== 5 && args.length !== 7) return subcommandSyntaxError(args[1], 'xgroup');
    // Unlike CREATE, SETID takes '-' and '+' (streamParseIDOrReply, not the strict parse).
    const fromEnd = args[4] === '$';
    const id = fromEnd ? found.lastId : args[4] === '-' ? ZERO_ID : args[4] === '+' ? MAX_ID : parseId(args[4], 0);
    if (id === undefined) return INVALID_ID;
    group.lastDeliveredId = id;
    group.entriesRead = options.entriesRead ?? (fromEnd ? found.entriesAdded : undefined);
    return OK;
  }
  if (sub === 'createconsumer') {
    if (group.consumers.has(args[4])) return 0;
    group.consumer(args[4], context.nowMs);
    return 1;
  }
  assert.equal(sub, 'delconsumer', 'the dispatcher lets known XGROUP subcommands through only');
  return group.deleteConsumer(args[4]);
}

// ---- XREADGROUP ----

type GroupReadRequest = ReadOptions & { readonly group: string; readonly consumer: string };

function parseXreadgroup(args: readonly string[]): GroupReadRequest | ErrorReply {
  const options = parseReadOptions(args, true);
  return options instanceof ErrorReply ? options : (options as GroupReadRequest);
}

function xreadgroupKeys(args: readonly string[]): string[] {
  const request = parseXreadgroup(args);
  return request instanceof ErrorReply ? [] : [...request.keys];
}

/** New entries for the group (`>`): they become pending for the consumer unless NOACK. */
function deliverNew(context: ApplyContext, stream: StreamValue, group: ConsumerGroup, consumer: Consumer, count: number, noAck: boolean): RespValue[] {
  const entries = stream.range(idAfter(group.lastDeliveredId), MAX_ID, count === 0 ? -1 : count, false);
  for (const [id] of entries) {
    if (group.entriesRead !== undefined && !stream.hasTombstonesFrom(id)) group.entriesRead++;
    else if (stream.entriesAdded > 0) group.entriesRead = stream.entriesReadAt(id);
    group.lastDeliveredId = id;
    if (!noAck) {
      const pending = group.deliver(id, consumer, context.nowMs, false);
      pending.deliveries = 1;
    }
  }
  if (entries.length > 0) consumer.activeAtMs = context.nowMs;
  return entries.map(entryReply);
}

/** The consumer's own pending entries after `after`: delivered again (count and time updated). */
function deliverHistory(context: ApplyContext, stream: StreamValue, group: ConsumerGroup, consumer: Consumer, after: StreamId, count: number): RespValue[] {
  const mine = group.pendingRange(idAfter(after), MAX_ID, count === 0 ? Infinity : count, (entry) => entry.consumer === consumer.name);
  return mine.map((pending) => {
    const entry = stream.range(pending.id, pending.id, 1, false)[0];
    if (entry === undefined) return [formatId(pending.id), NullArray.instance];
    pending.deliveredAtMs = context.nowMs;
    pending.deliveries++;
    return entryReply(entry);
  });
}

function applyXreadgroup(context: ApplyContext, args: readonly string[]): RespValue | WouldBlock {
  const request = parseXreadgroup(args) as GroupReadRequest;
  // Every stream is checked (its type, its group, then its ID) before any is served, as in Redis.
  const groups: Array<[StreamValue, ConsumerGroup]> = [];
  for (let k = 0; k < request.keys.length; k++) {
    const key = request.keys[k];
    const value = writeCollection(context, key, StreamValue);
    // A blocked consumer whose stream or group went away is told so, in Redis's words.
    if (context.retry) {
      if (value === undefined || value instanceof ErrorReply) return errorReply('UNBLOCKED the stream key no longer exists');
      if (!value.groups.has(request.group)) return errorReply('NOGROUP the consumer group this client was blocked on no longer exists');
    }
    const found = findGroup(value, request.group, errorReply(`NOGROUP No such key '${key}' or consumer group '${request.group}' in XREADGROUP with GROUP option`));
    if (found instanceof ErrorReply) return found;
    const invalid = readIdError(request.ids[k], true);
    if (invalid !== undefined) return invalid;
    groups.push(found);
  }
  const served: Array<[RespValue, RespValue]> = [];
  for (let k = 0; k < request.keys.length; k++) {
    const key = request.keys[k];
    const [stream, group] = groups[k];
    const id = request.ids[k];
    // Like Redis, a consumer comes into being (or is seen) only when it is served.
    if (id === '>' && stream.range(idAfter(group.lastDeliveredId), MAX_ID, 1, false).length === 0) continue;
    const consumer = group.consumer(request.consumer, context.nowMs);
    consumer.seenAtMs = context.nowMs;
    if (id === '>') served.push([key, deliverNew(context, stream, group, consumer, request.count, request.noAck)]);
    else served.push([key, deliverHistory(context, stream, group, consumer, parseId(id, 0) as StreamId, request.count)]);
  }
  if (served.length > 0) return new RespMap(served, 'pairs');
  return request.blockMs === undefined ? NullArray.instance : WouldBlock.instance;
}

// ---- XACK, XPENDING ----

function applyXack(context: ApplyContext, args: readonly string[]): RespValue {
  const stream = writeCollection(context, args[1], StreamValue);
  if (stream instanceof ErrorReply) return stream;
  const group = stream?.groups.get(args[2]);
  // Nothing to acknowledge without the key or the group; only then are the IDs checked (Redis).
  if (group === undefined) return 0;
  const ids = args.slice(3).map((text) => parseId(text, 0));
  if (ids.includes(undefined)) return INVALID_ID;
  let acknowledged = 0;
  for (const id of ids) if (group.acknowledge(id as StreamId)) acknowledged++;
  return acknowledged;
}

interface PendingQuery {
  readonly minIdleMs: number;
  readonly start: StreamId;
  readonly end: StreamId;
  readonly count: number;
  readonly consumer: string | undefined;
}

/** Redis's order: the argument count, IDLE's value, then count before start and end; what
 * follows the consumer is ignored, as in Redis. */
function parseXpending(args: readonly string[]): PendingQuery | undefined | ErrorReply {
  if (args.length === 3) return undefined;
  if (args.length < 6 || args.length > 9) return SYNTAX;
  let at = 3;
  let minIdleMs = 0;
  if (option(args[3]) === 'idle') {
    const idle = parseInt64(args[4]);
    if (idle === undefined) return NOT_INTEGER;
    if (args.length < 8) return SYNTAX;
    minIdleMs = Number(idle);
    at = 5;
  }
  const count = parseInt64(args[at + 2]);
  if (count === undefined) return NOT_INTEGER;
  const start = parseRangeBound(args[at], true);
  if (start instanceof ErrorReply) return start;
  const end = parseRangeBound(args[at + 1], false);
  if (end instanceof ErrorReply) return end;
  return { minIdleMs, start, end, count: count < 0 ? 0 : Number(count), consumer: args[at + 3] };
}

function pendingSummary(group: ConsumerGroup): RespValue {
  const all = group.allPending();
  if (all.length === 0) return [0, null, null, NullArray.instance];
  const perConsumer = new Map<string, number>();
  for (const entry of all) perConsumer.set(entry.consumer, (perConsumer.get(entry.consumer) ?? 0) + 1);
  const consumers = [...group.consumers.keys()].filter((name) => perConsumer.has(name)).sort();
  return [all.length, formatId(all[0].id), formatId(all[all.length - 1].id), consumers.map((name) => [name, String(perConsumer.get(name))])];
}

function executeXpending(context: ReadContext, args: readonly string[]): RespValue {
  const query = parseXpending(args);
  if (query instanceof ErrorReply) return query;
  const found = findGroup(readCollection(context, args[1], StreamValue), args[2], noGroup(args[1], args[2]));
  if (found instanceof ErrorReply) return found;
  const [, group] = found;
  if (query === undefined) return pendingSummary(group);
  const idle = (entry: PendingEntry) => Math.max(0, context.nowMs - entry.deliveredAtMs);
  const entries = group.pendingRange(query.start, query.end, query.count,
    (entry) => (query.consumer === undefined || entry.consumer === query.consumer) && idle(entry) >= query.minIdleMs);
  return entries.map((entry) => [formatId(entry.id), entry.consumer, idle(entry), entry.deliveries]);
}

// ---- XCLAIM, XAUTOCLAIM ----

interface ClaimRequest {
  readonly minIdleMs: number;
  readonly ids: readonly StreamId[];
  readonly idleMs: number | undefined;
  readonly timeMs: number | undefined;
  readonly retryCount: number | undefined;
  readonly force: boolean;
  readonly justId: boolean;
  readonly lastId: StreamId | undefined;
}

function parseMinIdle(text: string, command: string): number | ErrorReply {
  const value = parseInt64(text);
  if (value === undefined) return errorReply(`ERR Invalid min-idle-time argument for ${command}`);
  return Math.max(0, Number(value));
}

function parseXclaim(args: readonly string[]): ClaimRequest | ErrorReply {
  const minIdleMs = parseMinIdle(args[4], 'XCLAIM');
  if (minIdleMs instanceof ErrorReply) return minIdleMs;
  const ids: StreamId[] = [];
  let i = 5;
  for (; i < args.length; i++) {
    const id = parseId(args[i], 0);
    if (id === undefined) break;
    ids.push(id);
  }
  const request = { minIdleMs, ids, idleMs: undefined as number | undefined, timeMs: undefined as number | undefined, retryCount: undefined as number | undefined, force: false, justId: false, lastId: undefined as StreamId | undefined };
  for (; i < args.length; i++) {
    const name = option(args[i]);
    const more = i + 1 < args.length;
    if (name === 'force') request.force = true;
    else if (name === 'justid') request.justId = true;
    else if ((name === 'idle' || name === 'time' || name === 'retrycount') && more) {
      const value = parseInt64(args[++i]);
      if (value === undefined) return errorReply(`ERR Invalid ${name === 'retrycount' ? 'RETRYCOUNT' : name === 'idle' ? 'IDLE' : 'TIME'} option argument for XCLAIM`);
      if (name === 'idle') request.idleMs = Number(value);
      else if (name === 'time') request.timeMs = Number(value);
      // As in Redis, a negative count is no count: the delivery counter advances as usual.
      else request.retryCount = value < 0 ? undefined : Number(value);
    } else if (name === 'lastid' && more) {
      const id = parseId(args[++i], 0);
      if (id === undefined) return INVALID_ID;
      request.lastId = id;
    } else return errorReply(`ERR Unrecognized XCLAIM option '${args[i]}'`);
  }
  return request;
}

/** Moves a pending entry to `consumer` when it has been idle long enough; the stream entry, or null if it is gone. */
function claimOne(context: ApplyContext, stream: StreamValue, group: ConsumerGroup, consumer: Consumer, pending: PendingEntry, countDelivery: boolean): StreamEntry | null {
  const entry = stream.range(pending.id, pending.id, 1, false)[0];
  if (entry === undefined) {
    group.acknowledge(pending.id);
    return null;
  }
  group.deliver(pending.id, consumer, context.nowMs, countDelivery);
  consumer.activeAtMs = context.nowMs;
  return entry;
}

/** Unlike XPENDING and XAUTOCLAIM, XCLAIM looks up its key and group before it parses the rest
 * (Redis's order: WRONGTYPE and NOGROUP come before an invalid option). */
function applyXclaim(context: ApplyContext, args: readonly string[]): RespValue {
  const found = findGroup(writeCollection(context, args[1], StreamValue), args[2], noGroup(args[1], args[2]));
  if (found instanceof ErrorReply) return found;
  const request = parseXclaim(args);
  if (request instanceof ErrorReply) return request;
  const [stream, group] = found;
  if (request.lastId !== undefined && compareIds(request.lastId, group.lastDeliveredId) > 0) group.lastDeliveredId = request.lastId;
  const consumer = group.consumer(args[3], context.nowMs);
  consumer.seenAtMs = context.nowMs;
  const requestedAtMs = request.timeMs ?? (request.idleMs !== undefined ? context.nowMs - request.idleMs : undefined);
  // A time before the epoch or in the future is taken as now (Redis: clients may compute it
  // from a clock slightly ahead of ours, which is no reason to fail).
  const deliveredAtMs = requestedAtMs !== undefined && (requestedAtMs < 0 || requestedAtMs > context.nowMs) ? context.nowMs : requestedAtMs;
  const claimed: RespValue[] = [];
  for (const id of request.ids) {
    let pending = group.pending(id);
    if (pending === undefined) {
      // FORCE creates the pending entry, but only for an entry the stream still has.
      if (!request.force || stream.range(id, id, 1, false).length === 0) continue;
      pending = group.deliver(id, consumer, context.nowMs, false);
    } else if (context.nowMs - pending.deliveredAtMs < request.minIdleMs) continue;
    const entry = claimOne(context, stream, group, consumer, pending, !request.justId);
    if (entry === null) continue;
    if (deliveredAtMs !== undefined) pending.deliveredAtMs = deliveredAtMs;
    if (request.retryCount !== undefined) pending.deliveries = request.retryCount;
    claimed.push(request.justId ? formatId(entry[0]) : entryReply(entry));
  }
  return claimed;
}

interface AutoClaimRequest { readonly minIdleMs: number; readonly start: StreamId; readonly count: number; readonly justId: boolean }

function parseXautoclaim(args: readonly string[]): AutoClaimRequest | ErrorReply {
  const minIdleMs = parseMinIdle(args[4], 'XAUTOCLAIM');
  if (minIdleMs instanceof ErrorReply) return minIdleMs;
  const start = parseRangeBound(args[5], true);
  if (start instanceof ErrorReply) return start;
  let count = 100;
  let justId = false;
  for (let i = 6; i < args.length; i++) {
    const name = option(args[i]);
    if (name === 'count' && i + 1 < args.length) {
      const value = parseInt64(args[++i]);
      // Redis bounds the scan at ten attempts per wanted entry.
      if (value === undefined || value < 1 || value > Number.MAX_SAFE_INTEGER / 10) return errorReply('ERR COUNT must be > 0');
      count = Number(value);
    } else if (name === 'justid') justId = true;
    else return SYNTAX;
  }
  return { minIdleMs, start, count, justId };
}

function applyXautoclaim(context: ApplyContext, args: readonly string[]): RespValue {
  const request = parseXautoclaim(args) as AutoClaimRequest;
  const found = findGroup(writeCollection(context, args[1], StreamValue), args[2], noGroup(args[1], args[2]));
  if (found instanceof ErrorReply) return found;
  const [stream, group] = found;
  const consumer = group.consumer(args[3], context.nowMs);
  consumer.seenAtMs = context.nowMs;
  const candidates = group.pendingRange(request.start, MAX_ID, request.count * 10 + 1);
  const claimed: RespValue[] = [];
  const deleted: RespValue[] = [];
  let next: StreamId = ZERO_ID;
  let scanned = 0;
  for (const pending of candidates) {
    if (claimed.length === request.count || scanned === request.count * 10) {
      next = pending.id;
      break;
    }
    scanned++;
    if (context.nowMs - pending.deliveredAtMs < request.minIdleMs) continue;
    const entry = claimOne(context, stream, group, consumer, pending, !request.justId);
    if (entry === null) deleted.push(formatId(pending.id));
    else claimed.push(request.justId ? formatId(entry[0]) : entryReply(entry));
  }
  return [formatId(next), claimed, deleted];
}

// ---- XINFO ----

/** Redis's streamReplyWithCGLag: entries the group has not read yet, when knowable. */
function groupLag(stream: StreamValue, group: ConsumerGroup): number | null {
  if (stream.entriesAdded === 0) return 0;
  if (group.entriesRead !== undefined && !stream.hasTombstonesFrom(group.lastDeliveredId)) return stream.entriesAdded - group.entriesRead;
  const read = stream.entriesReadAt(group.lastDeliveredId);
  return read === undefined ? null : stream.entriesAdded - read;
}

const XINFO_HELP = helpReply('xinfo', [
  'CONSUMERS <key> <groupname>', '    Show consumers of <groupname>.',
  'GROUPS <key>', '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]', '    Show information about the stream.',
]);

function executeXinfo(context: ReadContext, args: readonly string[]): RespValue {
  const sub = option(args[1]);
  if (sub === 'help') return XINFO_HELP;
  const stream = readCollection(context, args[2], StreamValue);
  if (stream instanceof ErrorReply) return stream;
  if (stream === undefined) return errorReply('ERR no such key');
  if (sub === 'groups') {
    return [...stream.groups].map(([name, group]) => new RespMap([
      ['name', name], ['consumers', group.consumers.size], ['pending', group.pendingCount],
      ['last-delivered-id', formatId(group.lastDeliveredId)], ['entries-read', group.entriesRead ?? null], ['lag', groupLag(stream, group)],
    ]));
  }
  if (sub === 'consumers') {
    const group = stream.groups.get(args[3]);
    if (group === undefined) return noGroupForKey(args[2], args[3]);
    return [...group.consumers.values()].map((consumer) => new RespMap([
      ['name', consumer.name], ['pending', consumer.pending.size], ['idle', Math.max(0, context.nowMs - consumer.seenAtMs)],
      ['inactive', consumer.activeAtMs < 0 ? -1 : Math.max(0, context.nowMs - consumer.activeAtMs)],
    ]));
  }
  const full = parseFull(args);
  if (full instanceof ErrorReply) return full;
  const first = stream.first();
  const last = stream.last();
  const head: Array<[RespValue, RespValue]> = [
    ['length', stream.size], ['radix-tree-keys', stream.blockCount], ['radix-tree-nodes', stream.blockCount + 1],
    ['last-generated-id', formatId(stream.lastId)], ['max-deleted-entry-id', formatId(stream.maxDeletedId)], ['entries-added', stream.entriesAdded],
    ['recorded-first-entry-id', formatId(first?.[0] ?? ZERO_ID)],
  ];
  if (full === undefined) {
    return new RespMap([...head, ['groups', stream.groups.size],
      ['first-entry', first === undefined ? null : entryReply(first)], ['last-entry', last === undefined ? null : entryReply(last)]]);
  }
  return new RespMap([...head,
    ['entries', stream.range(ZERO_ID, MAX_ID, full, false).map(entryReply)],
    ['groups', [...stream.groups].map(([name, group]) => fullGroup(stream, name, group, full))],
  ]);
}

/** `FULL [COUNT n]` after `XINFO STREAM key`: how many entries and pending entries to show (10
 * by default, 0: all); undefined without FULL. */
function parseFull(args: readonly string[]): number | undefined | ErrorReply {
  const rest = args.length - 3;
  if (rest === 0) return undefined;
  if ((rest !== 1 && rest !== 3) || option(args[3]) !== 'full' || (rest === 3 && option(args[4]) !== 'count')) return subcommandSyntaxError(args[1], 'xinfo');
  if (rest === 1) return 10;
  const count = parseInt64(args[5]);
  if (count === undefined) return NOT_INTEGER;
  return count <= 0 ? -1 : Number(count);
}

/** One group of XINFO STREAM FULL: its pending entries and consumers with theirs (times are Unix ms). */
function fullGroup(stream: StreamValue, name: string, group: ConsumerGroup, count: number): RespValue {
  const limit = count < 0 ? Infinity : count;
  const pending = group.pendingRange(ZERO_ID, MAX_ID, limit);
  return new RespMap([
    ['name', name], ['last-delivered-id', formatId(group.lastDeliveredId)], ['entries-read', group.entriesRead ?? null], ['lag', groupLag(stream, group)],
    ['pel-count', group.pendingCount],
    ['pending', pending.map((entry) => [formatId(entry.id), entry.consumer, entry.deliveredAtMs, entry.deliveries])],
    ['consumers', [...group.consumers.values()].map((consumer) => new RespMap([
      ['name', consumer.name], ['seen-time', consumer.seenAtMs], ['active-time', consumer.activeAtMs], ['pel-count', consumer.pending.size],
      ['pending', group.pendingRange(ZERO_ID, MAX_ID, limit, (entry) => entry.consumer === consumer.name)
        .map((entry) => [formatId(entry.id), entry.deliveredAtMs, entry.deliveries])],
    ]))],
  ]);
}

export const streamGroupCommands: readonly CommandSpec[] = [
  {
    name: 'xgroup', kind: 'write', arity: -2, flags: [], keys: GROUP_AT_2, categories: [],
    findKeys: (args) => (args.length > 2 ? [args[2]] : []),
    group: 'stream', since: '5.0.0', complexity: 'Depends on subcommand.', summary: 'A container for consumer groups commands.',
    subcommands: [
      keyed(subcommand('xgroup', 'create', -5, ['write', 'denyoom'], ['stream'], 'Creates a consumer group.')),
      keyed(subcommand('xgroup', 'setid', -5, ['write'], ['stream'], 'Sets the last-delivered ID of a consumer group.')),
      keyed(subcommand('xgroup', 'destroy', 4, ['write'], ['stream'], 'Destroys a consumer group.')),
      keyed(subcommand('xgroup', 'createconsumer', 5, ['write', 'denyoom'], ['stream'], 'Creates a consumer in a consumer group.')),
      keyed(subcommand('xgroup', 'delconsumer', 5, ['write'], ['stream'], 'Deletes a consumer from a consumer group.')),
      subcommand('xgroup', 'help', 2, ['loading', 'stale'], ['stream'], 'Returns helpful text about the different subcommands.'),
    ],
    check: checkXgroup,
    apply: applyXgroup,
  },
  {
    name: 'xreadgroup', kind: 'write', arity: -7, flags: ['write', 'blocking', 'movablekeys'], keys: { first: 0, last: 0, step: 0 },
    findKeys: xreadgroupKeys, keySpecFlags: [['RW', 'update']], categories: ['stream'], group: 'stream', since: '5.0.0',
    complexity: 'For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.',
    summary: 'Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.',
    check: (args) => errorOf(parseXreadgroup(args)),
    // Every waiter is retried: consumers of other groups each get the entry, and one of the
    // same group that finds it taken stays parked.
    blocking: { timeoutMs: (args) => (parseXreadgroup(args) as GroupReadRequest).blockMs ?? 0, timeoutReply: NullArray.instance, nonConsuming: true },
    apply: applyXreadgroup,
  } satisfies WriteCommand,
  {
    name: 'xack', kind: 'write', arity: -4, flags: ['write', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'update']], categories: ['stream'],
    group: 'stream', since: '5.0.0', complexity: 'O(1) for each message ID processed.',
    summary: 'Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.',
    apply: applyXack,
  },
  {
    name: 'xpending', kind: 'read', arity: -3, flags: ['readonly'], keys: ONE_KEY, keySpecFlags: [['RO', 'access']], tips: ['nondeterministic_output'], categories: ['stream'],
    group: 'stream', since: '5.0.0', complexity: 'O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.',
    summary: 'Returns the information and entries from a stream consumer group\'s pending entries list.',
    execute: executeXpending,
  },
  {
    name: 'xclaim', kind: 'write', arity: -6, flags: ['write', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'update']], tips: ['nondeterministic_output'], categories: ['stream'],
    group: 'stream', since: '5.0.0', complexity: 'O(log N) with N being the number of messages in the PEL of the consumer group.',
    summary: 'Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.',
    apply: applyXclaim,
  },
  {
    name: 'xautoclaim', kind: 'write', arity: -6, flags: ['write', 'fast'], keys: ONE_KEY, keySpecFlags: [['RW', 'update']], tips: ['nondeterministic_output'], categories: ['stream'],
    group: 'stream', since: '6.2.0', complexity: 'O(1) if COUNT is small.',
    summary: 'Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.',
    check: (args) => errorOf(parseXautoclaim(args)),
    apply: applyXautoclaim,
  },
  {
    name: 'xinfo', kind: 'read', arity: -2, flags: [], keys: GROUP_AT_2, categories: [],
    findKeys: (args) => (args.length > 2 ? [args[2]] : []),
    group: 'stream', since: '5.0.0', complexity: 'Depends on subcommand.', summary: 'A container for stream introspection commands.',
    subcommands: [
      keyed(subcommand('xinfo', 'stream', -3, ['readonly'], ['stream'], 'Returns information about a stream.')),
      keyed(subcommand('xinfo', 'groups', 3, ['readonly'], ['stream'], 'Returns a list of the consumer groups of a stream.')),
      { ...keyed(subcommand('xinfo', 'consumers', 4, ['readonly'], ['stream'], 'Returns a list of the consumers in a consumer group.')), tips: ['nondeterministic_output'] },
      subcommand('xinfo', 'help', 2, ['loading', 'stale'], ['stream'], 'Returns helpful text about the different subcommands.'),
    ],
    execute: executeXinfo,
  },
];

