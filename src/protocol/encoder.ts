// RESP encoder: every reply value of values.ts in RESP3, or down-converted to RESP2, written
// into one growable buffer per connection so a batch of replies leaves in one socket write.

import assert from 'node:assert/strict';
import {
  ErrorReply, NullArray, RespBigNumber, RespBoolean, RespDouble, RespMap, RespPairs, RespPush, RespSet, RespVerbatim,
  SimpleString,
} from './values.js';
import type { RespValue } from './values.js';

export type ProtocolVersion = 2 | 3;

const CRLF = '\r\n';
const SMALL_INTEGERS = 1024;
/** Encoded `:n\r\n` for small n, the most common integer replies. */
const integerCache: Buffer[] = Array.from({ length: SMALL_INTEGERS }, (_, n) => Buffer.from(`:${n}\r\n`, 'latin1'));
const OK_BYTES = Buffer.from('+OK\r\n', 'latin1');
const INITIAL_CAPACITY_BYTES = 16 * 1024;
const RETAINED_CAPACITY_BYTES = 1024 * 1024;

/** Redis 7.2's text for a double: shortest round-trip digits, inf/-inf/nan. */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return Object.is(value, -0) ? '-0' : String(value);
}

/** Replaces CR and LF, which would break a simple string or error line, with spaces. */
function oneLine(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/[\r\n]/g, ' ') : text;
}

export class ReplyEncoder {
  private buffer: Buffer;
  private length = 0;

  constructor(initialSizeBytes = INITIAL_CAPACITY_BYTES) {
    this.buffer = Buffer.allocUnsafe(initialSizeBytes);
  }

  get lengthBytes(): number {
    return this.length;
  }

  /** Everything written since the last take(); the encoder starts afresh. */
  take(): Buffer {
    const bytes = Buffer.from(this.buffer.subarray(0, this.length));
    this.length = 0;
    // One huge reply must not pin a huge buffer to the connection for its lifetime.
    if (this.buffer.length > RETAINED_CAPACITY_BYTES) this.buffer = Buffer.allocUnsafe(INITIAL_CAPACITY_BYTES);
    return bytes;
  }

  write(value: RespValue, protocol: ProtocolVersion): void {
    if (typeof value === 'string') return this.bulk(value);
    if (typeof value === 'number') return this.integer(value);
    if (typeof value === 'bigint') return this.ascii(`:${value}${CRLF}`);
    if (value === null) return this.ascii(protocol === 3 ? `_${CRLF}` : `$-1${CRLF}`);
    if (Array.isArray(value)) return this.array(value as readonly RespValue[], '*', protocol);
    if (value === NullArray.instance) return this.ascii(protocol === 3 ? `_${CRLF}` : `*-1${CRLF}`);
    if (value instanceof SimpleString) {
      if (value.value === 'OK') return this.raw(OK_BYTES);
      return this.latin1(`+${oneLine(value.value)}${CRLF}`);
    }
    if (value instanceof ErrorReply) return this.latin1(`-${oneLine(value.message)}${CRLF}`);
    if (value instanceof RespDouble) {
      const text = formatDouble(value.value);
      return protocol === 3 ? this.ascii(`,${text}${CRLF}`) : this.bulk(text);
    }
    if (value instanceof RespBoolean) {
      return protocol === 3 ? this.ascii(value.value ? `#t${CRLF}` : `#f${CRLF}`) : this.integer(value.value ? 1 : 0);
    }
    if (value instanceof RespBigNumber) return protocol === 3 ? this.ascii(`(${value.digits}${CRLF}`) : this.bulk(value.digits);
    if (value instanceof RespVerbatim) {
      if (protocol === 2) return this.bulk(value.text);
      assert.equal(value.format.length, 3, 'verbatim formats are three characters');
      this.ascii(`=${value.text.length + 4}${CRLF}${value.format}:`);
      return this.latin1(`${value.text}${CRLF}`);
    }
    if (value instanceof RespMap) {
      this.ascii(protocol === 3 ? `%${value.entries.length}${CRLF}` : `*${value.entries.length * 2}${CRLF}`);
      for (const [key, item] of value.entries) {
        this.write(key, protocol);
        this.write(item, protocol);
      }
      return;
    }
    if (value instanceof RespSet) return this.array(value.items, protocol === 3 ? '~' : '*', protocol);
    if (value instanceof RespPush) return this.array(value.items, protocol === 3 ? '>' : '*', protocol);
    if (value instanceof RespPairs) {
      if (protocol === 3) return this.array(value.pairs as readonly RespValue[], '*', protocol);
      this.ascii(`*${value.pairs.length * 2}${CRLF}`);
      for (const [first, second] of value.pairs) {
        this.write(first, protocol);
        this.write(second, protocol);
      }
      return;
    }
    assert.fail(`no encoding for reply ${String(value)}`);
  }

  private array(items: readonly RespValue[], prefix: string, protocol: ProtocolVersion): void {
    this.ascii(`${prefix}${items.length}${CRLF}`);
    for (const item of items) this.write(item, protocol);
  }

  private integer(value: number): void {
    assert.ok(Number.isSafeInteger(value), `integer replies are safe integers: ${value}`);
    if (value >= 0 && value < SMALL_INTEGERS) return this.raw(integerCache[value]);
    this.ascii(`:${value}${CRLF}`);
  }

  private bulk(text: string): void {
    const header = `$${text.length}${CRLF}`;
    this.reserve(header.length + text.length + 2);
    this.length += this.buffer.write(header, this.length, 'latin1');
    this.length += this.buffer.write(text, this.length, 'latin1');
    this.buffer[this.length++] = 13;
    this.buffer[this.length++] = 10;
  }

  private ascii(text: string): void {
    this.latin1(text);
  }

  private latin1(text: string): void {
    this.reserve(text.length);
    this.length += this.buffer.write(text, this.length, 'latin1');
  }

  private raw(bytes: Buffer): void {
    this.reserve(bytes.length);
    bytes.copy(this.buffer, this.length);
    this.length += bytes.length;
  }

  private reserve(sizeBytes: number): void {
    if (this.length + sizeBytes <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + sizeBytes) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

export function encodeReply(value: RespValue, protocol: ProtocolVersion): Buffer {
  const encoder = new ReplyEncoder(256);
  encoder.write(value, protocol);
  return encoder.take();
}

/** A command as a client sends it: a multibulk of bulk strings (strings are latin1). */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}
