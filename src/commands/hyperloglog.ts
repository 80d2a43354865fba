// PFADD PFCOUNT PFMERGE: HyperLogLog counting on string values in Redis's format (see
// engine/hyperloglog.ts). PFCOUNT is a read here: it recomputes the estimate instead of writing
// a cached one back into the value as Redis does, which gives the same counts. Sparse runs that
// do not add up to 16384 registers are refused (INVALIDOBJ) even where Redis would still edit them.

import { ErrorReply, OK } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { HLL_REGISTERS, cachedCardinality, decodeHll, emptyHll, encodeHll, estimateCardinality, isHll, patchDense, raiseRegister, registerOf } from '../engine/hyperloglog.js';
import type { Hll, HllProblem } from '../engine/hyperloglog.js';
import type { ApplyContext, CommandSpec, ReadContext } from './command-spec.js';
import { errorReply } from './errors.js';
import { readString, writeString } from './typed-access.js';

const NOT_HLL = errorReply('WRONGTYPE Key is not a valid HyperLogLog string value.');
const CORRUPT = errorReply('INVALIDOBJ Corrupted HLL object detected');
const ALL_KEYS = { first: 1, last: -1, step: 1 } as const;

function problemReply(problem: HllProblem): ErrorReply {
  return problem === 'not-hll' ? NOT_HLL : CORRUPT;
}

/**
 * The last HyperLogLogs decoded, by key: a dense value is 16384 registers to unpack. An entry
 * is used only for the very string it was decoded from, so it can save work but never change a
 * result, whichever node's keyspace the key is in. A PFADD that replaces that string takes the
 * entry's registers (and bytes) over and leaves an entry for its new string, in one apply.
 */
interface Decoded {
  readonly value: string;
  readonly hll: Hll;
  /** A dense value's bytes, patched in place by the next PFADD that changes it. */
  readonly bytes?: Buffer;
  count?: number;
}
const decoded = new Map<string, Decoded>();
const DECODED_KEPT = 64;

function remember(key: string, entry: Decoded): void {
  decoded.delete(key);
  if (decoded.size >= DECODED_KEPT) decoded.delete(decoded.keys().next().value as string);
  decoded.set(key, entry);
}

/** The HyperLogLog at `key` (read only), undefined if missing, an error for anything but a valid one. */
function hllAt(key: string, value: string | null | ErrorReply): Decoded | undefined | ErrorReply {
  if (value instanceof ErrorReply) return value;
  if (value === null) return undefined;
  const known = decoded.get(key);
  if (known !== undefined && known.value === value) return known;
  const hll = decodeHll(value);
  if (typeof hll === 'string') return problemReply(hll);
  const entry = { value, hll };
  remember(key, entry);
  return entry;
}

function applyPfadd(context: ApplyContext, args: readonly string[]): RespValue {
  const key = args[1];
  const current = writeString(context, key);
  if (current instanceof ErrorReply) return current;
  let hll: Hll;
  let bytes: Buffer | undefined;
  if (current === null) hll = emptyHll();
  else {
    const entry = hllAt(key, current) as Decoded | ErrorReply;
    // Redis finds broken sparse runs only while adding, so with nothing to add there is no error.
    if (args.length === 2) return entry === NOT_HLL ? NOT_HLL : 0;
    if (entry instanceof ErrorReply) return entry;
    ({ hll, bytes } = entry);
  }
  const raised: number[] = [];
  for (let i = 2; i < args.length; i++) {
    const { index, run } = registerOf(args[i]);
    if (raiseRegister(hll, index, run)) raised.push(index);
  }
  if (current !== null && raised.length === 0) return 0;
  let value: string;
  if (current !== null && hll.dense) {
    bytes ??= Buffer.from(current, 'latin1');
    patchDense(bytes, hll.registers, raised);
    value = bytes.toString('latin1');
  } else {
    value = encodeHll(hll);
    bytes = undefined;
  }
  remember(key, { value, hll, bytes });
  context.keyspace.set(key, value, true);
  return 1;
}

/** The register-wise maximum of the HyperLogLogs at `keys` (missing ones are empty). */
function merged(keys: readonly string[], value: (key: string) => string | null | ErrorReply): Hll | ErrorReply {
  const union = emptyHll();
  for (const key of keys) {
    const entry = hllAt(key, value(key));
    if (entry instanceof ErrorReply) return entry;
    if (entry === undefined) continue;
    // One dense input makes the result dense, as in Redis.
    if (entry.hll.dense) union.dense = true;
    for (let i = 0; i < HLL_REGISTERS; i++) raiseRegister(union, i, entry.hll.registers[i]);
  }
  return union;
}

function executePfcount(context: ReadContext, args: readonly string[]): RespValue {
  if (args.length === 2) {
    const value = readString(context, args[1]);
    // A count cached in the value (by Redis, before it was copied here) is the answer, as in
    // Redis even before the registers are read.
    const cached = typeof value === 'string' && isHll(value) ? cachedCardinality(value) : undefined;
    if (cached !== undefined) return cached <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(cached) : cached;
    const entry = hllAt(args[1], value);
    if (entry === undefined || entry instanceof ErrorReply) return entry ?? 0;
    entry.count ??= estimateCardinality(entry.hll.registers);
    return entry.count;
  }
  const union = merged(args.slice(1), (key) => readString(context, key));
  return union instanceof ErrorReply ? union : estimateCardinality(union.registers);
}

function applyPfmerge(context: ApplyContext, args: readonly string[]): RespValue {
  // The destination's own registers are part of the union.
  const union = merged(args.slice(1), (key) => writeString(context, key));
  if (union instanceof ErrorReply) return union;
  const value = encodeHll(union);
  remember(args[1], { value, hll: union });
  context.keyspace.set(args[1], value, true);
  return OK;
}

export const hyperLogLogCommands: readonly CommandSpec[] = [
  {
    name: 'pfadd', kind: 'write', arity: -2, flags: ['write', 'denyoom', 'fast'], keys: { first: 1, last: 1, step: 1 }, keySpecFlags: [['RW', 'insert']],
    categories: ['hyperloglog'], group: 'hyperloglog', since: '2.8.9', complexity: 'O(1) to add every element.',
    summary: 'Adds elements to a HyperLogLog key. Creates the key if it doesn\'t exist.',
    apply: applyPfadd,
  },
  {
    name: 'pfcount', kind: 'read', arity: -2, flags: ['readonly'], keys: ALL_KEYS,
    // As Redis declares it, though here PFCOUNT writes nothing back.
    keySpecs: [{ notes: 'RW because it may change the internal representation of the key, and propagate to replicas', flags: ['RW', 'access'], begin: { index: 1 }, find: { lastKey: -1 } }],
    categories: ['hyperloglog'], group: 'hyperloglog', since: '2.8.9', complexity: 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
    summary: 'Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).',
    execute: executePfcount,
  },
  {
    name: 'pfmerge', kind: 'write', arity: -2, flags: ['write', 'denyoom'], keys: ALL_KEYS,
    keySpecs: [{ flags: ['RW', 'access', 'insert'], begin: { index: 1 }, find: { lastKey: 0 } }, { flags: ['RO', 'access'], begin: { index: 2 }, find: { lastKey: -1 } }],
    categories: ['hyperloglog'], group: 'hyperloglog', since: '2.8.9', complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.',
    summary: 'Merges one or more HyperLogLog values into a single key.',
    writtenKeys: (args) => [args[1]],
    apply: applyPfmerge,
  },
];
