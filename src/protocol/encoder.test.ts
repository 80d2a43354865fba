// The reply encoder: exact bytes for every value type in RESP2 and RESP3, and round trips of
// random reply trees through a strict RESP reply decoder written here (test code only).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeCommand, encodeReply, formatDouble, ReplyEncoder } from './encoder.js';
import type { ProtocolVersion } from './encoder.js';
import {
  ErrorReply, NullArray, OK, RespBigNumber, RespBoolean, RespDouble, RespMap, RespPairs, RespPush, RespSet, RespVerbatim,
  SimpleString,
} from './values.js';
import type { RespValue } from './values.js';

/** A decoded reply, tagged with its wire type. */
type Decoded =
  | { type: 'simple' | 'error' | 'double' | 'bignum'; text: string }
  | { type: 'integer'; value: bigint }
  | { type: 'bulk'; text: string | null }
  | { type: 'verbatim'; format: string; text: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'array'; items: Decoded[] | null }
  | { type: 'set' | 'push'; items: Decoded[] }
  | { type: 'map'; entries: Array<[Decoded, Decoded]> };

/** A strict decoder of one reply starting at `offset`: rejects anything malformed. */
function decodeAt(bytes: Buffer, offset: number): { value: Decoded; end: number } {
  const lineEnd = bytes.indexOf('\r\n', offset, 'latin1');
  assert.ok(lineEnd > offset, `a reply line at ${offset}`);
  const prefix = String.fromCharCode(bytes[offset]);
  const line = bytes.toString('latin1', offset + 1, lineEnd);
  assert.ok(!line.includes('\n') && !line.includes('\r'), 'no CR or LF inside a line');
  let next = lineEnd + 2;
  const count = (): number => {
    assert.match(line, /^(0|-1|[1-9][0-9]*)$/, `a count: ${line}`);
    return Number(line);
  };
  const items = (n: number): Decoded[] => {
    const result: Decoded[] = [];
    for (let i = 0; i < n; i++) {
      const item = decodeAt(bytes, next);
      result.push(item.value);
      next = item.end;
    }
    return result;
  };
  const payload = (length: number): string => {
    assert.ok(next + length + 2 <= bytes.length, 'the payload has arrived');
    assert.equal(bytes.toString('latin1', next + length, next + length + 2), '\r\n', 'a payload ends with CRLF');
    const text = bytes.toString('latin1', next, next + length);
    next += length + 2;
    return text;
  };
  switch (prefix) {
    case '+': return { value: { type: 'simple', text: line }, end: next };
    case '-': return { value: { type: 'error', text: line }, end: next };
    case ',': return { value: { type: 'double', text: line }, end: next };
    case '(':
      assert.match(line, /^-?[0-9]+$/);
      return { value: { type: 'bignum', text: line }, end: next };
    case ':':
      assert.match(line, /^-?(0|[1-9][0-9]*)$/, `an integer: ${line}`);
      return { value: { type: 'integer', value: BigInt(line) }, end: next };
    case '#':
      assert.ok(line === 't' || line === 'f');
      return { value: { type: 'boolean', value: line === 't' }, end: next };
    case '_':
      assert.equal(line, '');
      return { value: { type: 'null' }, end: next };
    case '$': {
      const length = count();
      return { value: { type: 'bulk', text: length === -1 ? null : payload(length) }, end: next };
    }
    case '=': {
      const text = payload(count());
      assert.equal(text[3], ':', 'a verbatim string starts with its format and a colon');
      return { value: { type: 'verbatim', format: text.slice(0, 3), text: text.slice(4) }, end: next };
    }
    case '*': {
      const length = count();
      return { value: { type: 'array', items: length === -1 ? null : items(length) }, end: next };
    }
    case '~': return { value: { type: 'set', items: items(count()) }, end: next };
    case '>': return { value: { type: 'push', items: items(count()) }, end: next };
    case '%': {
      const flat = items(count() * 2);
      const entries: Array<[Decoded, Decoded]> = [];
      for (let i = 0; i < flat.length; i += 2) entries.push([flat[i], flat[i + 1]]);
      return { value: { type: 'map', entries }, end: next };
    }
    default: assert.fail(`unknown reply type ${JSON.stringify(prefix)}`);
  }
}

function decodeAll(bytes: Buffer): Decoded[] {
  const replies: Decoded[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const { value, end } = decodeAt(bytes, offset);
    replies.push(value);
    offset = end;
  }
  return replies;
}

const oneLine = (text: string): string => text.replace(/[\r\n]/g, ' ');

/** What a client must decode for `value`: the down-conversion rules of the protocol version. */
function expected(value: RespValue, protocol: ProtocolVersion): Decoded {
  const bulk = (text: string): Decoded => ({ type: 'bulk', text });
  const list = (items: readonly RespValue[]): Decoded[] => items.map((item) => expected(item, protocol));
  if (typeof value === 'string') return bulk(value);
  if (typeof value === 'number' || typeof value === 'bigint') return { type: 'integer', value: BigInt(value) };
  if (value === null) return protocol === 3 ? { type: 'null' } : { type: 'bulk', text: null };
  if (Array.isArray(value)) return { type: 'array', items: list(value as readonly RespValue[]) };
  if (value instanceof SimpleString) return { type: 'simple', text: oneLine(value.value) };
  if (value instanceof ErrorReply) return { type: 'error', text: oneLine(value.message) };
  if (value === NullArray.instance) return protocol === 3 ? { type: 'null' } : { type: 'array', items: null };
  if (value instanceof RespDouble) return protocol === 3 ? { type: 'double', text: formatDouble(value.value) } : bulk(formatDouble(value.value));
  if (value instanceof RespBoolean) return protocol === 3 ? { type: 'boolean', value: value.value } : { type: 'integer', value: value.value ? 1n : 0n };
  if (value instanceof RespBigNumber) return protocol === 3 ? { type: 'bignum', text: value.digits } : bulk(value.digits);
  if (value instanceof RespVerbatim) return protocol === 3 ? { type: 'verbatim', format: value.format, text: value.text } : bulk(value.text);
  if (value instanceof RespMap) {
    if (protocol === 3) return { type: 'map', entries: value.entries.map(([k, v]) => [expected(k, 3), expected(v, 3)]) };
    return { type: 'array', items: list(value.entries.flat()) };
  }
  if (value instanceof RespSet) return protocol === 3 ? { type: 'set', items: list(value.items) } : { type: 'array', items: list(value.items) };
  if (value instanceof RespPush) return protocol === 3 ? { type: 'push', items: list(value.items) } : { type: 'array', items: list(value.items) };
  if (value instanceof RespPairs) {
    if (protocol === 3) return { type: 'array', items: value.pairs.map((pair) => ({ type: 'array', items: list(pair) })) };
    return { type: 'array', items: list(value.pairs.flat()) };
  }
  assert.fail('unknown value');
}

function bytesOf(value: RespValue, protocol: ProtocolVersion): string {
  return encodeReply(value, protocol).toString('latin1');
}

describe('every reply type, in RESP2 and RESP3', () => {
  const table: Array<[name: string, value: RespValue, resp2: string, resp3: string]> = [
    ['bulk string', 'hello', '$5\r\nhello\r\n', '$5\r\nhello\r\n'],
    ['empty bulk string', '', '$0\r\n\r\n', '$0\r\n\r\n'],
    ['binary bulk string (latin1: one byte per char)', '\r\n\u0000\u00ff', '$4\r\n\r\n\u0000\u00ff\r\n', '$4\r\n\r\n\u0000\u00ff\r\n'],
    ['long bulk string', 'x'.repeat(1000), `$1000\r\n${'x'.repeat(1000)}\r\n`, `$1000\r\n${'x'.repeat(1000)}\r\n`],
    ['integer', 42, ':42\r\n', ':42\r\n'],
    ['zero', 0, ':0\r\n', ':0\r\n'],
    ['negative integer', -7, ':-7\r\n', ':-7\r\n'],
    ['largest safe integer', Number.MAX_SAFE_INTEGER, ':9007199254740991\r\n', ':9007199254740991\r\n'],
    ['smallest safe integer', Number.MIN_SAFE_INTEGER, ':-9007199254740991\r\n', ':-9007199254740991\r\n'],
    ['bigint int64 bounds', [2n ** 63n - 1n, -(2n ** 63n)], '*2\r\n:9223372036854775807\r\n:-9223372036854775808\r\n', '*2\r\n:9223372036854775807\r\n:-9223372036854775808\r\n'],
    ['null', null, '$-1\r\n', '_\r\n'],
    ['null array', NullArray.instance, '*-1\r\n', '_\r\n'],
    ['empty array', [], '*0\r\n', '*0\r\n'],
    ['nested array', ['a', [1, null]], '*2\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n', '*2\r\n$1\r\na\r\n*2\r\n:1\r\n_\r\n'],
    ['OK', OK, '+OK\r\n', '+OK\r\n'],
    ['simple string', new SimpleString('PONG'), '+PONG\r\n', '+PONG\r\n'],
    ['simple string with CR/LF', new SimpleString('a\r\nb'), '+a  b\r\n', '+a  b\r\n'],
    ['error', new ErrorReply('ERR wrong'), '-ERR wrong\r\n', '-ERR wrong\r\n'],
    ['error with CR/LF', new ErrorReply('ERR bad\r\nnews\n'), '-ERR bad  news \r\n', '-ERR bad  news \r\n'],
    ['double', new RespDouble(1.5), '$3\r\n1.5\r\n', ',1.5\r\n'],
    ['double 0.1', new RespDouble(0.1), '$3\r\n0.1\r\n', ',0.1\r\n'],
    ['double inf', new RespDouble(Infinity), '$3\r\ninf\r\n', ',inf\r\n'],
    ['double -inf', new RespDouble(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['double nan', new RespDouble(NaN), '$3\r\nnan\r\n', ',nan\r\n'],
    ['double -0', new RespDouble(-0), '$2\r\n-0\r\n', ',-0\r\n'],
    ['true', new RespBoolean(true), ':1\r\n', '#t\r\n'],
    ['false', new RespBoolean(false), ':0\r\n', '#f\r\n'],
    ['big number', new RespBigNumber('-123456789012345678901234567890'), '$31\r\n-123456789012345678901234567890\r\n', '(-123456789012345678901234567890\r\n'],
    ['verbatim', new RespVerbatim('txt', 'Some\r\ntext'), '$10\r\nSome\r\ntext\r\n', '=14\r\ntxt:Some\r\ntext\r\n'],
    ['map', new RespMap([['a', 1], ['b', null]]), '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$-1\r\n', '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n'],
    ['empty map', new RespMap([]), '*0\r\n', '%0\r\n'],
    ['set', new RespSet(['x', 'y']), '*2\r\n$1\r\nx\r\n$1\r\ny\r\n', '~2\r\n$1\r\nx\r\n$1\r\ny\r\n'],
    ['push', new RespPush(['message', 'ch', 'hi']), '*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n', '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n'],
    ['pairs', new RespPairs([['m', new RespDouble(2)]]), '*2\r\n$1\r\nm\r\n$1\r\n2\r\n', '*1\r\n*2\r\n$1\r\nm\r\n,2\r\n'],
    ['map inside a set inside push', new RespPush([new RespSet([new RespMap([[new RespBoolean(true), NullArray.instance]])])]), '*1\r\n*1\r\n*2\r\n:1\r\n*-1\r\n', '>1\r\n~1\r\n%1\r\n#t\r\n_\r\n'],
  ];
  for (const [name, value, resp2, resp3] of table) {
    test(`${name}: RESP2 ${JSON.stringify(resp2).slice(0, 50)}, RESP3 ${JSON.stringify(resp3).slice(0, 50)}`, () => {
      assert.equal(bytesOf(value, 2), resp2);
      assert.equal(bytesOf(value, 3), resp3);
      assert.deepEqual(decodeAll(encodeReply(value, 2)), [expected(value, 2)]);
      assert.deepEqual(decodeAll(encodeReply(value, 3)), [expected(value, 3)]);
    });
  }

  test('an integer reply must be a safe integer', () => {
    assert.throws(() => encodeReply(2 ** 53, 2), assert.AssertionError);
    assert.throws(() => encodeReply(1.5, 2), assert.AssertionError);
    assert.throws(() => encodeReply(NaN, 3), assert.AssertionError);
  });

  test('a bigint reply must fit 64 bits', () => {
    assert.equal(bytesOf(2n ** 64n - 1n, 2), ':18446744073709551615\r\n');
    assert.throws(() => encodeReply(2n ** 64n, 2), assert.AssertionError);
    assert.throws(() => encodeReply(-(2n ** 63n) - 1n, 2), assert.AssertionError);
  });

  test('a verbatim format must be three characters', () => {
    assert.throws(() => encodeReply(new RespVerbatim('text', 'x'), 3), assert.AssertionError);
  });

  test('a big number must be decimal digits', () => {
    assert.throws(() => encodeReply(new RespBigNumber('12a'), 3), assert.AssertionError);
  });
});

describe('the growable buffer', () => {
  test('replies accumulate until take(), which hands them over and starts afresh', () => {
    const encoder = new ReplyEncoder(8);
    encoder.write(OK, 2);
    encoder.write(1, 2);
    assert.equal(encoder.lengthBytes, 9);
    assert.equal(encoder.take().toString('latin1'), '+OK\r\n:1\r\n');
    assert.equal(encoder.lengthBytes, 0);
    assert.equal(encoder.take().length, 0);
  });

  test('a taken buffer is never overwritten by later writes', () => {
    const encoder = new ReplyEncoder(16);
    const taken: Buffer[] = [];
    let all = '';
    for (let i = 0; i < 200; i++) {
      const value = `value-${i}-${'z'.repeat(i % 37)}`;
      encoder.write(value, 2);
      all += `$${value.length}\r\n${value}\r\n`;
      if (i % 3 === 0) taken.push(encoder.take());
    }
    taken.push(encoder.take());
    // Read only now, after every later write had its chance to clobber an earlier slice.
    assert.equal(taken.map((bytes) => bytes.toString('latin1')).join(''), all);
  });

  test('it grows for a reply far larger than its initial size', () => {
    const encoder = new ReplyEncoder(4);
    const big = 'b'.repeat(3 * 1024 * 1024);
    encoder.write(['x', big, 7], 3);
    const bytes = encoder.take();
    assert.deepEqual(decodeAll(bytes), [expected(['x', big, 7], 3)]);
    encoder.write(OK, 3);
    assert.equal(encoder.take().toString('latin1'), '+OK\r\n');
    assert.equal(bytes.toString('latin1', 0, 12), '*3\r\n$1\r\nx\r\n$', 'the big reply survives later writes');
  });
});

describe('encodeCommand', () => {
  test('writes a multibulk of bulk strings, strings as latin1 and Buffers as they are', () => {
    const bytes = encodeCommand(['SET', 'k\u00e9', Buffer.from([0, 13, 10]), '']);
    assert.equal(bytes.toString('latin1'), '*4\r\n$3\r\nSET\r\n$2\r\nk\u00e9\r\n$3\r\n\u0000\r\n\r\n$0\r\n\r\n');
  });
});

/** Random reply trees of every type, latin1 strings included. */
const latin1Text = fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes).toString('latin1'));
const replyValue: fc.Arbitrary<RespValue> = fc.letrec<{ value: RespValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    latin1Text,
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.constant(null),
    fc.constant(NullArray.instance),
    fc.constant(OK),
    latin1Text.map((text) => new SimpleString(text)),
    latin1Text.map((text) => new ErrorReply(`ERR ${text}`)),
    fc.double().map((value) => new RespDouble(value)),
    fc.boolean().map((value) => new RespBoolean(value)),
    fc.bigInt().map((value) => new RespBigNumber(value.toString())),
    latin1Text.map((text) => new RespVerbatim('txt', text)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((entries) => new RespMap(entries)),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => new RespSet(items)),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => new RespPush(items)),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((pairs) => new RespPairs(pairs)),
  ),
})).value;

describe('round trips', () => {
  test('random reply trees decode to what their protocol version promises', () => {
    fc.assert(fc.property(fc.array(replyValue, { maxLength: 5 }), fc.constantFrom<ProtocolVersion>(2, 3), (values, protocol) => {
      const encoder = new ReplyEncoder(32);
      for (const value of values) encoder.write(value, protocol);
      assert.deepEqual(decodeAll(encoder.take()), values.map((value) => expected(value, protocol)));
    }), { numRuns: 500 });
  });
});
