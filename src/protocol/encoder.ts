// RESP encoder: every reply value of values.ts in RESP3, or down-converted to RESP2, written
// into one growable buffer per connection so a batch of replies leaves in one socket write.
// Bytes are written by hand (digits, short strings, constant replies): for the small pieces
// replies are made of, a native call costs more than the copy it makes.

import assert from 'node:assert/strict';
import { formatDouble } from './double-format.js';
import {
  ErrorReply, NullArray, RespBigNumber, RespBoolean, RespDouble, RespMap, RespPairs, RespPush, RespSet, RespVerbatim,
  SimpleString,
} from './values.js';
import type { RespValue } from './values.js';

export { formatDouble };

export type ProtocolVersion = 2 | 3;

const CR = 13;
const LF = 10;
const SPACE = 32;
const INITIAL_CAPACITY_BYTES = 16 * 1024;
/** After take(), a buffer grown past this (one huge reply) is left to the taken slice. */
const RETAINED_CAPACITY_BYTES = 1024 * 1024;
/** Strings up to this length are copied by a loop; longer ones by Buffer#latin1Write. */
const SHORT_STRING_CHARS = 16;
/** `$`, up to 16 digits, CRLF, and the closing CRLF around a bulk payload. */
const BULK_FRAMING_BYTES = 21;
const MIN_INT64 = -(2n ** 63n);
const MAX_UINT64 = 2n ** 64n - 1n;

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** Encoded replies that are sent constantly, copied instead of rebuilt. */
const OK_BYTES = ascii('+OK\r\n');
const NULL_BULK_BYTES = ascii('$-1\r\n');
const NULL_ARRAY_BYTES = ascii('*-1\r\n');
const RESP3_NULL_BYTES = ascii('_\r\n');
const TRUE_BYTES = ascii('#t\r\n');
const FALSE_BYTES = ascii('#f\r\n');
const SMALL_INTEGERS = 256;
/** `:n\r\n` for 0 <= n < SMALL_INTEGERS: counters, lengths and 0/1 flags are mostly small. */
const SMALL_INTEGER_BYTES: readonly Uint8Array[] = Array.from({ length: SMALL_INTEGERS }, (_, n) => ascii(`:${n}\r\n`));

/** Node's Buffer has a latin1Write that skips write()'s encoding dispatch; @types omits it. */
interface Latin1Buffer extends Buffer {
  latin1Write(text: string, offset: number, length: number): number;
}

export class ReplyEncoder {
  private buffer: Latin1Buffer;
  /** Bytes [taken, length) are written and not yet taken; bytes before `taken` belong to slices handed out. */
  private taken = 0;
  private length = 0;

  constructor(private readonly initialSizeBytes: number = INITIAL_CAPACITY_BYTES) {
    assert.ok(Number.isSafeInteger(initialSizeBytes) && initialSizeBytes > 0, 'the initial size is a positive integer');
    this.buffer = Buffer.allocUnsafe(initialSizeBytes) as Latin1Buffer;
  }

  /** Bytes written since the last take(). */
  get lengthBytes(): number {
    return this.length - this.taken;
  }

  /**
   * Everything written since the last take(), without copying: later writes go after it or
   * into a new buffer, never over it.
   */
  take(): Buffer {
    const bytes = this.buffer.subarray(this.taken, this.length);
    if (this.buffer.length > RETAINED_CAPACITY_BYTES) {
      this.buffer = Buffer.allocUnsafe(this.initialSizeBytes) as Latin1Buffer;
      this.length = 0;
    }
    this.taken = this.length;
    return bytes;
  }

  write(value: RespValue, protocol: ProtocolVersion): void {
    if (typeof value === 'string') return this.bulk(value);
    if (typeof value === 'number') return this.integer(value);
    if (value === null) return this.constant(protocol === 3 ? RESP3_NULL_BYTES : NULL_BULK_BYTES);
    if (Array.isArray(value)) return this.array(value as readonly RespValue[], 42 /* * */, protocol);
    if (typeof value === 'bigint') return this.bigInteger(value);
    if (value instanceof SimpleString) {
      if (value.value === 'OK') return this.constant(OK_BYTES);
      return this.line(43 /* + */, value.value);
    }
    if (value instanceof ErrorReply) return this.line(45 /* - */, value.message);
    if (value === NullArray.instance) return this.constant(protocol === 3 ? RESP3_NULL_BYTES : NULL_ARRAY_BYTES);
    if (value instanceof RespDouble) {
      const text = value.text ?? formatDouble(value.value);
      return protocol === 3 ? this.line(44 /* , */, text) : this.bulk(text);
    }
    if (value instanceof RespBoolean) {
      if (protocol === 3) return this.constant(value.value ? TRUE_BYTES : FALSE_BYTES);
      return this.constant(SMALL_INTEGER_BYTES[value.value ? 1 : 0]);
    }
    if (value instanceof RespBigNumber) {
      assert.match(value.digits, /^-?[0-9]+$/, 'a big number is decimal digits');
      return protocol === 3 ? this.line(40 /* ( */, value.digits) : this.bulk(value.digits);
    }
    if (value instanceof RespVerbatim) return this.verbatim(value, protocol);
    if (value instanceof RespMap) {
      if (protocol === 2 && value.resp2Shape === 'pairs') return this.nestedPairs(value.entries, protocol);
      return this.pairs(value.entries, protocol === 3 ? 37 /* % */ : 42, protocol);
    }
    if (value instanceof RespSet) return this.array(value.items, protocol === 3 ? 126 /* ~ */ : 42, protocol);
    if (value instanceof RespPush) return this.array(value.items, protocol === 3 ? 62 /* > */ : 42, protocol);
    if (value instanceof RespPairs) {
      if (protocol === 2) return this.pairs(value.pairs, 42, protocol);
      return this.nestedPairs(value.pairs, protocol);
    }
    assert.fail(`no encoding for reply ${String(value)}`);
  }

  private array(items: readonly RespValue[], prefix: number, protocol: ProtocolVersion): void {
    this.header(prefix, items.length);
    for (const item of items) this.write(item, protocol);
  }

  /** An array of two-element arrays. */
  private nestedPairs(pairs: ReadonlyArray<readonly [RespValue, RespValue]>, protocol: ProtocolVersion): void {
    this.header(42, pairs.length);
    for (const pair of pairs) this.array(pair, 42, protocol);
  }

  /** A map (`%n`), or in RESP2 its pairs flattened into one array of 2n items. */
  private pairs(entries: ReadonlyArray<readonly [RespValue, RespValue]>, prefix: number, protocol: ProtocolVersion): void {
    this.header(prefix, prefix === 42 ? entries.length * 2 : entries.length);
    for (const [key, item] of entries) {
      this.write(key, protocol);
      this.write(item, protocol);
    }
  }

  private verbatim(value: RespVerbatim, protocol: ProtocolVersion): void {
    if (protocol === 2) return this.bulk(value.text);
    const format = value.format;
    assert.ok(format.length === 3 && !format.includes('\r') && !format.includes('\n'), 'a verbatim format is three characters');
    this.header(61 /* = */, value.text.length + 4);
    this.reserve(4);
    this.length = this.chars(format, this.length);
    this.buffer[this.length++] = 58; /* : */
    this.payload(value.text);
  }

  /** `<prefix><n>\r\n`: an aggregate, bulk or integer header. */
  private header(prefix: number, count: number): void {
    this.reserve(BULK_FRAMING_BYTES);
    this.buffer[this.length++] = prefix;
    this.decimal(count);
    this.buffer[this.length++] = CR;
    this.buffer[this.length++] = LF;
  }

  private integer(value: number): void {
    assert.ok(Number.isSafeInteger(value), `integer replies are safe integers: ${value}`);
    if (value >= 0 && value < SMALL_INTEGERS) return this.constant(SMALL_INTEGER_BYTES[value]);
    this.header(58 /* : */, value);
  }

  private bigInteger(value: bigint): void {
    assert.ok(value >= MIN_INT64 && value <= MAX_UINT64, `integer replies fit 64 bits: ${value}`);
    const asNumber = Number(value);
    if (Number.isSafeInteger(asNumber)) return this.integer(asNumber);
    this.line(58, value.toString());
  }

  /** `$<n>\r\n<bytes>\r\n`. */
  private bulk(text: string): void {
    this.header(36 /* $ */, text.length);
    this.payload(text);
  }

  /** Text then CRLF, the tail of a bulk or verbatim string. */
  private payload(text: string): void {
    const length = text.length;
    this.reserve(length + 2);
    if (length <= SHORT_STRING_CHARS) this.length = this.chars(text, this.length);
    else this.length += this.buffer.latin1Write(text, this.length, length);
    this.buffer[this.length++] = CR;
    this.buffer[this.length++] = LF;
  }

  /**
   * `<prefix><text>\r\n` for simple strings, errors, doubles and big numbers. A CR or LF in the
   * text would end the line early and desynchronise the client, so, as Redis does for error
   * messages, each becomes a space.
   */
  private line(prefix: number, text: string): void {
    const length = text.length;
    this.reserve(length + 3);
    const buffer = this.buffer;
    let offset = this.length;
    buffer[offset++] = prefix;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      buffer[offset++] = code === CR || code === LF ? SPACE : code;
    }
    buffer[offset++] = CR;
    buffer[offset++] = LF;
    this.length = offset;
  }

  /** Latin1 bytes of a short string at `offset` (room already reserved); returns the new end. */
  private chars(text: string, offset: number): number {
    const buffer = this.buffer;
    for (let i = 0; i < text.length; i++) buffer[offset++] = text.charCodeAt(i);
    return offset;
  }

  private constant(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    const buffer = this.buffer;
    let offset = this.length;
    for (let i = 0; i < bytes.length; i++) buffer[offset++] = bytes[i];
    this.length = offset;
  }

  /** The decimal digits of a safe integer (room already reserved). */
  private decimal(value: number): void {
    const buffer = this.buffer;
    if (value < 0) {
      buffer[this.length++] = 45; /* - */
      value = -value;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let offset = this.length + digits;
    this.length = offset;
    do {
      const quotient = Math.floor(value / 10);
      buffer[--offset] = 48 + (value - quotient * 10);
      value = quotient;
    } while (value > 0);
  }

  private reserve(sizeBytes: number): void {
    if (this.length + sizeBytes <= this.buffer.length) return;
    const pending = this.length - this.taken;
    const capacity = Math.max(this.initialSizeBytes, (pending + sizeBytes) * 2);
    const grown = Buffer.allocUnsafe(capacity) as Latin1Buffer;
    this.buffer.copy(grown, 0, this.taken, this.length);
    this.buffer = grown;
    this.taken = 0;
    this.length = pending;
  }
}

/** One reply's bytes. */
export function encodeReply(value: RespValue, protocol: ProtocolVersion): Buffer {
  const encoder = new ReplyEncoder(256);
  encoder.write(value, protocol);
  return encoder.take();
}

/** A command as a client sends it: a multibulk of bulk strings (strings are latin1). */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  let sizeBytes = 1 + String(args.length).length + 2;
  for (const arg of args) sizeBytes += 1 + String(arg.length).length + 2 + arg.length + 2;
  const bytes = Buffer.allocUnsafe(sizeBytes);
  let offset = bytes.write(`*${args.length}\r\n`, 0, 'latin1');
  for (const arg of args) {
    offset += bytes.write(`$${arg.length}\r\n`, offset, 'latin1');
    offset += typeof arg === 'string' ? bytes.write(arg, offset, 'latin1') : arg.copy(bytes, offset);
    bytes[offset++] = CR;
    bytes[offset++] = LF;
  }
  assert.equal(offset, sizeBytes, 'encodeCommand filled exactly the bytes it measured');
  return bytes;
}
