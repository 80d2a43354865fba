// Differential tests: the same command sequences against a real redis-server and Shoal, raw
// replies compared byte for byte in RESP2 and RESP3, one command at a time and pipelined.
// Skipped only when redis-server is absent. The table lives in support/differential-cases.ts.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FAR_SECONDS, SEQUENCES, parseSequence } from './support/differential-cases.js';
import type { DifferentialCommand } from './support/differential-cases.js';
import { removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';
import { encodeCommands } from './support/resp-command.js';
import { decodeReply, show, splitReplies } from './support/resp-reply.js';
import type { Reply } from './support/resp-reply.js';
import { waitUntil } from './support/wait.js';
import { REDIS_ABSENT, startRedisServer } from './support/redis-server.js';
import type { RedisServer } from './support/redis-server.js';

type Protocol = 2 | 3;

/** What a reply is compared as: its exact bytes, or its elements as a sorted multiset. */
function canonical(raw: Buffer, unordered: boolean): string {
  if (!unordered) return raw.toString('latin1');
  const reply = decodeReply(raw)?.reply;
  assert.ok(reply !== undefined, 'a complete reply');
  const items: readonly Reply[] = reply.kind === 'array' || reply.kind === 'set' ? reply.items : [reply];
  return `${reply.kind}:${items.map(show).sort().join(', ')}`;
}

async function session(port: number, protocol: Protocol): Promise<RawClient> {
  const raw = await RawClient.connect(port);
  assert.equal(await raw.call('FLUSHALL'), '+OK\r\n');
  if (protocol === 3) assert.match(await raw.call('HELLO', '3'), /^%/);
  return raw;
}

/**
 * Runs the commands one at a time, pushing each reply into `replies` as it comes (so a caller
 * still has the replies before a crash); a closed connection (QUIT) ends the sequence.
 */
async function runOneByOne(port: number, protocol: Protocol, commands: readonly DifferentialCommand[], replies: string[]): Promise<void> {
  const raw = await session(port, protocol);
  try {
    for (const command of commands) {
      if (raw.closed) {
        replies.push('(connection closed)');
        continue;
      }
      raw.sendCommand(...command.args);
      replies.push(canonical(await raw.readReply(), command.unordered));
    }
  } finally {
    raw.close();
  }
}

/** Sends the whole sequence in one write and splits the replies. */
async function runPipelined(port: number, protocol: Protocol, commands: readonly DifferentialCommand[], replies: string[]): Promise<void> {
  const raw = await session(port, protocol);
  try {
    raw.send(encodeCommands(commands.map((command) => command.args)));
    for (const command of commands) {
      if (raw.closed && splitReplies(raw.pending).replies.length === 0) {
        replies.push('(connection closed)');
        continue;
      }
      replies.push(canonical(await raw.readReply(), command.unordered));
    }
  } finally {
    raw.close();
  }
}

type Runner = typeof runOneByOne;

async function expectedReplies(port: number, run: Runner, protocol: Protocol, commands: readonly DifferentialCommand[]): Promise<string[]> {
  const replies: string[] = [];
  await run(port, protocol, commands, replies);
  return replies;
}

function describeCommand(command: DifferentialCommand): string {
  return JSON.stringify(command.args.join(' ')).slice(0, 160);
}

/**
 * A spawned Shoal node that is started again (on a fresh directory) when a command killed it,
 * so one crash is reported as a mismatch and the rest of the table still runs.
 */
class RestartingNode {
  private constructor(private node: NodeProcess) {}

  static async start(): Promise<RestartingNode> {
    return new RestartingNode(await startNodeProcess(RestartingNode.options()));
  }

  private static options(): { args: string[] } {
    // Durability is not under test here; fsync per write would only slow the table down.
    return { args: ['--appendfsync', 'no'] };
  }

  get port(): number {
    return this.node.port;
  }

  get alive(): boolean {
    return this.node.child.exitCode === null && this.node.child.signalCode === null;
  }

  /** The last lines the node printed (its crash report). */
  lastWords(): string {
    return this.node.output().trim().split('\n').slice(-12).join('\n');
  }

  async ensureAlive(): Promise<void> {
    if (this.alive) return;
    removeDir(this.node.dataDir);
    this.node = await startNodeProcess(RestartingNode.options());
  }

  async stop(): Promise<void> {
    await stopNodeProcess(this.node, 'SIGKILL');
    removeDir(this.node.dataDir);
  }
}

describe('differential against redis-server', () => {
  let redis: RedisServer | null = null;
  let node: RestartingNode;

  before(async () => {
    redis = await startRedisServer();
    node = await RestartingNode.start();
  });

  after(async () => {
    await redis?.stop();
    await node?.stop();
  });

  /** Shoal's replies; from the command that killed the node on, a marker with its last words. */
  async function shoalReplies(run: Runner, protocol: Protocol, commands: readonly DifferentialCommand[]): Promise<string[]> {
    await node.ensureAlive();
    const replies: string[] = [];
    try {
      await run(node.port, protocol, commands, replies);
    } catch (error) {
      await waitUntil(() => !node.alive, 2000);
      if (node.alive) throw error;
      const marker = `(shoal died: ${node.lastWords()})`;
      while (replies.length < commands.length) replies.push(marker);
    }
    return replies;
  }

  const parsed = SEQUENCES.map(parseSequence);

  test('the table holds a few hundred commands in its sequences', () => {
    const commandCount = parsed.reduce((sum, commands) => sum + commands.length, 0);
    assert.ok(parsed.length >= 300, `${parsed.length} sequences`);
    assert.ok(commandCount >= 2000, `${commandCount} commands`);
  });

  const modes = [
    { name: 'RESP2, one command at a time', protocol: 2, run: runOneByOne },
    { name: 'RESP3, one command at a time', protocol: 3, run: runOneByOne },
    { name: 'RESP2, each sequence pipelined in one write', protocol: 2, run: runPipelined },
    { name: 'RESP3, each sequence pipelined in one write', protocol: 3, run: runPipelined },
  ] as const;

  for (const mode of modes) {
    test(`every sequence of the table gets identical replies (${mode.name})`, async (t) => {
      if (redis === null) return t.skip(REDIS_ABSENT);
      const mismatches: string[] = [];
      for (const [index, commands] of parsed.entries()) {
        const expected = await expectedReplies(redis.port, mode.run, mode.protocol, commands);
        const actual = await shoalReplies(mode.run, mode.protocol, commands);
        commands.forEach((command, i) => {
          if (actual[i] !== expected[i]) mismatches.push(`#${index} ${describeCommand(command)}\n    redis: ${JSON.stringify(expected[i])}\n    shoal: ${JSON.stringify(actual[i])}`);
        });
      }
      assert.equal(mismatches.length, 0, `${mismatches.length} replies differ:\n${mismatches.join('\n')}`);
    });
  }

  for (const [family, arbitrary, runs] of [['string and key', commandArbitrary(), 150], ['list, hash, set and sorted-set', collectionCommandArbitrary(), 150], ['stream and consumer-group', streamCommandArbitrary(), 100]] as const) {
    test(`random sequences of ${family} commands give identical replies (RESP2 and RESP3)`, async (t) => {
      if (redis === null) return t.skip(REDIS_ABSENT);
      const server = redis;
      await fc.assert(
        fc.asyncProperty(fc.array(arbitrary, { minLength: 1, maxLength: 30 }), fc.constantFrom<Protocol>(2, 3), async (commands, protocol) => {
          const sequence = commands.map((args) => ({ args, unordered: args[0] === 'KEYS' }));
          const expected = await expectedReplies(server.port, runOneByOne, protocol, sequence);
          const actual = await shoalReplies(runOneByOne, protocol, sequence);
          assert.deepEqual(actual, expected);
        }),
        { numRuns: runs },
      );
    });
  }
});

/**
 * Collection commands over a three-key space where every key may hold any type, with arguments
 * that are often out of range, not numbers or in the wrong place: what decides which error
 * comes first is where Redis looks the key up. Small collections only, so Redis keeps them in
 * insertion order (listpack) and the replies are comparable as they are.
 */
function collectionCommandArbitrary(): fc.Arbitrary<string[]> {
  const key = fc.constantFrom('k1', 'k2', 'k3');
  const value = fc.constantFrom('a', 'b', 'c', '1', '2', '-1', '1.5', '', 'abc', '10');
  const number = fc.constantFrom('0', '1', '-1', '2', '-2', '5', '100', 'x', '1.5', '-100');
  const score = fc.constantFrom('0', '1', '-1', '1.5', '+inf', '-inf', '(1', '(-1', 'x', '2');
  const lex = fc.constantFrom('-', '+', '[a', '(a', '[b', '(c', 'a', '[', '(');
  const end = fc.constantFrom('LEFT', 'RIGHT');
  const maybe = (arbitrary: fc.Arbitrary<string[]>): fc.Arbitrary<string[]> => fc.oneof(fc.constant<string[]>([]), arbitrary);
  const command = (...parts: Array<fc.Arbitrary<string | string[]>>): fc.Arbitrary<string[]> => fc.tuple(...parts).map((items) => items.flat());
  const word = (text: string) => fc.constant(text);
  return fc.oneof(
    command(word('LPUSH'), key, value, value), command(word('RPUSH'), key, value), command(word('LPOP'), key, maybe(number.map((n) => [n]))), command(word('RPOP'), key),
    command(word('LRANGE'), key, number, number), command(word('LINDEX'), key, number), command(word('LSET'), key, number, value),
    command(word('LINSERT'), key, fc.constantFrom('BEFORE', 'AFTER', 'x'), value, value), command(word('LREM'), key, number, value), command(word('LTRIM'), key, number, number),
    command(word('LPOS'), key, value, maybe(number.map((n) => ['RANK', n])), maybe(number.map((n) => ['COUNT', n])), maybe(number.map((n) => ['MAXLEN', n]))),
    command(word('LMOVE'), key, key, end, end), command(word('LMPOP'), fc.constantFrom('1', '2'), key, key, end, maybe(number.map((n) => ['COUNT', n]))),
    command(word('HSET'), key, value, value), command(word('HGET'), key, value), command(word('HDEL'), key, value, value), command(word('HINCRBY'), key, value, number),
    command(word('HINCRBYFLOAT'), key, value, number), command(word('HGETALL'), key), command(word('HSETNX'), key, value, value), command(word('HMGET'), key, value, value),
    command(word('HLEN'), key), command(word('HSTRLEN'), key, value),
    command(word('SADD'), key, value, value), command(word('SREM'), key, value), command(word('SISMEMBER'), key, value), command(word('SMISMEMBER'), key, value, value),
    command(word('SCARD'), key), command(word('SMOVE'), key, key, value), command(word('SINTERCARD'), fc.constantFrom('1', '2', '0', 'x'), key, key, maybe(number.map((n) => ['LIMIT', n]))),
    command(word('SINTERSTORE'), key, key, key), command(word('SDIFFSTORE'), key, key), command(word('SUNIONSTORE'), key, key, key),
    command(word('ZADD'), key, maybe(fc.constantFrom(['NX'], ['XX'], ['GT'], ['LT'], ['CH'], ['INCR'])), score, value), command(word('ZINCRBY'), key, number, value),
    command(word('ZREM'), key, value), command(word('ZSCORE'), key, value), command(word('ZMSCORE'), key, value, value),
    command(word('ZRANGE'), key, number, number, maybe(fc.constant(['REV'])), maybe(fc.constant(['WITHSCORES']))),
    command(word('ZRANGE'), key, score, score, word('BYSCORE'), maybe(fc.constant(['REV'])), maybe(fc.tuple(number, number).map(([o, c]) => ['LIMIT', o, c])), maybe(fc.constant(['WITHSCORES']))),
    command(word('ZRANGE'), key, lex, lex, word('BYLEX'), maybe(fc.constant(['REV'])), maybe(fc.tuple(number, number).map(([o, c]) => ['LIMIT', o, c]))),
    command(word('ZCOUNT'), key, score, score), command(word('ZLEXCOUNT'), key, lex, lex), command(word('ZRANK'), key, value), command(word('ZREVRANK'), key, value),
    command(word('ZPOPMIN'), key, maybe(number.map((n) => [n]))), command(word('ZPOPMAX'), key),
    command(word('ZREMRANGEBYSCORE'), key, score, score), command(word('ZREMRANGEBYRANK'), key, number, number), command(word('ZREMRANGEBYLEX'), key, lex, lex),
    command(word('ZUNIONSTORE'), key, word('2'), key, key, maybe(fc.tuple(number, number).map(([a, b]) => ['WEIGHTS', a, b])), maybe(fc.constantFrom(['AGGREGATE', 'SUM'], ['AGGREGATE', 'MIN'], ['AGGREGATE', 'MAX'], ['AGGREGATE', 'x']))),
    command(word('ZINTER'), word('2'), key, key, maybe(fc.constant(['WITHSCORES']))), command(word('ZDIFF'), word('2'), key, key), command(word('ZRANGESTORE'), key, key, number, number),
    command(word('TYPE'), key), command(word('DEL'), key), command(word('RENAME'), key, key), command(word('COPY'), key, key, maybe(fc.constant(['REPLACE']))),
    command(word('SET'), key, value), command(word('INCR'), key), command(word('APPEND'), key, value),
  );
}

/**
 * Commands over a three-key space, with values that are numbers, words, empty and binary, and
 * only far-future expiry times (TTL then reads the same on both servers). EXPIRETIME and
 * PEXPIRETIME are left out: after a relative expiry they depend on when each server ran it.
 */
function commandArbitrary(): fc.Arbitrary<string[]> {
  const key = fc.constantFrom('a', 'b', 'c');
  const integer = fc.oneof(fc.integer({ min: -20, max: 20 }).map(String), fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775806'));
  const value = fc.oneof(integer, fc.constantFrom('x', '', 'hello', ' 1', '1.5', '\u0000\r\n\u00ff', 'abc'));
  const offset = fc.integer({ min: -12, max: 12 }).map(String);
  const ttlSeconds = fc.integer({ min: 1000, max: 100_000 }).map(String);
  const at = fc.integer({ min: 0, max: 1000 }).map((delta) => String(FAR_SECONDS + delta));
  const setOption = fc.constantFrom<string[]>([], ['NX'], ['XX'], ['GET'], ['NX', 'GET'], ['XX', 'GET'], ['KEEPTTL'], ['NX', 'XX']);
  const expiryOption = fc.oneof(
    fc.constant<string[]>([]),
    ttlSeconds.map((s) => ['EX', s]),
    ttlSeconds.map((s) => ['PX', `${s}000`]),
    at.map((s) => ['EXAT', s]),
    at.map((s) => ['PXAT', `${s}123`]),
    fc.constantFrom<string[]>(['EX', '0'], ['PX', '-1'], ['EX', 'x']),
  );
  const condition = fc.constantFrom<string[]>([], ['NX'], ['XX'], ['GT'], ['LT'], ['NX', 'GT']);
  return fc.oneof(
    key.map((k) => ['GET', k]),
    fc.tuple(key, value, setOption, expiryOption).map(([k, v, o, e]) => ['SET', k, v, ...o, ...e]),
    fc.tuple(key, value).map(([k, v]) => ['SETNX', k, v]),
    fc.tuple(key, ttlSeconds, value).map(([k, s, v]) => ['SETEX', k, s, v]),
    fc.tuple(key, value).map(([k, v]) => ['GETSET', k, v]),
    key.map((k) => ['GETDEL', k]),
    fc.tuple(key, fc.constantFrom<string[]>([], ['PERSIST']), expiryOption).map(([k, p, e]) => ['GETEX', k, ...(p.length > 0 ? p : e)]),
    fc.array(key, { minLength: 1, maxLength: 4 }).map((keys) => ['MGET', ...keys]),
    fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map((pairs) => ['MSET', ...pairs.flat()]),
    fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map((pairs) => ['MSETNX', ...pairs.flat()]),
    key.map((k) => ['INCR', k]),
    key.map((k) => ['DECR', k]),
    fc.tuple(key, integer).map(([k, n]) => ['INCRBY', k, n]),
    fc.tuple(key, integer).map(([k, n]) => ['DECRBY', k, n]),
    fc.tuple(key, value).map(([k, v]) => ['APPEND', k, v]),
    key.map((k) => ['STRLEN', k]),
    fc.tuple(key, offset, offset).map(([k, s, e]) => ['GETRANGE', k, s, e]),
    fc.tuple(key, fc.integer({ min: -1, max: 12 }).map(String), value).map(([k, o, v]) => ['SETRANGE', k, o, v]),
    fc.array(key, { minLength: 1, maxLength: 3 }).map((keys) => ['DEL', ...keys]),
    fc.array(key, { minLength: 1, maxLength: 3 }).map((keys) => ['EXISTS', ...keys]),
    fc.array(key, { minLength: 1, maxLength: 3 }).map((keys) => ['UNLINK', ...keys]),
    fc.array(key, { minLength: 1, maxLength: 3 }).map((keys) => ['TOUCH', ...keys]),
    key.map((k) => ['TYPE', k]),
    fc.tuple(key, ttlSeconds, condition).map(([k, s, c]) => ['EXPIRE', k, s, ...c]),
    fc.tuple(key, ttlSeconds, condition).map(([k, s, c]) => ['PEXPIRE', k, `${s}000`, ...c]),
    fc.tuple(key, at, condition).map(([k, s, c]) => ['EXPIREAT', k, s, ...c]),
    fc.tuple(key, at, condition).map(([k, s, c]) => ['PEXPIREAT', k, `${s}042`, ...c]),
    key.map((k) => ['TTL', k]),
    key.map((k) => ['PERSIST', k]),
    fc.tuple(key, key).map(([k, j]) => ['RENAME', k, j]),
    fc.tuple(key, key).map(([k, j]) => ['RENAMENX', k, j]),
    fc.tuple(key, key, fc.boolean()).map(([k, j, r]) => ['COPY', k, j, ...(r ? ['REPLACE'] : [])]),
    fc.constantFrom<string[]>(['KEYS', '*'], ['KEYS', '[ab]'], ['DBSIZE']),
    fc.tuple(key, value).map(([k, v]) => ['RPUSH', k, v]),
    fc.tuple(key, value).map(([k, v]) => ['SADD', k, v]),
    fc.tuple(key, value).map(([k, v]) => ['HSET', k, 'f', v]),
  );
}

/**
 * Stream and consumer-group commands over three keys, explicit IDs only (a `*` ID is a clock
 * reading) and no replies that hold idle times. Groups are never placed at `$`, whose
 * entries-read Redis 7.0 leaves unknown where Shoal counts it, nor at `+` (IDs stop at 2^53 here).
 */
function streamCommandArbitrary(): fc.Arbitrary<string[]> {
  const key = fc.constantFrom('s1', 's2', 's3');
  const group = fc.constantFrom('g1', 'g2');
  const consumer = fc.constantFrom('c1', 'c2');
  const part = fc.integer({ min: 0, max: 5 }).map(String);
  const id = fc.oneof(fc.tuple(part, fc.integer({ min: 0, max: 3 })).map(([ms, seq]) => `${ms}-${seq}`), part, fc.constantFrom('0', '0-0', '-', '+', '$', '>', 'x', '(2-1', '3-*'));
  const number = fc.constantFrom('0', '1', '2', '-1', '5', 'x', '100');
  const trim = fc.tuple(fc.constantFrom('MAXLEN', 'MINID'), fc.constantFrom<string[]>([], ['='], ['~']), fc.constantFrom('0', '1', '2', '3-0', 'x')).map(([rule, how, limit]) => [rule, ...how, limit]);
  const maybe = (arbitrary: fc.Arbitrary<string[]>): fc.Arbitrary<string[]> => fc.oneof(fc.constant<string[]>([]), arbitrary);
  const command = (...parts: Array<fc.Arbitrary<string | string[]>>): fc.Arbitrary<string[]> => fc.tuple(...parts).map((items) => items.flat());
  const word = (text: string) => fc.constant(text);
  return fc.oneof(
    command(word('XADD'), key, maybe(fc.constant(['NOMKSTREAM'])), maybe(trim), fc.oneof(fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 2 })).map(([ms, seq]) => `${ms}-${seq}`), fc.constantFrom('5-*', 'x')), word('f'), fc.constantFrom('v', '1')),
    command(word('XLEN'), key), command(word('XRANGE'), key, id, id, maybe(number.map((n) => ['COUNT', n]))), command(word('XREVRANGE'), key, id, id, maybe(number.map((n) => ['COUNT', n]))),
    command(word('XDEL'), key, id, id), command(word('XTRIM'), key, fc.oneof(trim, fc.constant<string[]>(['FOO', '1'])), maybe(number.map((n) => ['LIMIT', n]))),
    command(word('XREAD'), maybe(number.map((n) => ['COUNT', n])), word('STREAMS'), key, id),
    command(word('XGROUP'), word('CREATE'), key, group, fc.constantFrom('0', '1-0', 'x'), maybe(fc.constant(['MKSTREAM'])), maybe(number.map((n) => ['ENTRIESREAD', n]))),
    command(word('XGROUP'), word('SETID'), key, group, fc.constantFrom('0', '1-0', 'x', '-')), command(word('XGROUP'), word('DESTROY'), key, group),
    command(word('XGROUP'), word('CREATECONSUMER'), key, group, consumer), command(word('XGROUP'), word('DELCONSUMER'), key, group, consumer),
    command(word('XREADGROUP'), word('GROUP'), group, consumer, maybe(number.map((n) => ['COUNT', n])), maybe(fc.constant(['NOACK'])), word('STREAMS'), key, fc.constantFrom('>', '0', '1-0', 'x', '$')),
    command(word('XACK'), key, group, id, id), command(word('XPENDING'), key, group),
    command(word('XCLAIM'), key, group, consumer, word('0'), id, maybe(fc.constant(['JUSTID'])), maybe(fc.constant(['FORCE']))),
    command(word('XAUTOCLAIM'), key, group, consumer, word('0'), id, maybe(number.map((n) => ['COUNT', n])), maybe(fc.constant(['JUSTID']))),
    command(word('XINFO'), word('GROUPS'), key), command(word('XSETID'), key, id),
    command(word('TYPE'), key), command(word('DEL'), key), command(word('SET'), key, word('v')), command(word('COPY'), key, key), command(word('RENAME'), key, key),
  );
}
