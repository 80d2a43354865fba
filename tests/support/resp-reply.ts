// Framing and decoding of RESP2/RESP3 replies, for tests that read raw bytes from a server:
// where one reply ends, whether a byte stream is a sequence of well-formed replies, and a
// plain-value view of a reply for assertions.

import assert from 'node:assert/strict';

/** Nesting deeper than this is treated as malformed (the servers never nest that deep). */
const DEPTH_MAX = 64;

const CRLF = '\r\n';

/** One decoded reply. Simple types keep their RESP3 kind so tests can tell them apart. */
export type Reply =
  | { readonly kind: 'simple'; readonly value: string }
  | { readonly kind: 'error'; readonly value: string }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'bulk'; readonly value: Buffer }
  | { readonly kind: 'verbatim'; readonly format: string; readonly value: Buffer }
  | { readonly kind: 'null' }
  | { readonly kind: 'double'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'bignum'; readonly value: string }
  | { readonly kind: 'array' | 'set' | 'push'; readonly items: readonly Reply[] }
  | { readonly kind: 'map' | 'attribute'; readonly entries: ReadonlyArray<readonly [Reply, Reply]> };

interface Decoded {
  readonly reply: Reply;
  readonly end: number;
}

/** Thrown for bytes that can never become a valid reply (as opposed to "not complete yet"). */
export class MalformedReply extends Error {}

function lineEnd(bytes: Buffer, start: number): number | undefined {
  const end = bytes.indexOf(CRLF, start, 'latin1');
  return end === -1 ? undefined : end;
}

function integerOf(text: string, what: string): number {
  if (!/^-?\d+$/.test(text)) throw new MalformedReply(`bad ${what} ${JSON.stringify(text)}`);
  return Number(text);
}

function decodeAt(bytes: Buffer, start: number, depth: number): Decoded | undefined {
  if (depth > DEPTH_MAX) throw new MalformedReply('nested too deep');
  if (start >= bytes.length) return undefined;
  const end = lineEnd(bytes, start + 1);
  if (end === undefined) return undefined;
  const type = String.fromCharCode(bytes[start]);
  const line = bytes.toString('latin1', start + 1, end);
  const next = end + 2;
  switch (type) {
    case '+':
      return { reply: { kind: 'simple', value: line }, end: next };
    case '-':
      return { reply: { kind: 'error', value: line }, end: next };
    case ':':
      integerOf(line, 'integer');
      return { reply: { kind: 'integer', value: BigInt(line) }, end: next };
    case '_':
      if (line !== '') throw new MalformedReply('null with a body');
      return { reply: { kind: 'null' }, end: next };
    case ',':
      if (!/^(-?\d+(\.\d+)?([eE][-+]?\d+)?|-?inf|nan)$/.test(line)) throw new MalformedReply(`bad double ${line}`);
      return { reply: { kind: 'double', value: line }, end: next };
    case '#':
      if (line !== 't' && line !== 'f') throw new MalformedReply(`bad boolean ${line}`);
      return { reply: { kind: 'boolean', value: line === 't' }, end: next };
    case '(':
      integerOf(line, 'big number');
      return { reply: { kind: 'bignum', value: line }, end: next };
    case '$':
    case '=':
    case '!':
      return decodeBlob(bytes, type, integerOf(line, 'length'), next);
    case '*':
    case '~':
    case '>':
      return decodeItems(bytes, type, integerOf(line, 'count'), next, depth);
    case '%':
    case '|':
      return decodeEntries(bytes, type, integerOf(line, 'count'), next, depth);
    default:
      throw new MalformedReply(`unknown reply type ${JSON.stringify(type)}`);
  }
}

function decodeBlob(bytes: Buffer, type: string, length: number, start: number): Decoded | undefined {
  if (length === -1 && type === '$') return { reply: { kind: 'null' }, end: start };
  if (length < 0) throw new MalformedReply(`negative length ${length}`);
  if (bytes.length < start + length + 2) return undefined;
  if (bytes.toString('latin1', start + length, start + length + 2) !== CRLF) throw new MalformedReply('blob not followed by CRLF');
  const body = bytes.subarray(start, start + length);
  const end = start + length + 2;
  if (type === '!') return { reply: { kind: 'error', value: body.toString('latin1') }, end };
  if (type === '=') {
    if (length < 4 || body[3] !== 0x3a) throw new MalformedReply('verbatim string without a format');
    return { reply: { kind: 'verbatim', format: body.toString('latin1', 0, 3), value: body.subarray(4) }, end };
  }
  return { reply: { kind: 'bulk', value: body }, end };
}

function decodeItems(bytes: Buffer, type: string, count: number, start: number, depth: number): Decoded | undefined {
  if (count === -1 && type === '*') return { reply: { kind: 'null' }, end: start };
  if (count < 0) throw new MalformedReply(`negative count ${count}`);
  const items: Reply[] = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    const item = decodeAt(bytes, at, depth + 1);
    if (item === undefined) return undefined;
    items.push(item.reply);
    at = item.end;
  }
  const kind = type === '*' ? 'array' : type === '~' ? 'set' : 'push';
  return { reply: { kind, items }, end: at };
}

function decodeEntries(bytes: Buffer, type: string, count: number, start: number, depth: number): Decoded | undefined {
  if (count < 0) throw new MalformedReply(`negative count ${count}`);
  const entries: Array<readonly [Reply, Reply]> = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    const key = decodeAt(bytes, at, depth + 1);
    if (key === undefined) return undefined;
    const value = decodeAt(bytes, key.end, depth + 1);
    if (value === undefined) return undefined;
    entries.push([key.reply, value.reply]);
    at = value.end;
  }
  return { reply: { kind: type === '%' ? 'map' : 'attribute', entries }, end: at };
}

/**
 * Decodes the reply starting at `start`: undefined while it is incomplete, MalformedReply if it
 * can never be valid. An attribute reply is returned on its own (callers read the next one).
 */
export function decodeReply(bytes: Buffer, start = 0): Decoded | undefined {
  assert.ok(start >= 0 && start <= bytes.length);
  return decodeAt(bytes, start, 0);
}

/** Splits a byte stream into complete replies; the incomplete rest is returned separately. */
export function splitReplies(bytes: Buffer): { readonly replies: Buffer[]; readonly rest: Buffer } {
  const replies: Buffer[] = [];
  let at = 0;
  for (let count = 0; count <= bytes.length; count++) {
    const decoded = decodeReply(bytes, at);
    if (decoded === undefined) break;
    replies.push(bytes.subarray(at, decoded.end));
    at = decoded.end;
  }
  return { replies, rest: bytes.subarray(at) };
}

/** A compact, readable rendering of a reply (for assertion messages and expected values). */
export function show(reply: Reply): string {
  switch (reply.kind) {
    case 'simple':
      return `+${reply.value}`;
    case 'error':
      return `-${reply.value}`;
    case 'integer':
      return `:${reply.value}`;
    case 'bulk':
      return JSON.stringify(reply.value.toString('latin1'));
    case 'verbatim':
      return `=${reply.format}:${JSON.stringify(reply.value.toString('latin1'))}`;
    case 'null':
      return 'nil';
    case 'double':
      return `,${reply.value}`;
    case 'boolean':
      return reply.value ? '#t' : '#f';
    case 'bignum':
      return `(${reply.value}`;
    case 'array':
    case 'set':
    case 'push': {
      const open = { array: '[', set: '~[', push: '>[' }[reply.kind];
      return `${open}${reply.items.map(show).join(', ')}]`;
    }
    case 'map':
    case 'attribute':
      return `${reply.kind === 'map' ? '{' : '|{'}${reply.entries.map(([key, value]) => `${show(key)}: ${show(value)}`).join(', ')}}`;
  }
}
