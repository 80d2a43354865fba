// The request parser against Redis 7.2's networking.c rules. Expected texts and behaviours were
// checked against a real redis-server with raw bytes (see the report of the protocol module).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandParser, defaultParserLimits, MAX_ARGUMENT_BYTES, ProtocolError } from './parser.js';
import type { ParserLimits } from './parser.js';
import { encodeCommand } from './encoder.js';

type Outcome = { commands: string[][]; waiting: number } | { error: string; commands: string[][] };

/** Feeds the chunks one by one, draining commands after each, as the server does. */
function run(chunks: readonly (string | Buffer)[], options: { limits?: ParserLimits; unauthenticated?: boolean } = {}): Outcome {
  const parser = new CommandParser(options.limits);
  parser.unauthenticated = options.unauthenticated ?? false;
  const commands: string[][] = [];
  try {
    for (const chunk of chunks) {
      parser.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
      for (let command = parser.next(); command !== undefined; command = parser.next()) commands.push(command);
    }
  } catch (error) {
    assert.ok(error instanceof ProtocolError, `only ProtocolError escapes: ${String(error)}`);
    return { error: error.message, commands };
  }
  return { commands, waiting: parser.bufferedBytes };
}

function parses(input: string | readonly string[], expected: string[][], waiting = 0): void {
  assert.deepEqual(run(typeof input === 'string' ? [input] : input), { commands: expected, waiting });
}

function fails(input: string | readonly string[], message: string, options: { limits?: ParserLimits; unauthenticated?: boolean } = {}): void {
  const outcome = run(typeof input === 'string' ? [input] : input, options);
  assert.ok('error' in outcome, `expected "${message}", got ${JSON.stringify(outcome)}`);
  assert.equal(outcome.error, message);
}

/** Every way of cutting `input` in two. */
function everySplit(input: string): string[][] {
  const splits: string[][] = [];
  for (let at = 0; at <= input.length; at++) splits.push([input.slice(0, at), input.slice(at)]);
  return splits;
}

describe('multibulk requests', () => {
  test('a command comes out as latin1 strings, one per bulk', () => {
    parses('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n', [['SET', 'k', 'value']]);
  });

  test('arguments are binary-safe: CR, LF, NUL and every byte value survive', () => {
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const stream = encodeCommand(['SET', binary, '\r\n', '', '$3\r\n*1']);
    assert.deepEqual(run([stream]), { commands: [['SET', binary.toString('latin1'), '\r\n', '', '$3\r\n*1']], waiting: 0 });
  });

  test('pipelined commands come out one per next() call, in order', () => {
    const parser = new CommandParser();
    parser.feed(Buffer.concat([encodeCommand(['PING']), encodeCommand(['GET', 'a']), encodeCommand(['ECHO', 'b'])]));
    assert.deepEqual(parser.next(), ['PING']);
    assert.deepEqual(parser.next(), ['GET', 'a']);
    assert.deepEqual(parser.next(), ['ECHO', 'b']);
    assert.equal(parser.next(), undefined);
    assert.equal(parser.bufferedBytes, 0);
  });

  test('a pipeline cut at any byte parses to the same commands', () => {
    const input = '*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\n*0\r\nPING\r\n*1\r\n$0\r\n\r\n';
    for (const split of everySplit(input)) parses(split, [['ECHO', 'a\r\n'], ['PING'], ['']]);
  });

  test('a pipeline fed one byte at a time parses to the same commands', () => {
    const input = '*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$10\r\n0123456789\r\nGET k1\r\n*1\r\n$4\r\nPING\r\n';
    parses(Array.from(input), [['SET', 'k1', '0123456789'], ['GET', 'k1'], ['PING']]);
  });

  test('an incomplete command waits, holding its bytes', () => {
    parses('*2\r\n$3\r\nGET\r\n$5\r\nab', [], 2);
    parses('*1\r\n$4\r\nPING\r', [], 5);
    parses('*1\r', [], 3);
  });

  test('*0 and negative counts are empty commands, skipped like Redis', () => {
    parses('*0\r\n*-1\r\n*-5\r\n*-9223372036854775808\r\nPING\r\n', [['PING']]);
  });

  test('a header line ends at CR and the byte after it is skipped unchecked', () => {
    parses('*1\rX$4\r\nPING\r\n', [['PING']]);
    parses('*1\r\n$4\rXPING\r\n', [['PING']]);
  });

  test('the two bytes after a bulk payload are skipped unchecked, but awaited', () => {
    parses('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n', [['PING'], ['PING']]);
    parses('*1\r\n$4\r\nPINGx', [], 5);
  });

  test('a count at the int32 limit is accepted', () => {
    parses('*2147483647\r\n', [], 0);
  });

  for (const header of ['*abc', '*', '*01', '*-0', '*+1', '*1 ', '* 1', '*2147483648', '*-9223372036854775809', '*9223372036854775808', '*99999999999999999999', '*1.5']) {
    test(`${JSON.stringify(header)} is an invalid multibulk length`, () => {
      fails(`${header}\r\n`, 'Protocol error: invalid multibulk length');
    });
  }

  test('a header ended by LF alone is not a header (Redis looks for CR)', () => {
    fails('*1\n$4\r\nPING\r\n', 'Protocol error: invalid multibulk length');
  });

  test('maxMultibulkLength bounds the count', () => {
    fails('*5\r\n', 'Protocol error: invalid multibulk length', { limits: { ...defaultParserLimits, maxMultibulkLength: 4 } });
    parses('*4\r\n', [], 0);
  });

  for (const [input, got] of [['*1\r\nfoo\r\n', 'f'], ['*1\r\n*1\r\n', '*'], ['*1\r\n\u00e9\r\n', '\u00e9'], ['*2\r\n$1\r\na\r\n:1\r\n', ':']]) {
    test(`a bulk header starting with ${JSON.stringify(got)} is "expected '$'"`, () => {
      fails(input, `Protocol error: expected '$', got '${got}'`);
    });
  }

  test('an empty line where a bulk header belongs names the CR', () => {
    fails('*1\r\n\r\n', "Protocol error: expected '$', got '\r'");
  });

  for (const header of ['$-1', '$-5', '$04', '$abc', '$', '$+3', '$3 ', '$9999999999', '$99999999999999999999']) {
    test(`${JSON.stringify(header)} is an invalid bulk length`, () => {
      fails(`*1\r\n${header}\r\n`, 'Protocol error: invalid bulk length');
    });
  }

  test('maxBulkBytes bounds a bulk, and never goes above the longest string V8 holds', () => {
    const limits = { ...defaultParserLimits, maxBulkBytes: 10 };
    fails('*1\r\n$11\r\n', 'Protocol error: invalid bulk length', { limits });
    assert.deepEqual(run(['*1\r\n$10\r\n0123456789\r\n'], { limits }), { commands: [['0123456789']], waiting: 0 });
    const huge = { ...defaultParserLimits, maxBulkBytes: 2 ** 40 };
    fails(`*1\r\n$${MAX_ARGUMENT_BYTES + 1}\r\n`, 'Protocol error: invalid bulk length', { limits: huge });
    assert.deepEqual(run([`*1\r\n$${MAX_ARGUMENT_BYTES}\r\n`], { limits: huge }), { commands: [], waiting: 0 });
  });

  test('a count line over 64 KiB is "too big mbulk count string", complete or not', () => {
    const digits = '1'.repeat(70_000);
    fails(`*${digits}`, 'Protocol error: too big mbulk count string');
    fails([`*${digits.slice(0, 40_000)}`, digits.slice(40_000)], 'Protocol error: too big mbulk count string');
    fails(`*${digits}\r\n`, 'Protocol error: too big mbulk count string');
  });

  test('a count line of exactly 64 KiB is still read (and then invalid)', () => {
    parses(`*${'1'.repeat(65_535)}`, [], 65_536);
    fails(`*${'1'.repeat(65_535)}\r\n`, 'Protocol error: invalid multibulk length');
  });

  test('a bulk length line over 64 KiB is "too big bulk count string"', () => {
    fails(`*1\r\n$${'1'.repeat(70_000)}`, 'Protocol error: too big bulk count string');
    fails(`*1\r\n$${'1'.repeat(70_000)}\r\n`, 'Protocol error: too big bulk count string');
  });

  test('a NUL before the CR hides the line end, so Redis waits instead of failing', () => {
    parses('*1\r\n$\u00004\r\nPING\r\n', [], 11);
    parses('*\u00001\r\n', [], 5);
    parses('*1\r\n\u0000$4\r\n', [], 5);
    fails(['*1\r\n$\u00004\r\n', 'x'.repeat(70_000)], 'Protocol error: too big bulk count string');
    fails(['*\u00001\r\n', 'x'.repeat(70_000)], 'Protocol error: too big mbulk count string');
  });

  test('a large bulk arriving in many chunks is parsed intact', () => {
    const value = Buffer.alloc(5 * 1024 * 1024 + 7);
    for (let i = 0; i < value.length; i++) value[i] = (i * 31) & 0xff;
    const stream = Buffer.concat([encodeCommand(['SET', 'big', value]), encodeCommand(['GET', 'big'])]);
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < stream.length; offset += 65_536) chunks.push(stream.subarray(offset, offset + 65_536));
    const outcome = run(chunks);
    assert.ok(!('error' in outcome));
    assert.equal(outcome.commands.length, 2);
    assert.equal(outcome.commands[0][2], value.toString('latin1'));
    assert.deepEqual(outcome.commands[1], ['GET', 'big']);
  });
});

describe('before AUTH (unauthenticated)', () => {
  test('more than 10 arguments is "unauthenticated multibulk length"', () => {
    fails('*11\r\n', 'Protocol error: unauthenticated multibulk length', { unauthenticated: true });
    assert.deepEqual(run(['*10\r\n'], { unauthenticated: true }), { commands: [], waiting: 0 });
  });

  test('a bulk over 16384 bytes is "unauthenticated bulk length"', () => {
    fails('*1\r\n$16385\r\n', 'Protocol error: unauthenticated bulk length', { unauthenticated: true });
    const atLimit = `*1\r\n$16384\r\n${'x'.repeat(16384)}\r\n`;
    assert.deepEqual(run([atLimit], { unauthenticated: true }), { commands: [['x'.repeat(16384)]], waiting: 0 });
  });

  test('an invalid length is reported as invalid first, as Redis checks it first', () => {
    fails('*abc\r\n', 'Protocol error: invalid multibulk length', { unauthenticated: true });
    fails('*1\r\n$-1\r\n', 'Protocol error: invalid bulk length', { unauthenticated: true });
  });

  test('negative counts are still skipped before AUTH', () => {
    assert.deepEqual(run(['*-100\r\nPING\r\n'], { unauthenticated: true }), { commands: [['PING']], waiting: 0 });
  });

  test('clearing the flag lifts the limits for the following commands', () => {
    const parser = new CommandParser();
    parser.unauthenticated = true;
    parser.feed(Buffer.from('*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*11\r\n', 'latin1'));
    assert.deepEqual(parser.next(), ['AUTH', 'pw']);
    parser.unauthenticated = false;
    assert.equal(parser.next(), undefined);
  });
});

describe('inline requests', () => {
  test('a line not starting with * is split on blanks; \\n or \\r\\n ends it', () => {
    parses('SET k "a b"\r\nGET k\nPING\r\n', [['SET', 'k', 'a b'], ['GET', 'k'], ['PING']]);
  });

  test('blank lines are skipped', () => {
    parses('\r\n   \r\n\n\t\nPING\r\n', [['PING']]);
  });

  test('an inline line and multibulk commands mix in one stream', () => {
    parses('PING\r\n*1\r\n$4\r\nPING\r\nECHO x\n', [['PING'], ['PING'], ['ECHO', 'x']]);
  });

  test('an inline line cut at any byte parses the same', () => {
    const input = "SET 'a b' \"\\x41\\n\"\r\nGET x\n";
    for (const split of everySplit(input)) parses(split, [['SET', 'a b', 'A\n'], ['GET', 'x']]);
  });

  test('unbalanced quotes end the connection', () => {
    fails('SET "unbalanced\r\n', 'Protocol error: unbalanced quotes in request');
    fails('SET "a"b\r\n', 'Protocol error: unbalanced quotes in request');
  });

  test('a line over 64 KiB is "too big inline request", complete or not', () => {
    fails(`GET ${'x'.repeat(70_000)}`, 'Protocol error: too big inline request');
    fails([`GET ${'x'.repeat(40_000)}`, 'x'.repeat(30_000)], 'Protocol error: too big inline request');
    fails(`GET ${'x'.repeat(70_000)}\r\n`, 'Protocol error: too big inline request');
  });

  test('a line of 64 KiB before its LF is accepted', () => {
    const line = `ECHO ${'x'.repeat(65_536 - 6)}\r\n`;
    parses(line, [['ECHO', 'x'.repeat(65_530)]]);
  });

  test('a NUL byte hides the LF, so the parser waits until too much is buffered', () => {
    parses('PI\u0000NG\r\nPING\r\n', [], 13);
    fails(['PI\u0000NG\r\n', 'x'.repeat(70_000)], 'Protocol error: too big inline request');
  });
});

describe('a failed parser', () => {
  test('stays dead: next() throws the same error and feed() is ignored', () => {
    const parser = new CommandParser();
    parser.feed(Buffer.from('*abc\r\n', 'latin1'));
    assert.throws(() => parser.next(), { message: 'Protocol error: invalid multibulk length' });
    parser.feed(Buffer.from('PING\r\n', 'latin1'));
    assert.throws(() => parser.next(), { message: 'Protocol error: invalid multibulk length' });
  });

  test('errors are ProtocolError with the message Redis sends after "-ERR "', () => {
    const parser = new CommandParser();
    parser.feed(Buffer.from('*1\r\n$x\r\n', 'latin1'));
    assert.throws(() => parser.next(), (error: unknown) => error instanceof ProtocolError && error.message === 'Protocol error: invalid bulk length');
  });
});

describe('buffering', () => {
  test('bufferedBytes counts the bytes not yet consumed', () => {
    const parser = new CommandParser();
    assert.equal(parser.bufferedBytes, 0);
    parser.feed(Buffer.from('*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI', 'latin1'));
    assert.equal(parser.bufferedBytes, 24);
    assert.deepEqual(parser.next(), ['PING']);
    assert.equal(parser.bufferedBytes, 10);
    assert.equal(parser.next(), undefined);
    assert.equal(parser.bufferedBytes, 2, 'both headers of the incomplete command are consumed');
    parser.feed(Buffer.from('NG\r\n', 'latin1'));
    assert.equal(parser.bufferedBytes, 6);
    assert.deepEqual(parser.next(), ['PING']);
    assert.equal(parser.bufferedBytes, 0);
  });

  test('a chunk fed while nothing is pending is not modified; leftovers are copied out', () => {
    const parser = new CommandParser();
    const chunk = Buffer.from('*1\r\n$4\r\nPING\r\n*1\r\n$3\r\nG', 'latin1');
    const before = Buffer.from(chunk);
    parser.feed(chunk);
    assert.deepEqual(parser.next(), ['PING']);
    parser.feed(Buffer.from('ET\r\n', 'latin1'));
    assert.deepEqual(parser.next(), ['GET']);
    assert.deepEqual(chunk, before);
  });

  test('a big bulk is held while it arrives, counted in bufferedBytes, then parsed with what follows it', () => {
    const value = 'v'.repeat(100_000);
    const stream = Buffer.concat([encodeCommand(['SET', 'k', value]), encodeCommand(['GET', 'k']), Buffer.from('*1\r\n$4\r\nPI', 'latin1')]);
    const parser = new CommandParser();
    const commands: string[][] = [];
    let fed = 0;
    for (const size of [30, 40_000, 40_000, 19_000, stream.length]) {
      const chunk = stream.subarray(fed, Math.min(stream.length, fed + size));
      fed += chunk.length;
      parser.feed(chunk);
      for (let next = parser.next(); next !== undefined; next = parser.next()) commands.push(next);
      if (fed < 100_031) assert.equal(parser.bufferedBytes, fed - 29, 'everything after the 29 header bytes is held');
    }
    assert.deepEqual(commands, [['SET', 'k', value], ['GET', 'k']]);
    assert.equal(parser.bufferedBytes, 2);
  });

  test('big arguments in random chunkings parse back identical', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 150_000 }), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 12 }), (lengths, cuts) => {
      const args = lengths.map((length, i) => String.fromCharCode(97 + i).repeat(length));
      const stream = Buffer.concat([encodeCommand(args), encodeCommand(['PING'])]);
      assert.deepEqual(run(chunked(stream, cuts)), { commands: [args, ['PING']], waiting: 0 });
    }), { numRuns: 40 });
  });

  test('thousands of chunks that each end mid-command parse correctly', () => {
    const parser = new CommandParser();
    const command = encodeCommand(['SET', 'key', 'v'.repeat(100)]);
    let parsed = 0;
    for (let round = 0; round < 5000; round++) {
      parser.feed(Buffer.concat([command.subarray(round === 0 ? 0 : 11), command.subarray(0, 11)]));
      for (let next = parser.next(); next !== undefined; next = parser.next()) {
        assert.deepEqual(next, ['SET', 'key', 'v'.repeat(100)]);
        parsed++;
      }
    }
    assert.equal(parsed, 5000);
    assert.equal(parser.bufferedBytes, 3, 'the headers of the last, cut command are consumed; "SET" waits');
  });
});

/** Arbitrary binary argument, biased towards the bytes that matter to the framing. */
const argument = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.array(fc.constantFrom('\r', '\n', '$', '*', '0', '1', '-', ' ', '"', '\u0000', 'a'), { maxLength: 12 }).map((chars) => chars.join('')),
  fc.constant(''),
);
const command = fc.array(argument, { minLength: 1, maxLength: 8 });

/** Cuts `bytes` at the given points (any order, repeats allowed). */
function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let previous = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(previous, point));
    previous = point;
  }
  return chunks;
}

describe('properties', () => {
  test('random commands encoded as multibulk and fed in random chunks parse back identical', () => {
    fc.assert(fc.property(fc.array(command, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (commands, cuts) => {
      const stream = Buffer.concat(commands.map((args) => encodeCommand(args)));
      assert.deepEqual(run(chunked(stream, cuts)), { commands, waiting: 0 });
    }), { numRuns: 300 });
  });

  test('random arguments written as double-quoted inline arguments parse back identical', () => {
    const quote = (arg: string): string => `"${Array.from(arg, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}"`;
    const inlineCommand = fc.array(argument, { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(fc.array(inlineCommand, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 20 }), (commands, cuts) => {
      const stream = Buffer.from(commands.map((args) => `${args.map(quote).join(' ')}\r\n`).join(''), 'latin1');
      assert.deepEqual(run(chunked(stream, cuts)), { commands, waiting: 0 });
    }), { numRuns: 200 });
  });

  test('garbage bytes only ever yield commands or a ProtocolError, in bounded work', () => {
    const garbage = fc.uint8Array({ maxLength: 300 });
    const framingBytes = fc.array(fc.constantFrom(...Buffer.from('*$\r\n0123456789- "\'\\x\u0000a')), { maxLength: 300 }).map((bytes) => new Uint8Array(bytes));
    fc.assert(fc.property(fc.oneof(garbage, framingBytes), fc.array(fc.nat(), { maxLength: 10 }), fc.boolean(), (bytes, cuts, unauthenticated) => {
      const parser = new CommandParser();
      parser.unauthenticated = unauthenticated;
      let calls = 0;
      try {
        for (const chunk of chunked(Buffer.from(bytes), cuts)) {
          parser.feed(chunk);
          // Every command consumes at least one byte, so more calls than bytes means a loop.
          while (parser.next() !== undefined) assert.ok(++calls <= bytes.length, 'next() makes progress');
        }
        assert.ok(parser.bufferedBytes <= bytes.length);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
      }
    }), { numRuns: 2000 });
  });

  test('valid pipelines with random bytes overwritten fail only with ProtocolError', () => {
    fc.assert(fc.property(fc.array(command, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), (commands, flips, cuts) => {
      const stream = Buffer.concat(commands.map((args) => encodeCommand(args)));
      for (const [at, byte] of flips) stream[at % stream.length] = byte;
      const outcome = run(chunked(stream, cuts));
      if ('error' in outcome) assert.match(outcome.error, /^Protocol error: /);
      else assert.ok(outcome.commands.length <= stream.length);
    }), { numRuns: 1000 });
  });
});
