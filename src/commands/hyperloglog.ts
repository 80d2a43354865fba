// PFADD PFCOUNT PFMERGE: HyperLogLog counting on string values in Redis's format (see
// engine/hyperloglog.ts). PFCOUNT is a read here: it recomputes the estimate instead of writing
// a cached one back into the value as Redis does, which gives the same counts. Sparse runs that
// do not add up to 16384 registers are refused (INVALIDOBJ) even where Redis would still edit them.

import { ErrorReply, OK } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { HLL_REGISTERS, cachedCardinality, decodeHll, emptyHll, encodeHll, estimateCardinality, raiseRegister, registerOf } from '../engine/hyperloglog.js';
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

/** The HyperLogLog at `key`: undefined if missing, an error for anything else than a valid one. */
function hllAt(value: string | null | ErrorReply): Hll | undefined | ErrorReply {
  if (value instanceof ErrorReply) return value;
  if (value === null) return undefined;
  const hll = decodeHll(value);
  return typeof hll === 'string' ? problemReply(hll) : hll;
}

function applyPfadd(context: ApplyContext, args: readonly string[]): RespValue {
  const current = writeString(context, args[1]);
  if (current instanceof ErrorReply) return current;
  let hll: Hll;
  if (current === null) hll = emptyHll();
  else {
    const decoded = decodeHll(current);
    if (decoded === 'not-hll') return NOT_HLL;
    // Redis finds broken sparse runs only while adding, so with nothing to add there is no error.
    if (args.length === 2) return 0;
    if (decoded === 'corrupt') return CORRUPT;
    hll = decoded;
  }
  let changed = current === null;
  for (let i = 2; i < args.length; i++) {
    const { index, run } = registerOf(args[i]);
    if (raiseRegister(hll, index, run)) changed = true;
  }
  if (changed) context.keyspace.set(args[1], encodeHll(hll), true);
  return changed ? 1 : 0;
}

/** The register-wise maximum of the HyperLogLogs at `keys` (missing ones are empty). */
function merged(keys: readonly string[], value: (key: string) => string | null | ErrorReply): Hll | ErrorReply {
  const union = emptyHll();
  for (const key of keys) {
    const hll = hllAt(value(key));
    if (hll instanceof ErrorReply) return hll;
    if (hll === undefined) continue;
    // One dense input makes the result dense, as in Redis.
    if (hll.dense) union.dense = true;
    for (let i = 0; i < HLL_REGISTERS; i++) raiseRegister(union, i, hll.registers[i]);
  }
  return union;
}

function executePfcount(context: ReadContext, args: readonly string[]): RespValue {
  if (args.length === 2) {
    // One key: a count cached in the value (by Redis, before it was copied here) is the answer.
    const value = readString(context, args[1]);
    if (typeof value === 'string' && decodeHll(value) !== 'not-hll') {
      const cached = cachedCardinality(value);
      if (cached !== undefined) return cached <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(cached) : cached;
    }
  }
  const union = merged(args.slice(1), (key) => readString(context, key));
  return union instanceof ErrorReply ? union : estimateCardinality(union.registers);
}

function applyPfmerge(context: ApplyContext, args: readonly string[]): RespValue {
  // The destination's own registers are part of the union.
  const union = merged(args.slice(1), (key) => writeString(context, key));
  if (union instanceof ErrorReply) return union;
  context.keyspace.set(args[1], encodeHll(union), true);
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
    name: 'pfcount', kind: 'read', arity: -2, flags: ['readonly'], keys: ALL_KEYS, keySpecFlags: [['RO', 'access']],
    categories: ['hyperloglog'], group: 'hyperloglog', since: '2.8.9', complexity: 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
    summary: 'Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).',
    execute: executePfcount,
  },
  {
    name: 'pfmerge', kind: 'write', arity: -2, flags: ['write', 'denyoom'], keys: ALL_KEYS, keySpecFlags: [['RW', 'access', 'insert']],
    categories: ['hyperloglog'], group: 'hyperloglog', since: '2.8.9', complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.',
    summary: 'Merges one or more HyperLogLog values into a single key.',
    writtenKeys: (args) => [args[1]],
    apply: applyPfmerge,
  },
];
