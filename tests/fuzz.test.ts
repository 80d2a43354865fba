// Random and malformed byte streams: at the parser (any bytes give commands or a ProtocolError,
// and chunking never changes the outcome) and at a live spawned node (it never crashes, it
// answers only well-formed replies, a protocol error is its last word on that connection, and a
// well-behaved client working at the same time keeps getting correct answers).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandParser, ProtocolError } from '../src/protocol/parser.js';
import { ClientPool } from './support/client-pool.js';
import { removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';
import { encodeCommand } from './support/resp-command.js';
import { MalformedReply, decodeReply, show } from './support/resp-reply.js';
import type { Reply } from './support/resp-reply.js';

const RUNS = 200;
/** How long a fuzzed connection may stay silent (e.g. waiting for an announced bulk). */
const QUIET_MS = 150;

/** Commands a well-behaved client might send; mutated into malformed ones. Nothing here stops the node. */
const CORPUS: readonly string[][] = [
  ['SET', 'fz:a', 'value'], ['GET', 'fz:a'], ['MSET', 'fz:b', '1', 'fz:c', '\r\n'], ['MGET', 'fz:a', 'fz:b'], ['INCR', 'fz:n'], ['INCRBYFLOAT', 'fz:f', '1.5'],
  ['APPEND', 'fz:a', 'x'], ['SETRANGE', 'fz:a', '3', 'yy'], ['GETRANGE', 'fz:a', '0', '-1'], ['EXPIRE', 'fz:a', '1000'], ['TTL', 'fz:a'], ['DEL', 'fz:c'],
  ['HSET', 'fz:h', 'f', 'v'], ['RPUSH', 'fz:l', 'a', 'b'], ['SADD', 'fz:s', 'm'], ['SCAN', '0', 'COUNT', '5'], ['KEYS', 'fz:*'], ['TYPE', 'fz:h'],
  ['PING'], ['ECHO', 'hello'], ['HELLO', '3'], ['HELLO', '2'], ['CLIENT', 'SETNAME', 'fuzzer'], ['CONFIG', 'GET', 'max*'], ['COMMAND', 'INFO', 'get'],
  ['SET', 'fz:t', 'v', 'PX', '100000', 'NX', 'GET'], ['GETEX', 'fz:t', 'PERSIST'], ['COPY', 'fz:a', 'fz:d', 'REPLACE'], ['RENAME', 'fz:d', 'fz:e'],
  ['SETBIT', 'fz:bits', '77', '1'], ['BITCOUNT', 'fz:bits', '0', '-1', 'BIT'], ['BITPOS', 'fz:bits', '1', '2', '-1'], ['BITOP', 'XOR', 'fz:x', 'fz:bits', 'fz:a'],
  ['BITFIELD', 'fz:bf', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '#2', '100', 'GET', 'u4', '0'], ['BITFIELD_RO', 'fz:bf', 'GET', 'i64', '3'],
  ['GEOADD', 'fz:geo', '13.36', '38.11', 'pa', '15.08', '37.50', 'ca'], ['GEOSEARCH', 'fz:geo', 'FROMMEMBER', 'pa', 'BYBOX', '400', '300', 'km', 'WITHDIST', 'COUNT', '2'],
  ['GEORADIUS', 'fz:geo', '15', '37', '200', 'km', 'STORE', 'fz:near'], ['GEOPOS', 'fz:geo', 'pa', 'x'], ['GEODIST', 'fz:geo', 'pa', 'ca', 'mi'],
  ['PFADD', 'fz:hll', 'a', 'b'], ['PFCOUNT', 'fz:hll', 'fz:a'], ['PFMERGE', 'fz:hll2', 'fz:hll'],
  ['SORT', 'fz:l', 'ALPHA', 'LIMIT', '0', '1', 'STORE', 'fz:sorted'], ['SORT_RO', 'fz:s', 'BY', 'nosort', 'GET', '#'], ['SORT', 'fz:l', 'BY', 'fz:*->f', 'ALPHA'],
];

const TOKENS: readonly string[] = ['*', '$', '\r\n', '\r', '\n', '*2\r\n', '$3\r\n', '*-1\r\n', '$-1\r\n', '*0\r\n', '"', "'", '\\x', ' ', '\t', '\0', 'SET', 'GET', 'PING', '*1048576\r\n', '$536870911\r\n', '$65536\r\n', '9999999999'];

/** A byte stream: pure noise, tokens, or valid commands with bytes flipped, cut, or spliced in. */
function streamArbitrary(): fc.Arbitrary<Buffer[]> {
  const noise = fc.uint8Array({ maxLength: 96 }).map((bytes) => Buffer.from(bytes));
  const token = fc.constantFrom(...TOKENS).map((text) => Buffer.from(text, 'latin1'));
  const command = fc.constantFrom(...CORPUS).map((args) => encodeCommand(args));
  const inline = fc.constantFrom(...CORPUS).map((args) => Buffer.from(`${args.map((arg) => (arg.includes(' ') || arg.includes('\r') ? JSON.stringify(arg) : arg)).join(' ')}\r\n`, 'latin1'));
  const mutated = fc.tuple(command, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert', 'drop')).map(([bytes, at, byte, how]) => {
    const i = at % bytes.length;
    if (how === 'flip') return Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i + 1)]);
    if (how === 'cut') return bytes.subarray(0, i);
    if (how === 'insert') return Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
    return Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
  });
  return fc.array(fc.oneof({ weight: 2, arbitrary: noise }, { weight: 2, arbitrary: token }, { weight: 2, arbitrary: command }, { weight: 1, arbitrary: inline }, { weight: 4, arbitrary: mutated }), { minLength: 1, maxLength: 16 });
}

/** Error replies a Redis server may send to some request (upper-case code, then text). */
function isErrorLine(text: string): boolean {
  return /^[A-Z]+( .*)?$/s.test(text) && !text.includes('\r') && !text.includes('\n');
}

/**
 * Checks the bytes a fuzzed connection received: only complete, well-formed replies, errors in
 * Redis's shape, and nothing after a protocol error. Returns whether a protocol error came.
 */
function checkReplies(bytes: Buffer): boolean {
  let at = 0;
  let protocolError = false;
  for (let count = 0; at < bytes.length && count <= bytes.length; count++) {
    let decoded: { reply: Reply; end: number } | undefined;
    try {
      decoded = decodeReply(bytes, at);
    } catch (error) {
      if (error instanceof MalformedReply) assert.fail(`malformed reply at byte ${at}: ${JSON.stringify(bytes.toString('latin1', at, at + 200))}`);
      throw error;
    }
    assert.ok(decoded !== undefined, `incomplete reply at the end: ${JSON.stringify(bytes.toString('latin1', at, at + 200))}`);
    assert.ok(!protocolError, `a reply after a protocol error: ${show(decoded.reply)}`);
    if (decoded.reply.kind === 'error') {
      assert.ok(isErrorLine(decoded.reply.value), `not an error line: ${JSON.stringify(decoded.reply.value)}`);
      protocolError = decoded.reply.value.startsWith('ERR Protocol error: ');
    }
    at = decoded.end;
  }
  return protocolError;
}

describe('fuzz: parser', () => {
  test('any bytes give commands or a ProtocolError, and nothing else', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), (chunks) => {
      const parser = new CommandParser();
      try {
        for (const chunk of chunks) {
          parser.feed(Buffer.from(chunk));
          for (let i = 0; i < 1000 && parser.next() !== undefined; i++);
        }
      } catch (error) {
        assert.ok(error instanceof ProtocolError, String(error));
      }
    }), { numRuns: 2000 });
  });

  test('how a stream is chunked never changes the commands or the error it produces', () => {
    const outcome = (chunks: readonly Buffer[]) => {
      const parser = new CommandParser();
      const commands: string[] = [];
      try {
        for (const chunk of chunks) {
          parser.feed(chunk);
          for (let command = parser.next(); command !== undefined && commands.length < 10_000; command = parser.next()) commands.push(JSON.stringify(command));
        }
        return { commands, error: '' };
      } catch (error) {
        assert.ok(error instanceof ProtocolError);
        return { commands, error: error.message };
      }
    };
    fc.assert(fc.property(streamArbitrary(), fc.array(fc.nat(), { maxLength: 8 }), (pieces, cuts) => {
      const whole = Buffer.concat(pieces);
      const points = [...new Set(cuts.map((cut) => (whole.length === 0 ? 0 : cut % whole.length)))].sort((a, b) => a - b);
      const chunks = [...points, whole.length].map((end, i) => whole.subarray(i === 0 ? 0 : points[i - 1], end));
      assert.deepEqual(outcome(chunks), outcome([whole]));
    }), { numRuns: 1000 });
  });
});

describe('fuzz: live node', () => {
  let node: NodeProcess;
  const pool = new ClientPool();

  before(async () => {
    node = await startNodeProcess();
  });

  after(async () => {
    pool.closeAll();
    await stopNodeProcess(node, 'SIGKILL');
    removeDir(node.dataDir);
  });

  test(`${RUNS} random and malformed streams: well-formed replies only, protocol errors last, a concurrent client unaffected`, async (t) => {
    const outcomes = { protocolError: 0, waiting: 0, answered: 0 };
    const bystander = pool.open(node.port);
    let fuzzing = true;
    let bystanderRounds = 0;
    // A well-behaved client doing checked work for as long as the fuzzing lasts.
    const bystanderLoop = (async () => {
      for (let n = 0; fuzzing && n < 1_000_000; n++) {
        const key = `bystander:${n % 50}`;
        assert.equal(await bystander.set(key, `v${n}`), 'OK');
        assert.equal(await bystander.get(key), `v${n}`);
        assert.equal(await bystander.incr('bystander:count'), n + 1);
        bystanderRounds = n + 1;
      }
    })();
    try {
      let run = 0;
      await fc.assert(fc.asyncProperty(streamArbitrary(), fc.boolean(), async (pieces, split) => {
        run++;
        const raw = await RawClient.connect(node.port);
        if (split) for (const piece of pieces) raw.send(piece);
        else raw.send(Buffer.concat(pieces));
        // A marker that ends the exchange unless the stream left the parser inside a bulk.
        const marker = `fuzz-end-${run}`;
        raw.send(`\r\nECHO ${marker}\r\n`);
        const endReply = `$${marker.length}\r\n${marker}\r\n`;
        let ended = '';
        try {
          ended = await raw.readUntil(endReply, QUIET_MS);
        } catch {
          // Waiting inside an announced bulk or multibulk, or closed after a protocol error.
        }
        const received = Buffer.concat([Buffer.from(ended, 'latin1'), raw.pending]);
        const protocolError = checkReplies(received);
        if (protocolError) await raw.waitClosed(2000);
        outcomes[protocolError ? 'protocolError' : ended === '' ? 'waiting' : 'answered']++;
        raw.close();
        assert.equal(node.child.exitCode, null, `the node died: ${node.output().slice(-3000)}`);
      }), { numRuns: RUNS });
    } finally {
      fuzzing = false;
      await bystanderLoop;
    }
    t.diagnostic(`streams ending in a protocol error: ${outcomes.protocolError}, left waiting: ${outcomes.waiting}, fully answered: ${outcomes.answered}; bystander rounds: ${bystanderRounds}`);
    assert.ok(bystanderRounds > 0, 'the bystander got work done during the fuzzing');
    assert.equal(await bystander.get('bystander:count'), String(bystanderRounds));
    assert.equal(node.child.exitCode, null);
  });

  test('after the fuzzing the node restarts on its own log and still answers', async () => {
    await stopNodeProcess(node, 'SIGKILL');
    node = await startNodeProcess({ dataDir: node.dataDir });
    const redis = pool.open(node.port);
    assert.equal(await redis.ping(), 'PONG');
    assert.match(String(await redis.get('bystander:count')), /^\d+$/);
  });
});
