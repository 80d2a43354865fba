// Incremental RESP request parser: multibulk (`*N\r\n$len\r\n...`) and inline commands, fed
// with whatever chunks TCP delivers. Arguments come out as latin1 strings (one char per byte),
// so they are binary-safe. It follows Redis 7.2's processMultibulkBuffer and
// processInlineBuffer (networking.c) byte for byte, including their quirks: header lines end
// at '\r' and the byte after it is skipped unchecked, the two bytes after a bulk payload are
// skipped unchecked, and a NUL byte hides a line end (Redis searches with strchr). Errors are
// Redis's protocol errors; after one the parser is dead and the server closes the connection.

import assert from 'node:assert/strict';
import { splitInlineArgs } from './inline-args.js';
import { latin1String } from './latin1.js';

export interface ParserLimits {
  /** proto-max-bulk-len; never above MAX_ARGUMENT_BYTES, the longest argument a string holds. */
  readonly maxBulkBytes: number;
  /** Redis refuses multibulk counts above INT_MAX. */
  readonly maxMultibulkLength: number;
  /** PROTO_INLINE_MAX_SIZE: bounds an inline line and a multibulk or bulk header line. */
  readonly maxInlineBytes: number;
}

/** V8's maximum string length on 64-bit platforms: a longer argument cannot be represented. */
export const MAX_ARGUMENT_BYTES = 2 ** 29 - 24;

/**
 * client-query-buffer-limit: one command's arguments together, each counted with
 * ARGUMENT_OVERHEAD_BYTES of bookkeeping, may not exceed this. Without the overhead a stream of
 * empty arguments under a `*2147483647` header would grow one array without bound.
 */
export const MAX_COMMAND_BYTES = 1024 * 1024 * 1024;
const ARGUMENT_OVERHEAD_BYTES = 32;

export const defaultParserLimits: ParserLimits = {
  maxBulkBytes: MAX_ARGUMENT_BYTES,
  maxMultibulkLength: 2 ** 31 - 1,
  maxInlineBytes: 64 * 1024,
};

/** Before AUTH, Redis accepts only small requests, so a stranger cannot make it buffer much. */
const UNAUTHENTICATED_MAX_MULTIBULK = 10;
const UNAUTHENTICATED_MAX_BULK_BYTES = 16384;

/** A Redis protocol error; the message is the reply text without the `ERR ` prefix. */
export class ProtocolError extends Error {
  constructor(detail: string) {
    super(`Protocol error: ${detail}`);
    this.name = 'ProtocolError';
  }
}

const NUL = 0;
const LF = 10;
const CR = 13;
const DOLLAR = 36;
const STAR = 42;
const MINUS = 45;
const DIGIT_0 = 48;
const DIGIT_1 = 49;
const DIGIT_9 = 57;
/** string2ll rejects strings of LONG_STR_SIZE (21) bytes or more. */
const MAX_INTEGER_TEXT_BYTES = 20;
const INT64_MAX_DIGITS = '9223372036854775807';

/** Header lines are short; scanning this many bytes by hand beats a native indexOf call. */
const HEADER_SCAN_BYTES = 24;
const MIN_CAPACITY_BYTES = 16 * 1024;
/** An owned buffer above this size is not kept once the data in it has become small. */
const RETAINED_CAPACITY_BYTES = 1024 * 1024;
/**
 * The payload of a bulk at least this long is gathered as a list of chunks and joined once
 * when complete (Redis's PROTO_MBULK_BIG_ARG idea): each byte is copied once, and memory
 * follows the bytes that arrived rather than the length announced.
 */
const BIG_BULK_BYTES = 32 * 1024;

const EMPTY = Buffer.alloc(0);

export class CommandParser {
  /** Redis's stricter limits before AUTH: more than 10 arguments or a bulk over 16384 bytes. */
  unauthenticated = false;
  /** Bytes [start, end) are received and not yet consumed; `owned` if we allocated `buffer`. */
  private buffer: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  private owned = false;
  /** A previous owned buffer kept for reuse, so a stream of split commands allocates rarely. */
  private spare: Buffer = EMPTY;
  /** Chunks held back, unjoined, while a big bulk payload is incomplete; they follow `end`. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** The multibulk in progress: arguments so far, and how many are still to come. */
  private args: string[] | undefined;
  private remaining = 0;
  /** Length announced by the `$` header whose payload has not fully arrived (-1: none). */
  private bulkLength = -1;
  private commandBytes = 0;
  private failure: ProtocolError | undefined;
  private readonly maxBulkBytes: number;
  private readonly maxMultibulkLength: number;
  private readonly maxInlineBytes: number;

  constructor(limits: ParserLimits = defaultParserLimits) {
    assert.ok(limits.maxBulkBytes >= 0 && limits.maxMultibulkLength >= 0 && limits.maxInlineBytes > 0, 'parser limits are positive');
    this.maxBulkBytes = Math.min(limits.maxBulkBytes, MAX_ARGUMENT_BYTES);
    this.maxMultibulkLength = limits.maxMultibulkLength;
    this.maxInlineBytes = limits.maxInlineBytes;
  }

  /** Bytes received and not yet consumed by a command. */
  get bufferedBytes(): number {
    return this.end - this.start + this.heldBytes;
  }

  /**
   * Appends bytes from the socket. The parser may keep a reference to `chunk` (no copy when
   * nothing is pending), so the caller must not modify it afterwards. Ignored once dead.
   */
  feed(chunk: Buffer): void {
    if (this.failure !== undefined || chunk.length === 0) return;
    if (this.bulkLength >= BIG_BULK_BYTES) return this.holdBigBulk(chunk);
    const pending = this.end - this.start;
    if (pending === 0) {
      if (this.owned && this.buffer.length <= RETAINED_CAPACITY_BYTES) this.spare = this.buffer;
      this.buffer = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    const needed = pending + chunk.length;
    const capacity = this.buffer.length;
    if (!this.owned || needed > capacity || (capacity > RETAINED_CAPACITY_BYTES && needed * 4 < capacity)) {
      this.moveTo(this.allocate(needed), pending);
    } else if (this.end + chunk.length > capacity) {
      this.buffer.copyWithin(0, this.start, this.end);
      this.start = 0;
      this.end = pending;
    }
    chunk.copy(this.buffer, this.end);
    this.end += chunk.length;
    assert.ok(this.end <= this.buffer.length, 'buffered bytes fit the buffer');
  }

  /** Holds `chunk` until the big bulk in progress is complete, then joins everything once. */
  private holdBigBulk(chunk: Buffer): void {
    const pending = this.end - this.start;
    const total = pending + this.heldBytes + chunk.length;
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (total < this.bulkLength + 2) return;
    const joined = Buffer.concat([this.buffer.subarray(this.start, this.end), ...this.held], total);
    if (this.owned && this.buffer.length <= RETAINED_CAPACITY_BYTES) this.spare = this.buffer;
    this.buffer = joined;
    this.start = 0;
    this.end = total;
    this.owned = true;
    this.held = [];
    this.heldBytes = 0;
  }

  /** The next complete command, or undefined until more bytes arrive. Throws ProtocolError. */
  next(): string[] | undefined {
    if (this.failure !== undefined) throw this.failure;
    // Every pass consumes at least one byte or returns, so the buffer bounds the loop.
    while (this.start < this.end) {
      const before = this.start;
      if (this.args === undefined) {
        if (this.buffer[this.start] === STAR) {
          if (!this.readMultibulkHeader()) return undefined;
          if (this.args === undefined) continue; // `*0`, `*-1`: no command
        } else {
          const inline = this.readInline();
          if (inline === undefined) return undefined;
          if (inline.length > 0) return this.done(inline);
          assert.ok(this.start > before, 'an empty inline line is consumed');
          continue;
        }
      }
      const command = this.readBulks();
      return command === undefined ? undefined : this.done(command);
    }
    return undefined;
  }

  private done(command: string[]): string[] {
    if (this.start === this.end) this.release();
    return command;
  }

  /** Everything is consumed: drop the buffer (an owned one is kept as the spare). */
  private release(): void {
    if (this.owned && this.buffer.length <= RETAINED_CAPACITY_BYTES) this.spare = this.buffer;
    this.buffer = EMPTY;
    this.start = 0;
    this.end = 0;
    this.owned = false;
  }

  /** Room for `neededBytes` and as many again (big bulks never come here: they are held). */
  private allocate(neededBytes: number): Buffer {
    if (this.spare.length >= neededBytes && this.spare !== this.buffer) {
      const spare = this.spare;
      this.spare = EMPTY;
      return spare;
    }
    return Buffer.allocUnsafe(Math.max(MIN_CAPACITY_BYTES, neededBytes * 2));
  }

  private moveTo(target: Buffer, pending: number): void {
    assert.ok(target.length >= pending && target !== this.buffer, 'the new buffer holds the pending bytes');
    this.buffer.copy(target, 0, this.start, this.end);
    this.buffer = target;
    this.start = 0;
    this.end = pending;
    this.owned = true;
  }

  private fail(detail: string): never {
    this.failure = new ProtocolError(detail);
    this.args = undefined;
    throw this.failure;
  }

  /** `*N\r\n`: false while incomplete; sets `args` unless N <= 0 (an empty command, skipped). */
  private readMultibulkHeader(): boolean {
    const from = this.start;
    const cr = this.findHeaderEnd(from, 'too big mbulk count string');
    if (cr === -1) return false;
    const count = this.parseInteger(from + 1, cr);
    if (Number.isNaN(count) || count > this.maxMultibulkLength) {
      if (this.hidesLineEnd(from, cr, 'too big mbulk count string')) return false;
      this.fail('invalid multibulk length');
    }
    if (this.unauthenticated && count > UNAUTHENTICATED_MAX_MULTIBULK) this.fail('unauthenticated multibulk length');
    this.start = cr + 2;
    if (count <= 0) return true;
    this.args = [];
    this.remaining = count;
    this.commandBytes = 0;
    return true;
  }

  /** The bulk strings of the multibulk in progress; the command once all have arrived. */
  private readBulks(): string[] | undefined {
    const args = this.args;
    assert.ok(args !== undefined && this.remaining > 0, 'a multibulk is in progress');
    while (this.remaining > 0) {
      if (this.bulkLength < 0 && !this.readBulkHeader()) return undefined;
      const from = this.start;
      const to = from + this.bulkLength;
      // Redis waits for the two bytes after the payload but never looks at them.
      if (to + 2 > this.end) return undefined;
      args.push(latin1String(this.buffer, from, to));
      this.start = to + 2;
      this.bulkLength = -1;
      this.remaining--;
    }
    this.args = undefined;
    return args;
  }

  /** `$len\r\n`: sets `bulkLength`, or false while incomplete. */
  private readBulkHeader(): boolean {
    const from = this.start;
    if (from >= this.end) return false;
    const cr = this.findHeaderEnd(from, 'too big bulk count string');
    if (cr === -1) return false;
    if (this.buffer[from] !== DOLLAR) {
      if (this.hidesLineEnd(from, cr, 'too big bulk count string')) return false;
      this.fail(`expected '$', got '${String.fromCharCode(this.buffer[from])}'`);
    }
    const length = this.parseInteger(from + 1, cr);
    if (Number.isNaN(length) || length < 0 || length > this.maxBulkBytes) {
      if (this.hidesLineEnd(from, cr, 'too big bulk count string')) return false;
      this.fail('invalid bulk length');
    }
    if (this.unauthenticated && length > UNAUTHENTICATED_MAX_BULK_BYTES) this.fail('unauthenticated bulk length');
    this.commandBytes += length + ARGUMENT_OVERHEAD_BYTES;
    if (this.commandBytes > MAX_COMMAND_BYTES) this.fail('query buffer limit reached');
    this.bulkLength = length;
    this.start = cr + 2;
    return true;
  }

  /**
   * The '\r' ending the header line at `from`, once the byte after it has arrived too; -1 while
   * incomplete. A line longer than maxInlineBytes fails with `tooBig`. Redis checks that only
   * while the line is incomplete, so whether it fires depends on how TCP split the bytes; here
   * it depends on the line alone.
   */
  private findHeaderEnd(from: number, tooBig: string): number {
    const buffer = this.buffer;
    const end = this.end;
    const scanEnd = Math.min(end, from + HEADER_SCAN_BYTES);
    let cr = -1;
    for (let i = from; i < scanEnd; i++) {
      if (buffer[i] === CR) {
        cr = i;
        break;
      }
    }
    if (cr === -1 && scanEnd < end) {
      const found = buffer.subarray(scanEnd, end).indexOf(CR);
      if (found !== -1) cr = scanEnd + found;
    }
    if (cr === -1) {
      if (end - from > this.maxInlineBytes) this.fail(tooBig);
      return -1;
    }
    if (cr - from > this.maxInlineBytes) this.fail(tooBig);
    return cr + 1 < end ? cr : -1;
  }

  /**
   * Whether a NUL byte precedes the line end at `to`: Redis's strchr stops there and finds no
   * line end, so it waits for more bytes (failing once too many are buffered) instead of
   * rejecting the line. Only asked about lines that are otherwise invalid.
   */
  private hidesLineEnd(from: number, to: number, tooBig: string): boolean {
    if (this.buffer.subarray(from, to).indexOf(NUL) === -1) return false;
    if (this.end - from > this.maxInlineBytes) this.fail(tooBig);
    return true;
  }

  /** Redis's string2ll over [from, to): the value, or NaN if it is not a valid int64. */
  private parseInteger(from: number, to: number): number {
    const buffer = this.buffer;
    const length = to - from;
    if (length === 0 || length > MAX_INTEGER_TEXT_BYTES) return NaN;
    if (length === 1 && buffer[from] === DIGIT_0) return 0;
    let i = from;
    const negative = buffer[i] === MINUS;
    if (negative) i++;
    const firstDigit = i;
    // The first digit must be 1-9: no leading zeros, no "-0", no "+1".
    if (i === to || buffer[i] < DIGIT_1 || buffer[i] > DIGIT_9) return NaN;
    let value = 0;
    for (; i < to; i++) {
      const byte = buffer[i];
      if (byte < DIGIT_0 || byte > DIGIT_9) return NaN;
      value = value * 10 + (byte - DIGIT_0);
    }
    // Past 2^53 the value is approximate, which only matters for the exact int64 bound.
    const digits = to - firstDigit;
    if (digits > INT64_MAX_DIGITS.length) return NaN;
    if (digits === INT64_MAX_DIGITS.length && this.exceedsInt64(firstDigit, negative)) return NaN;
    return negative ? -value : value;
  }

  /** Compares a 19-digit magnitude with 2^63 - 1 (2^63 when negative), digit by digit. */
  private exceedsInt64(firstDigit: number, negative: boolean): boolean {
    for (let i = 0; i < INT64_MAX_DIGITS.length; i++) {
      let limit = INT64_MAX_DIGITS.charCodeAt(i);
      if (negative && i === INT64_MAX_DIGITS.length - 1) limit++;
      const byte = this.buffer[firstDigit + i];
      if (byte !== limit) return byte > limit;
    }
    return false;
  }

  /** One inline line: its arguments ([] for a blank line), or undefined while incomplete. */
  private readInline(): string[] | undefined {
    const from = this.start;
    const found = this.buffer.subarray(from, this.end).indexOf(LF);
    if (found === -1) {
      if (this.end - from > this.maxInlineBytes) this.fail('too big inline request');
      return undefined;
    }
    const lf = from + found;
    if (lf - from > this.maxInlineBytes) this.fail('too big inline request');
    if (this.hidesLineEnd(from, lf, 'too big inline request')) return undefined;
    const lineEnd = lf > from && this.buffer[lf - 1] === CR ? lf - 1 : lf;
    const args = splitInlineArgs(this.buffer, from, lineEnd);
    if (args === undefined) this.fail('unbalanced quotes in request');
    this.start = lf + 1;
    return args;
  }
}
