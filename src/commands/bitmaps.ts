// Bit operations on string values (Redis's bitops.c): GETBIT SETBIT BITCOUNT BITPOS BITOP
// BITFIELD BITFIELD_RO. A string is a latin1 JS string, one byte per char; bit 0 is the most
// significant bit of the first byte, as in Redis. Writes grow the string with zero bytes.

import { ErrorReply } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { option, parseInt64 } from './arguments.js';
import type { ApplyContext, CommandSpec, ReadContext } from './command-spec.js';
import { NOT_INTEGER, SYNTAX, WRONGTYPE, errorOf, errorReply } from './errors.js';
import { MAX_STRING_BYTES } from './strings.js';
import { readString, writeString } from './typed-access.js';

const BIT_OFFSET = errorReply('ERR bit offset is not an integer or out of range');
const BIT_VALUE = errorReply('ERR bit is not an integer or out of range');
const ONE_KEY = { first: 1, last: 1, step: 1 } as const;

/**
 * A bit offset: a non-negative int64 (`#n` counts in units of `unitBits` for BITFIELD) whose
 * byte, and for BITFIELD the byte of its last bit, fits in a string (Redis: proto-max-bulk-len).
 */
function parseBitOffset(text: string, unitBits = 0, widthBits = 1): number | ErrorReply {
  const unit = unitBits > 0 && text.startsWith('#');
  const parsed = parseInt64(unit ? text.slice(1) : text);
  if (parsed === undefined) return BIT_OFFSET;
  const offset = BigInt(parsed) * BigInt(unit ? unitBits : 1);
  if (offset < 0n || (offset + BigInt(widthBits) - 1n) >> 3n >= BigInt(MAX_STRING_BYTES)) return BIT_OFFSET;
  return Number(offset);
}

// Offsets reach 2^32 bits, past the int32 range of JS bit operators: divide, do not shift.
function byteOf(bit: number): number {
  return Math.floor(bit / 8);
}

/** The mask of a bit within its byte (bit 0 is the most significant). */
function maskOf(bit: number): number {
  return 0x80 >> (bit % 8);
}

function bitAt(value: string, offset: number): number {
  const byte = byteOf(offset);
  return byte < value.length && (value.charCodeAt(byte) & maskOf(offset)) !== 0 ? 1 : 0;
}

/** `value` grown with zero bytes to hold `bytes` bytes. */
function grown(value: string, bytes: number): string {
  return value.length >= bytes ? value : value + '\0'.repeat(bytes - value.length);
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, byte) => {
  let bits = 0;
  for (let rest = byte; rest !== 0; rest >>= 1) bits += rest & 1;
  return bits;
});

/** A BITCOUNT/BITPOS range after Redis's conversion: negative indexes from the end, clamped. */
function clampRange(start: number, end: number, total: number): [number, number] {
  let from = start < 0 ? total + start : start;
  let to = end < 0 ? total + end : end;
  if (from < 0) from = 0;
  if (to < 0) to = 0;
  if (to >= total) to = total - 1;
  return [from, to];
}

/** BYTE or BIT as the unit of a range; anything else is a syntax error. */
function parseRangeUnit(text: string | undefined): boolean | ErrorReply {
  if (text === undefined) return false;
  const name = option(text);
  return name === 'bit' ? true : name === 'byte' ? false : SYNTAX;
}

function parseRangeBound(text: string): number | ErrorReply {
  const value = parseInt64(text);
  // Beyond ±2^53 a bound lies past either end of any string; clamping treats it the same.
  return value === undefined ? NOT_INTEGER : Number(value);
}

/** Redis 7.2's order: the range is parsed, then the key's type checked, then a missing key is 0. */
function executeBitcount(context: ReadContext, args: readonly string[]): RespValue {
  if (args.length !== 2 && args.length !== 4 && args.length !== 5) return SYNTAX;
  let range: { start: number; end: number; inBits: boolean } | undefined;
  if (args.length > 2) {
    const start = parseRangeBound(args[2]);
    if (start instanceof ErrorReply) return start;
    const end = parseRangeBound(args[3]);
    if (end instanceof ErrorReply) return end;
    const inBits = parseRangeUnit(args[4]);
    if (inBits instanceof ErrorReply) return inBits;
    range = { start, end, inBits };
  }
  const value = readString(context, args[1]);
  if (value instanceof ErrorReply) return value;
  if (value === null) return 0;
  if (range === undefined) return countBits(value, 0, value.length * 8 - 1);
  // Redis answers 0 here before clamping, which could otherwise turn both ends into 0.
  if (range.start < 0 && range.end < 0 && range.start > range.end) return 0;
  const [from, to] = clampRange(range.start, range.end, range.inBits ? value.length * 8 : value.length);
  if (from > to) return 0;
  return range.inBits ? countBits(value, from, to) : countBits(value, from * 8, to * 8 + 7);
}

/** Set bits in the bit range [from, to] of `value`. */
function countBits(value: string, from: number, to: number): number {
  let count = 0;
  let bit = from;
  for (; bit <= to && bit % 8 !== 0; bit++) count += bitAt(value, bit);
  for (; bit + 7 <= to; bit += 8) count += POPCOUNT[value.charCodeAt(byteOf(bit))];
  for (; bit <= to; bit++) count += bitAt(value, bit);
  return count;
}

function executeBitpos(context: ReadContext, args: readonly string[]): RespValue {
  const wanted = parseInt64(args[2]);
  if (wanted === undefined) return NOT_INTEGER;
  if (wanted !== 0 && wanted !== 1) return errorReply('ERR The bit argument must be 1 or 0.');
  if (args.length > 6) return SYNTAX;
  let range: { start: number; end: number | undefined; inBits: boolean } | undefined;
  if (args.length > 3) {
    const start = parseRangeBound(args[3]);
    if (start instanceof ErrorReply) return start;
    const inBits = parseRangeUnit(args[5]);
    if (inBits instanceof ErrorReply) return inBits;
    const end = args.length > 4 ? parseRangeBound(args[4]) : undefined;
    if (end instanceof ErrorReply) return end;
    range = { start, end, inBits };
  }
  const value = readString(context, args[1]);
  if (value instanceof ErrorReply) return value;
  // A missing key is an endless run of zeros.
  if (value === null) return wanted === 1 ? -1 : 0;
  const total = range?.inBits === true ? value.length * 8 : value.length;
  const [from, to] = clampRange(range?.start ?? 0, range?.end ?? total - 1, total);
  if (from > to) return -1;
  const [firstBit, lastBit] = range?.inBits === true ? [from, to] : [from * 8, to * 8 + 7];
  for (let bit = firstBit; bit <= lastBit; bit++) {
    // Whole bytes that cannot hold the bit sought are skipped at once.
    if (bit % 8 === 0 && bit + 7 <= lastBit && value.charCodeAt(byteOf(bit)) === (wanted === 1 ? 0 : 0xff)) {
      bit += 7;
      continue;
    }
    if (bitAt(value, bit) === wanted) return bit;
  }
  // Without an explicit end the string counts as padded with zeros on the right.
  return wanted === 0 && range?.end === undefined ? lastBit + 1 : -1;
}

function applySetbit(context: ApplyContext, args: readonly string[]): RespValue {
  const offset = parseBitOffset(args[2]) as number;
  const current = writeString(context, args[1]);
  if (current instanceof ErrorReply) return current;
  const byte = byteOf(offset);
  const value = grown(current ?? '', byte + 1);
  const mask = maskOf(offset);
  const old = value.charCodeAt(byte);
  const next = args[3] === '1' ? old | mask : old & ~mask;
  context.keyspace.set(args[1], value.slice(0, byte) + String.fromCharCode(next) + value.slice(byte + 1), true);
  return (old & mask) === 0 ? 0 : 1;
}

type BitOperation = 'and' | 'or' | 'xor' | 'not';

function applyBitop(context: ApplyContext, args: readonly string[]): RespValue {
  const operation = option(args[1]) as BitOperation;
  const sources: string[] = [];
  for (const key of args.slice(3)) {
    const value = writeString(context, key);
    if (value instanceof ErrorReply) return value;
    sources.push(value ?? '');
  }
  // A loop, not Math.max(...): a command may name more keys than a call takes arguments.
  const length = sources.reduce((longest, source) => Math.max(longest, source.length), 0);
  if (length === 0) {
    context.keyspace.delete(args[2]);
    return 0;
  }
  const result = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    // A byte past the end of a shorter string is 0.
    let byte = i < sources[0].length ? sources[0].charCodeAt(i) : 0;
    if (operation === 'not') byte = ~byte & 0xff;
    for (let j = 1; j < sources.length; j++) {
      const other = i < sources[j].length ? sources[j].charCodeAt(i) : 0;
      byte = operation === 'and' ? byte & other : operation === 'or' ? byte | other : byte ^ other;
    }
    result[i] = byte;
  }
  context.keyspace.set(args[2], result.toString('latin1'));
  return length;
}

function checkBitop(args: readonly string[]): ErrorReply | undefined {
  const operation = option(args[1]);
  if (operation !== 'and' && operation !== 'or' && operation !== 'xor' && operation !== 'not') return SYNTAX;
  if (operation === 'not' && args.length !== 4) return errorReply('ERR BITOP NOT must be called with a single source key.');
  return undefined;
}

// ---- BITFIELD ----

type Overflow = 'wrap' | 'sat' | 'fail';

interface FieldType {
  readonly signed: boolean;
  readonly bits: number;
}

interface FieldOperation {
  readonly kind: 'get' | 'set' | 'incrby';
  readonly type: FieldType;
  readonly offset: number;
  readonly operand: bigint;
  readonly overflow: Overflow;
}

const BITFIELD_TYPE = errorReply('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');

/** `i1`..`i64` or `u1`..`u63` (lower case only), the width as Redis's string2ll reads it (no sign, no leading zero). */
function parseFieldType(text: string): FieldType | ErrorReply {
  const signed = text[0] === 'i';
  if (!signed && text[0] !== 'u') return BITFIELD_TYPE;
  const bits = parseInt64(text.slice(1));
  if (bits === undefined || bits < 1 || bits > (signed ? 64 : 63)) return BITFIELD_TYPE;
  return { signed, bits: Number(bits) };
}

/** Every operation is parsed before any runs, so a bad one anywhere changes nothing. */
function parseBitfield(args: readonly string[], readOnly: boolean): FieldOperation[] | ErrorReply {
  const operations: FieldOperation[] = [];
  let overflow: Overflow = 'wrap';
  for (let i = 2; i < args.length; i++) {
    const left = args.length - i - 1;
    const name = option(args[i]);
    if (name === 'overflow' && left >= 1) {
      const mode = option(args[++i]);
      if (mode !== 'wrap' && mode !== 'sat' && mode !== 'fail') return errorReply('ERR Invalid OVERFLOW type specified');
      overflow = mode;
      continue;
    }
    const needs = name === 'get' ? 2 : name === 'set' || name === 'incrby' ? 3 : Infinity;
    if (left < needs) return SYNTAX;
    const type = parseFieldType(args[i + 1]);
    if (type instanceof ErrorReply) return type;
    const offset = parseBitOffset(args[i + 2], type.bits, type.bits);
    if (offset instanceof ErrorReply) return offset;
    let operand = 0n;
    if (name !== 'get') {
      const value = parseInt64(args[i + 3]);
      if (value === undefined) return NOT_INTEGER;
      operand = BigInt(value);
    }
    operations.push({ kind: name as FieldOperation['kind'], type, offset, operand, overflow });
    i += needs;
  }
  // Only once everything parsed, as in Redis: a later bad argument is the error reported.
  if (readOnly && operations.some((operation) => operation.kind !== 'get')) return errorReply('ERR BITFIELD_RO only supports the GET subcommand');
  return operations;
}

function readField(bytes: Uint8Array, offset: number, type: FieldType): bigint {
  let value = 0n;
  for (let bit = offset; bit < offset + type.bits; bit++) {
    const byte = byteOf(bit);
    const set = byte < bytes.length && (bytes[byte] & maskOf(bit)) !== 0;
    value = (value << 1n) | (set ? 1n : 0n);
  }
  return type.signed ? BigInt.asIntN(type.bits, value) : value;
}

function writeField(bytes: Uint8Array, offset: number, type: FieldType, value: bigint): void {
  const raw = BigInt.asUintN(type.bits, value);
  for (let i = 0; i < type.bits; i++) {
    const bit = offset + i;
    if ((raw >> BigInt(type.bits - 1 - i)) & 1n) bytes[byteOf(bit)] |= maskOf(bit);
    else bytes[byteOf(bit)] &= ~maskOf(bit);
  }
}

/** The value a SET or INCRBY leaves, or undefined where it overflows under FAIL. */
function fieldResult(type: FieldType, value: bigint, overflow: Overflow): bigint | undefined {
  const min = type.signed ? -(1n << BigInt(type.bits - 1)) : 0n;
  const max = type.signed ? (1n << BigInt(type.bits - 1)) - 1n : (1n << BigInt(type.bits)) - 1n;
  if (value >= min && value <= max) return value;
  if (overflow === 'fail') return undefined;
  if (overflow === 'sat') return value > max ? max : min;
  return type.signed ? BigInt.asIntN(type.bits, value) : BigInt.asUintN(type.bits, value);
}

function replyInteger(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Runs the operations on `bytes` (already grown for every write); the reply per operation. */
function runFields(bytes: Uint8Array, operations: readonly FieldOperation[]): RespValue[] {
  return operations.map((operation) => {
    const old = readField(bytes, operation.offset, operation.type);
    if (operation.kind === 'get') return replyInteger(old);
    // As in Redis, an unsigned SET takes the int64 argument's bit pattern as a uint64.
    const requested = operation.kind === 'incrby' ? old + operation.operand
      : operation.type.signed ? operation.operand : BigInt.asUintN(64, operation.operand);
    const next = fieldResult(operation.type, requested, operation.overflow);
    if (next === undefined) return null;
    writeField(bytes, operation.offset, operation.type, next);
    return replyInteger(operation.kind === 'set' ? old : next);
  });
}

function applyBitfield(context: ApplyContext, args: readonly string[]): RespValue {
  const operations = parseBitfield(args, false) as FieldOperation[];
  const current = writeString(context, args[1]);
  if (current instanceof ErrorReply) return current;
  const writes = operations.filter((operation) => operation.kind !== 'get');
  if (writes.length === 0) return runFields(Buffer.from(current ?? '', 'latin1'), operations);
  // Redis grows (or creates) the string for every write, even one that FAIL then refuses.
  const bytes = writes.reduce((most, operation) => Math.max(most, byteOf(operation.offset + operation.type.bits - 1) + 1), 0);
  const buffer = Buffer.from(grown(current ?? '', bytes), 'latin1');
  const replies = runFields(buffer, operations);
  context.keyspace.set(args[1], buffer.toString('latin1'), true);
  return replies;
}

export const bitmapCommands: readonly CommandSpec[] = [
  {
    name: 'getbit', kind: 'read', arity: 3, flags: ['readonly', 'fast'], keys: ONE_KEY, keySpecFlags: [['RO', 'access']], categories: ['bitmap'],
    group: 'string', since: '2.2.0', complexity: 'O(1)', summary: 'Returns a bit value by offset.',
    execute: (context, args) => {
      const offset = parseBitOffset(args[2]);
      if (offset instanceof ErrorReply) return offset;
      const value = readString(context, args[1]);
      if (value instanceof ErrorReply) return value;
      return value === null ? 0 : bitAt(value, offset);
    },
  },
  {
    name: 'setbit', kind: 'write', arity: 4, flags: ['write', 'denyoom'], keys: ONE_KEY, keySpecFlags: [['RW', 'access', 'update']], categories: ['bitmap'],
    group: 'string', since: '2.2.0', complexity: 'O(1)', summary: 'Sets or clears the bit at offset of the string value. Creates the key if it doesn\'t exist.',
    check: (args) => {
      const offset = parseBitOffset(args[2]);
      if (offset instanceof ErrorReply) return offset;
      return args[3] === '0' || args[3] === '1' ? undefined : BIT_VALUE;
    },
    apply: applySetbit,
  },
  {
    name: 'bitcount', kind: 'read', arity: -2, flags: ['readonly'], keys: ONE_KEY, keySpecFlags: [['RO', 'access']], categories: ['bitmap'],
    group: 'bitmap', since: '2.6.0', complexity: 'O(N)', summary: 'Counts the number of set bits (population counting) in a string.',
    execute: executeBitcount,
  },
  {
    name: 'bitpos', kind: 'read', arity: -3, flags: ['readonly'], keys: ONE_KEY, keySpecFlags: [['RO', 'access']], categories: ['bitmap'],
    group: 'bitmap', since: '2.8.7', complexity: 'O(N)', summary: 'Finds the first set (1) or clear (0) bit in a string.',
    execute: executeBitpos,
  },
  {
    name: 'bitop', kind: 'write', arity: -4, flags: ['write', 'denyoom'], keys: { first: 2, last: -1, step: 1 }, categories: ['bitmap'],
    keySpecs: [{ flags: ['OW', 'update'], begin: { index: 2 }, find: { lastKey: 0 } }, { flags: ['RO', 'access'], begin: { index: 3 }, find: { lastKey: -1 } }],
    group: 'bitmap', since: '2.6.0', complexity: 'O(N)', summary: 'Performs bitwise operations on multiple strings, and stores the result.',
    check: checkBitop,
    writtenKeys: (args) => [args[2]],
    apply: applyBitop,
  },
  {
    name: 'bitfield', kind: 'write', arity: -2, flags: ['write', 'denyoom'], keys: ONE_KEY, categories: ['bitmap'],
    keySpecs: [{ notes: 'This command allows both access and modification of the key', flags: ['RW', 'access', 'update', 'variable_flags'], begin: { index: 1 }, find: { lastKey: 0 } }],
    group: 'bitmap', since: '3.2.0', complexity: 'O(1) for each subcommand specified',
    summary: 'Performs arbitrary bitfield integer operations on strings.',
    check: (args) => errorOf(parseBitfield(args, false)),
    apply: applyBitfield,
  },
  {
    name: 'bitfield_ro', kind: 'read', arity: -2, flags: ['readonly', 'fast'], keys: ONE_KEY, keySpecFlags: [['RO', 'access']], categories: ['bitmap'],
    group: 'bitmap', since: '6.0.0', complexity: 'O(1) for each subcommand specified',
    summary: 'Performs arbitrary read-only bitfield integer operations on strings.',
    execute: (context, args) => {
      const operations = parseBitfield(args, true);
      if (operations instanceof ErrorReply) return operations;
      const value = readString(context, args[1]);
      if (value instanceof ErrorReply) return WRONGTYPE;
      return runFields(Buffer.from(value ?? '', 'latin1'), operations);
    },
  },
];
