// LCS: the longest common subsequence of two string values, its length (LEN), or the matching
// ranges (IDX [MINMATCHLEN n] [WITHMATCHLEN]), by Redis's dynamic programming table and its walk
// back from the ends of both strings, so ranges come out in the same order as Redis's.

import { ErrorReply, RespMap } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { MAX_ARGUMENT_BYTES } from '../protocol/parser.js';
import { option, parseInt64 } from './arguments.js';
import type { CommandSpec, ReadContext } from './command-spec.js';
import { NOT_INTEGER, SYNTAX, errorReply } from './errors.js';

interface LcsRequest {
  readonly length: boolean;
  readonly indexes: boolean;
  readonly withMatchLength: boolean;
  readonly minMatchLength: number;
}

function parseLcs(args: readonly string[]): LcsRequest | ErrorReply {
  let length = false;
  let indexes = false;
  let withMatchLength = false;
  let minMatchLength = 0;
  for (let i = 3; i < args.length; i++) {
    const name = option(args[i]);
    if (name === 'idx') indexes = true;
    else if (name === 'len') length = true;
    else if (name === 'withmatchlen') withMatchLength = true;
    else if (name === 'minmatchlen' && i + 1 < args.length) {
      const value = parseInt64(args[++i]);
      if (value === undefined) return NOT_INTEGER;
      minMatchLength = Math.max(0, Number(value));
    } else return SYNTAX;
  }
  if (length && indexes) return errorReply('ERR If you want both the length and indexes, please just use IDX.');
  return { length, indexes, withMatchLength, minMatchLength };
}

/** Redis's limit: the table (4 bytes a cell) may not exceed proto-max-bulk-len (ours: V8's longest string). */
const MAX_TABLE_BYTES = MAX_ARGUMENT_BYTES;

function executeLcs(context: ReadContext, args: readonly string[]): RespValue {
  const values = [args[1], args[2]].map((key) => context.keyspace.get(key, context.nowMs) ?? '');
  if (typeof values[0] !== 'string' || typeof values[1] !== 'string') return errorReply('ERR The specified keys must contain string values');
  const request = parseLcs(args);
  if (request instanceof ErrorReply) return request;
  const [a, b] = values as [string, string];
  const width = b.length + 1;
  if ((a.length + 1) * width * 4 > MAX_TABLE_BYTES) return errorReply('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  // table[i * width + j]: the LCS length of a[0, i) and b[0, j).
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i * width + j] = a.charCodeAt(i - 1) === b.charCodeAt(j - 1)
        ? table[(i - 1) * width + j - 1] + 1
        : Math.max(table[(i - 1) * width + j], table[i * width + j - 1]);
    }
  }
  const total = table[a.length * width + b.length];
  if (request.length) return total;
  const common: string[] = new Array<string>(total);
  const matches: RespValue[] = [];
  // The walk back: a range grows while matches stay on one diagonal and is emitted when it ends.
  const unset = a.length;
  let aStart = unset;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let at = total;
  for (let i = a.length, j = b.length; i > 0 && j > 0;) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      common[at - 1] = a[i - 1];
      if (aStart === unset) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      at--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      if (aStart !== unset) emit = true;
    }
    if (emit) {
      const matchLength = aEnd - aStart + 1;
      if (request.minMatchLength === 0 || matchLength >= request.minMatchLength) {
        matches.push([[aStart, aEnd], [bStart, bEnd], ...(request.withMatchLength ? [matchLength] : [])]);
      }
      aStart = unset;
    }
  }
  if (!request.indexes) return common.join('');
  return new RespMap([['matches', matches], ['len', total]]);
}

export const lcsCommands: readonly CommandSpec[] = [
  {
    name: 'lcs', kind: 'read', arity: -3, flags: ['readonly'], keys: { first: 1, last: 2, step: 1 }, keySpecFlags: [['RO', 'access']], categories: ['string'],
    group: 'string', since: '7.0.0', complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
    summary: 'Finds the longest common substring.',
    execute: executeLcs,
  },
];
