// HyperLogLog as Redis keeps it: 16384 registers of 6 bits, filled from a 64-bit MurmurHash2 of
// each element, in a string value with Redis's header ("HYLL", encoding, cached cardinality) in
// either of Redis's two encodings, dense (12288 bytes of packed registers) or sparse (run-length
// opcodes), so a value copied from Redis reads here and one from here reads in Redis. The
// estimate is Redis's (Otmar Ertl's improved estimator), so counts match Redis's exactly.
//
// The sparse bytes are a canonical run-length encoding: Redis edits its sparse form in place and
// may leave runs unmerged, so the two can differ in bytes while holding the same registers.

export const HLL_REGISTERS = 16384;
const HLL_P = 14;
const HLL_Q = 64 - HLL_P;
const REGISTER_BITS = 6;
const HEADER_BYTES = 16;
export const DENSE_BYTES = HEADER_BYTES + (HLL_REGISTERS * REGISTER_BITS) / 8;
/** Redis's hll-sparse-max-bytes: beyond this a sparse value becomes dense. */
const SPARSE_MAX_BYTES = 3000;
/** The largest register a sparse VAL opcode holds (5 bits, plus one). */
const SPARSE_VALUE_MAX = 32;
const ENCODING_DENSE = 0;
const ENCODING_SPARSE = 1;

const MURMUR_M = 0xc6a4a7935bd1e995n;
const MURMUR_SEED = 0xadc83b19n;
const U64 = (value: bigint): bigint => BigInt.asUintN(64, value);

/** MurmurHash64A of latin1 `text`, as Redis computes it (little-endian blocks). */
export function murmurHash64A(text: string): bigint {
  const length = text.length;
  let h = U64(MURMUR_SEED ^ U64(BigInt(length) * MURMUR_M));
  const blocks = length - (length % 8);
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(text.charCodeAt(i + j));
    k = U64(k * MURMUR_M);
    k ^= k >> 47n;
    k = U64(k * MURMUR_M);
    h ^= k;
    h = U64(h * MURMUR_M);
  }
  const rest = length % 8;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(text.charCodeAt(blocks + j)) << BigInt(8 * j);
    h = U64(h * MURMUR_M);
  }
  h ^= h >> 47n;
  h = U64(h * MURMUR_M);
  h ^= h >> 47n;
  return h;
}

/** The register an element falls in and the length of its hash's "000..1" run (1..Q+1). */
export function registerOf(element: string): { index: number; run: number } {
  const hash = murmurHash64A(element);
  let rest = (hash >> BigInt(HLL_P)) | (1n << BigInt(HLL_Q));
  let run = 1;
  while ((rest & 1n) === 0n) {
    run++;
    rest >>= 1n;
  }
  return { index: Number(hash & BigInt(HLL_REGISTERS - 1)), run };
}

/** A decoded HyperLogLog: its registers and whether it was (and stays) dense. */
export interface Hll {
  readonly registers: Uint8Array;
  dense: boolean;
}

export function emptyHll(): Hll {
  return { registers: new Uint8Array(HLL_REGISTERS), dense: false };
}

/** Why a string is not a usable HyperLogLog: not one at all, or one whose sparse runs are broken. */
export type HllProblem = 'not-hll' | 'corrupt';

/** Redis's checks of what is a HyperLogLog at all: the header, a known encoding, a dense length. */
export function isHll(value: string): boolean {
  if (value.length < HEADER_BYTES || !value.startsWith('HYLL')) return false;
  const encoding = value.charCodeAt(4);
  return encoding === ENCODING_SPARSE || (encoding === ENCODING_DENSE && value.length === DENSE_BYTES);
}

/** Reads Redis's header and either encoding. */
export function decodeHll(value: string): Hll | HllProblem {
  if (!isHll(value)) return 'not-hll';
  if (value.charCodeAt(4) === ENCODING_DENSE) {
    const registers = new Uint8Array(HLL_REGISTERS);
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const bit = i * REGISTER_BITS;
      const byte = HEADER_BYTES + (bit >> 3);
      const shift = bit & 7;
      const next = byte + 1 < value.length ? value.charCodeAt(byte + 1) : 0;
      registers[i] = ((value.charCodeAt(byte) >> shift) | (next << (8 - shift))) & 63;
    }
    return { registers, dense: true };
  }
  const registers = new Uint8Array(HLL_REGISTERS);
  let index = 0;
  for (let at = HEADER_BYTES; at < value.length; at++) {
    const op = value.charCodeAt(at);
    let run: number;
    if ((op & 0xc0) === 0x00) run = (op & 0x3f) + 1;
    else if ((op & 0xc0) === 0x40) {
      if (at + 1 >= value.length) return 'corrupt';
      run = (((op & 0x3f) << 8) | value.charCodeAt(++at)) + 1;
    } else {
      run = (op & 0x03) + 1;
      if (index + run > HLL_REGISTERS) return 'corrupt';
      registers.fill(((op >> 2) & 0x1f) + 1, index, index + run);
    }
    index += run;
    if (index > HLL_REGISTERS) return 'corrupt';
  }
  return index === HLL_REGISTERS ? { registers, dense: false } : 'corrupt';
}

/** The count cached in a valid HyperLogLog's header (Redis writes it on PFCOUNT), if marked valid. */
export function cachedCardinality(value: string): bigint | undefined {
  if (value.charCodeAt(15) & 0x80) return undefined;
  let count = 0n;
  for (let i = 15; i >= 8; i--) count = (count << 8n) | BigInt(value.charCodeAt(i));
  return count;
}

/** Sets a register to `run` if that is longer; whether it changed. */
export function raiseRegister(hll: Hll, index: number, run: number): boolean {
  if (run <= hll.registers[index]) return false;
  hll.registers[index] = run;
  return true;
}

function header(encoding: number): string {
  // The cached cardinality is left marked invalid (its top bit set): it is computed on demand.
  return `HYLL${String.fromCharCode(encoding)}\0\0\0${'\0'.repeat(7)}\u0080`;
}

function encodeSparse(registers: Uint8Array): string | undefined {
  const ops: number[] = [];
  for (let i = 0; i < HLL_REGISTERS;) {
    const value = registers[i];
    let run = 1;
    while (i + run < HLL_REGISTERS && registers[i + run] === value) run++;
    i += run;
    if (value === 0) {
      // ZERO (00xxxxxx) covers up to 64 registers, XZERO (01xxxxxx xxxxxxxx) up to 16384.
      if (run <= 64) ops.push(run - 1);
      else ops.push(0x40 | ((run - 1) >> 8), (run - 1) & 0xff);
    } else {
      // VAL (1vvvvvxx): a value of 1..32 over 1..4 registers.
      if (value > SPARSE_VALUE_MAX) return undefined;
      for (; run > 0; run -= 4) ops.push(0x80 | ((value - 1) << 2) | (Math.min(run, 4) - 1));
    }
    if (HEADER_BYTES + ops.length > SPARSE_MAX_BYTES) return undefined;
  }
  return header(ENCODING_SPARSE) + String.fromCharCode(...ops);
}

function encodeDense(registers: Uint8Array): string {
  const bytes = new Uint8Array(DENSE_BYTES - HEADER_BYTES);
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const bit = i * REGISTER_BITS;
    const byte = bit >> 3;
    const shift = bit & 7;
    bytes[byte] |= (registers[i] << shift) & 0xff;
    if (shift > 2) bytes[byte + 1] |= registers[i] >> (8 - shift);
  }
  return header(ENCODING_DENSE) + Buffer.from(bytes).toString('latin1');
}

/** A dense value's bytes with the registers at `changed` rewritten from `registers`, in place:
 * a few bytes patched instead of all 16384 registers packed again. */
export function patchDense(bytes: Uint8Array, registers: Uint8Array, changed: readonly number[]): void {
  bytes[15] |= 0x80;
  for (const index of changed) {
    const bit = index * REGISTER_BITS;
    const byte = HEADER_BYTES + (bit >> 3);
    const shift = bit & 7;
    bytes[byte] = (bytes[byte] & ~((63 << shift) & 0xff)) | ((registers[index] << shift) & 0xff);
    if (shift > 2) bytes[byte + 1] = (bytes[byte + 1] & ~(63 >> (8 - shift))) | (registers[index] >> (8 - shift));
  }
}

/** Sparse while it fits (as Redis: values up to 32, at most 3000 bytes); once dense, dense. */
export function encodeHll(hll: Hll): string {
  if (!hll.dense) {
    const sparse = encodeSparse(hll.registers);
    if (sparse !== undefined) return sparse;
    hll.dense = true;
  }
  return encodeDense(hll.registers);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (previous !== z);
  return z / 3;
}

const ALPHA_INF = 0.721347520444481703680;

/** Redis's estimate from the register histogram (hllCount). */
export function estimateCardinality(registers: Uint8Array): number {
  const histogram = new Array<number>(64).fill(0);
  for (const value of registers) histogram[value]++;
  const m = HLL_REGISTERS;
  let z = m * tau((m - histogram[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * sigma(histogram[0] / m);
  return Math.round((ALPHA_INF * m * m) / z);
}
