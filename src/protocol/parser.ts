// Incremental RESP request parser: multibulk (`*N\r\n$len\r\n...`) and inline commands, fed
// with whatever chunks TCP delivers. Arguments come out as latin1 strings (one char per
// byte), so they are binary-safe. Errors are Redis's protocol errors; after one the parser is
// dead and the server closes that connection.

export interface ParserLimits {
  /** proto-max-bulk-len (never above V8's longest string, which an argument must fit in). */
  readonly maxBulkBytes: number;
  readonly maxMultibulkLength: number;
  /** Also bounds a multibulk or bulk header line. */
  readonly maxInlineBytes: number;
}

/** V8's maximum string length on 64-bit platforms: a longer argument cannot be represented. */
export const MAX_ARGUMENT_BYTES = 2 ** 29 - 24;

/** client-query-buffer-limit: one command's arguments together may not exceed this. */
export const MAX_COMMAND_BYTES = 1024 * 1024 * 1024;

export const defaultParserLimits: ParserLimits = {
  maxBulkBytes: MAX_ARGUMENT_BYTES,
  maxMultibulkLength: 2 ** 31 - 1,
  maxInlineBytes: 64 * 1024,
};

/** Before AUTH, Redis accepts only small requests, so a stranger cannot make it buffer much. */
const UNAUTHENTICATED_MAX_MULTIBULK = 10;
const UNAUTHENTICATED_MAX_BULK = 16384;

export class ProtocolError extends Error {
  constructor(detail: string) {
    super(`Protocol error: ${detail}`);
    this.name = 'ProtocolError';
  }
}

const CR = 13;
const LF = 10;

export class CommandParser {
  unauthenticated = false;
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;
  /** Multibulk in progress: the arguments parsed so far and how many are expected. */
  private args: string[] | undefined;
  private expected = 0;
  /** Bytes of the arguments of the multibulk in progress, bounded by MAX_COMMAND_BYTES. */
  private commandBytes = 0;
  /** Bulk length announced by a `$` header whose payload is not complete yet (-1: none). */
  private bulkLength = -1;
  private dead = false;
  /** Chunks held back while a large bulk payload is incomplete, to avoid re-copying per chunk. */
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(private readonly limits: ParserLimits = defaultParserLimits) {}

  get bufferedBytes(): number {
    return this.buffer.length - this.offset + this.heldBytes;
  }

  feed(chunk: Buffer): void {
    if (this.bulkLength >= 0 && this.bufferedBytes + chunk.length < this.bulkLength + 2) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      return;
    }
    if (this.offset === this.buffer.length && this.heldBytes === 0) {
      this.buffer = chunk;
    } else {
      const parts = [this.buffer.subarray(this.offset), ...this.held, chunk];
      this.buffer = Buffer.concat(parts, this.bufferedBytes + chunk.length);
      this.held = [];
      this.heldBytes = 0;
    }
    this.offset = 0;
  }

  next(): string[] | undefined {
    if (this.dead) throw new ProtocolError('connection already failed');
    try {
      for (;;) {
        if (this.args === undefined) {
          if (this.offset >= this.buffer.length) return undefined;
          if (this.buffer[this.offset] !== 42 /* * */) {
            const inline = this.parseInline();
            if (inline === undefined) return undefined;
            if (inline.length > 0) return inline;
            continue;
          }
          if (!this.parseMultibulkHeader()) return undefined;
          if (this.args === undefined) continue; // *0 or *-1: nothing to run
        }
        const complete = this.parseBulks();
        if (complete === undefined) return undefined;
        return complete;
      }
    } catch (error) {
      this.dead = true;
      throw error;
    }
  }

  /** Index of the LF ending the line that starts at `from`, or -1 if not buffered yet. */
  private lineEnd(from: number): number {
    return this.buffer.indexOf(LF, from);
  }

  private parseMultibulkHeader(): boolean {
    const end = this.lineEnd(this.offset);
    if (end === -1) {
      if (this.bufferedBytes > this.limits.maxInlineBytes) throw new ProtocolError('too big mbulk count string');
      return false;
    }
    if (end - this.offset > this.limits.maxInlineBytes) throw new ProtocolError('too big mbulk count string');
    const count = this.parseInteger(this.offset + 1, this.buffer[end - 1] === CR ? end - 1 : end);
    const max = this.unauthenticated ? UNAUTHENTICATED_MAX_MULTIBULK : this.limits.maxMultibulkLength;
    if (count === undefined || count > max) throw new ProtocolError('invalid multibulk length');
    this.offset = end + 1;
    if (count <= 0) return true;
    this.args = [];
    this.expected = count;
    this.commandBytes = 0;
    return true;
  }

  /** Parses bulk strings of the current multibulk; the command once all have arrived. */
  private parseBulks(): string[] | undefined {
    const args = this.args as string[];
    while (args.length < this.expected) {
      if (this.bulkLength === -1) {
        if (this.offset >= this.buffer.length) return undefined;
        const end = this.lineEnd(this.offset);
        if (end === -1) {
          if (this.bufferedBytes > this.limits.maxInlineBytes) throw new ProtocolError('too big bulk count string');
          return undefined;
        }
        if (end - this.offset > this.limits.maxInlineBytes) throw new ProtocolError('too big bulk count string');
        if (this.buffer[this.offset] !== 36 /* $ */) {
          throw new ProtocolError(`expected '$', got '${String.fromCharCode(this.buffer[this.offset])}'`);
        }
        const length = this.parseInteger(this.offset + 1, this.buffer[end - 1] === CR ? end - 1 : end);
        const max = this.unauthenticated ? UNAUTHENTICATED_MAX_BULK : Math.min(this.limits.maxBulkBytes, MAX_ARGUMENT_BYTES);
        if (length === undefined || length < 0 || length > max) throw new ProtocolError('invalid bulk length');
        // Many arguments each under the bulk limit must not add up to unbounded memory either.
        this.commandBytes += length;
        if (this.commandBytes > MAX_COMMAND_BYTES) throw new ProtocolError('query buffer limit reached');
        this.bulkLength = length;
        this.offset = end + 1;
      }
      if (this.buffer.length - this.offset < this.bulkLength + 2) return undefined;
      args.push(this.buffer.toString('latin1', this.offset, this.offset + this.bulkLength));
      this.offset += this.bulkLength + 2;
      this.bulkLength = -1;
    }
    this.args = undefined;
    this.compact();
    return args;
  }

  private parseInline(): string[] | undefined {
    const end = this.lineEnd(this.offset);
    if (end === -1) {
      if (this.bufferedBytes > this.limits.maxInlineBytes) throw new ProtocolError('too big inline request');
      return undefined;
    }
    if (end - this.offset > this.limits.maxInlineBytes) throw new ProtocolError('too big inline request');
    const lineEnd = end > this.offset && this.buffer[end - 1] === CR ? end - 1 : end;
    const line = this.buffer.toString('latin1', this.offset, lineEnd);
    this.offset = end + 1;
    this.compact();
    const args = splitInlineArgs(line);
    if (args === undefined) throw new ProtocolError('unbalanced quotes in request');
    return args;
  }

  /** A decimal integer in [start, end), as Redis's string2ll, or undefined. */
  private parseInteger(start: number, end: number): number | undefined {
    if (end <= start || end - start > 20) return undefined;
    let i = start;
    const negative = this.buffer[i] === 45;
    if (negative) i++;
    if (i === end) return undefined;
    let value = 0;
    for (; i < end; i++) {
      const digit = this.buffer[i] - 48;
      if (digit < 0 || digit > 9) return undefined;
      value = value * 10 + digit;
    }
    if (!Number.isSafeInteger(value)) return undefined;
    return negative ? -value : value;
  }

  /** Drops consumed bytes once they dominate the buffer, so memory follows what is pending. */
  private compact(): void {
    if (this.offset === this.buffer.length) {
      this.buffer = Buffer.alloc(0);
      this.offset = 0;
    } else if (this.offset > 65536 && this.offset > this.buffer.length / 2) {
      this.buffer = Buffer.from(this.buffer.subarray(this.offset));
      this.offset = 0;
    }
  }
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

function isHex(char: string | undefined): boolean {
  return char !== undefined && /^[0-9a-fA-F]$/.test(char);
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\n' || char === '\r' || char === '\t' || char === '\v' || char === '\f';
}

/** Redis's sdssplitargs: spaces separate, "double quotes" with escapes, 'single quotes'. */
export function splitInlineArgs(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && isSpace(line[i])) i++;
    if (i >= line.length) return args;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const char = line[i];
      if (inDouble) {
        if (char === undefined) return undefined;
        if (char === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (char === '\\' && i + 1 < line.length) {
          i++;
          current += ESCAPES[line[i]] ?? line[i];
        } else if (char === '"') {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return undefined;
          inDouble = false;
          i++;
          break;
        } else current += char;
      } else if (inSingle) {
        if (char === undefined) return undefined;
        if (char === '\\' && line[i + 1] === '\'') {
          i++;
          current += '\'';
        } else if (char === '\'') {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return undefined;
          inSingle = false;
          i++;
          break;
        } else current += char;
      } else {
        if (char === undefined || isSpace(char)) break;
        if (char === '"') inDouble = true;
        else if (char === '\'') inSingle = true;
        else current += char;
      }
      i++;
    }
    args.push(current);
  }
}
