// Differential tests: the same command sequences against a real redis-server and Shoal, raw
// replies compared byte for byte in RESP2 and RESP3. Skipped only when redis-server is absent.
// The installed peer may be Redis 7.0; cases where 7.0 and 7.2 differ are left out, and so
// are other databases (SELECT 1, COPY ... DB n): Shoal has one keyspace by design.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startNode } from '../src/index.js';
import type { NodeHandle } from '../src/index.js';
import { freshDataDir, removeDir } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';
import { startRedisServer } from './support/redis-server.js';
import type { RedisServer } from './support/redis-server.js';

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`).join('')}`;
}

const SEQUENCES: ReadonlyArray<ReadonlyArray<readonly string[]>> = [
  [['SET', 'a', '1'], ['GET', 'a'], ['APPEND', 'a', '23'], ['STRLEN', 'a'], ['GETRANGE', 'a', '1', '-1'], ['GETRANGE', 'a', '-100', '100'], ['SETRANGE', 'a', '5', 'x'], ['GET', 'a']],
  [['SET', 'a', 'v', 'NX'], ['SET', 'a', 'w', 'NX'], ['SET', 'a', 'w', 'XX', 'GET'], ['SET', 'b', 'w', 'XX'], ['SET', 'a', 'v', 'NX', 'XX'], ['SET', 'a', 'v', 'EX', '0'], ['SET', 'a', 'v', 'EX', 'x'], ['SET', 'a', 'v', 'KEEPTTL', 'EX', '1'], ['SET', 'a'], ['SET', 'a', 'v', 'FOO']],
  [['INCR', 'n'], ['INCRBY', 'n', '-5'], ['DECR', 'n'], ['DECRBY', 'n', '10'], ['INCRBY', 'n', 'abc'], ['SET', 'n', '9223372036854775807'], ['INCR', 'n'], ['SET', 'n', ' 1'], ['INCR', 'n'], ['SET', 'n', '-0'], ['INCR', 'n'], ['DECRBY', 'n', '-9223372036854775808']],
  [['INCRBYFLOAT', 'f', '1.5'], ['INCRBYFLOAT', 'f', '2'], ['INCRBYFLOAT', 'f', 'x'], ['SET', 'f', 'abc'], ['INCRBYFLOAT', 'f', '1'], ['INCRBYFLOAT', 'g', 'inf']],
  [['MSET', 'a', '1', 'b', '2'], ['MGET', 'a', 'b', 'c'], ['MSETNX', 'c', '3', 'a', '9'], ['MSETNX', 'c', '3', 'd', '4'], ['MGET', 'a', 'c', 'd'], ['MSET', 'a'], ['MSET', 'a', '1', 'b']],
  [['SETNX', 'k', '1'], ['SETNX', 'k', '2'], ['GETSET', 'k', '3'], ['GETDEL', 'k'], ['GETDEL', 'k'], ['GETEX', 'k'], ['SET', 'k', 'v'], ['GETEX', 'k', 'PERSIST'], ['GETEX', 'k', 'EX', '-1'], ['GETEX', 'k', 'FOO'], ['SETEX', 'k', '0', 'v'], ['PSETEX', 'k', 'x', 'v']],
  [['SET', 'k', 'v'], ['EXPIRE', 'k', '100'], ['TTL', 'k'], ['EXPIRE', 'k', '100', 'NX'], ['EXPIRE', 'k', '50', 'GT'], ['EXPIRE', 'k', '500', 'LT'], ['EXPIRE', 'k', '500', 'GT'], ['EXPIRE', 'k', '1', 'NX', 'XX'], ['EXPIRE', 'k', '1', 'GT', 'LT'], ['EXPIRE', 'k', '1', 'BAD'], ['PERSIST', 'k'], ['PERSIST', 'k'], ['TTL', 'k'], ['PTTL', 'missing'], ['EXPIRETIME', 'k'], ['EXPIRE', 'missing', '10'], ['EXPIRE', 'k', '-1'], ['EXISTS', 'k']],
  [['SET', 'x', '1'], ['RENAME', 'x', 'y'], ['RENAME', 'x', 'y'], ['RENAMENX', 'y', 'y'], ['SET', 'z', '2'], ['RENAMENX', 'y', 'z'], ['RENAME', 'y', 'y'], ['COPY', 'y', 'z'], ['COPY', 'y', 'z', 'REPLACE'], ['COPY', 'y', 'y'], ['COPY', 'y', 'w', 'FOO'], ['GET', 'z']],
  [['SET', 's', 'x'], ['RPUSH', 'l', 'a'], ['SADD', 'set', 'a'], ['HSET', 'h', 'f', 'v'], ['TYPE', 's'], ['TYPE', 'l'], ['TYPE', 'set'], ['TYPE', 'h'], ['TYPE', 'none'], ['GET', 'l'], ['LPUSH', 's', 'a'], ['HGET', 's', 'f'], ['SADD', 'h', 'x'], ['DEL', 's', 'l', 'set', 'none'], ['EXISTS', 'h', 'h', 'none'], ['UNLINK', 'h']],
  [['HSET', 'h', 'a', '1', 'b', '2'], ['HGET', 'h', 'a'], ['HMGET', 'h', 'a', 'z'], ['HDEL', 'h', 'a', 'z'], ['HLEN', 'h'], ['HEXISTS', 'h', 'b'], ['HSTRLEN', 'h', 'b'], ['HINCRBY', 'h', 'b', '5'], ['HINCRBY', 'h', 'c', 'x'], ['HINCRBYFLOAT', 'h', 'b', '1.5'], ['HSET', 'h', 's', 'x'], ['HINCRBY', 'h', 's', '1'], ['HINCRBYFLOAT', 'h', 's', '1'], ['HSETNX', 'h', 's', 'y'], ['HGETALL', 'h'], ['HKEYS', 'h'], ['HVALS', 'h'], ['HSET', 'h', 'a'], ['HGETALL', 'none']],
  [['RPUSH', 'l', 'a', 'b', 'c', 'd'], ['LRANGE', 'l', '0', '-1'], ['LRANGE', 'l', '-2', '10'], ['LRANGE', 'l', '5', '1'], ['LINDEX', 'l', '-1'], ['LINDEX', 'l', '10'], ['LSET', 'l', '0', 'A'], ['LSET', 'l', '9', 'x'], ['LSET', 'none', '0', 'x'], ['LINSERT', 'l', 'BEFORE', 'c', 'x'], ['LINSERT', 'l', 'AFTER', 'zz', 'x'], ['LINSERT', 'l', 'MIDDLE', 'c', 'x'], ['LREM', 'l', '0', 'x'], ['LTRIM', 'l', '1', '-2'], ['LRANGE', 'l', '0', '-1'], ['LPOP', 'l', '2'], ['RPOP', 'l'], ['RPOP', 'l'], ['LPOP', 'l', '-1'], ['LLEN', 'l']],
  [['RPUSH', 'l', 'a', 'b', 'a', 'c', 'a'], ['LPOS', 'l', 'a'], ['LPOS', 'l', 'a', 'RANK', '2'], ['LPOS', 'l', 'a', 'RANK', '-1'], ['LPOS', 'l', 'a', 'COUNT', '0'], ['LPOS', 'l', 'a', 'COUNT', '2', 'RANK', '-1'], ['LPOS', 'l', 'a', 'MAXLEN', '2', 'COUNT', '0'], ['LPOS', 'l', 'z'], ['LPOS', 'l', 'a', 'RANK', '0'], ['LPOS', 'l', 'a', 'COUNT', '-1'], ['LMOVE', 'l', 'm', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 'l', 'm'], ['LRANGE', 'm', '0', '-1'], ['LMPOP', '2', 'none', 'l', 'LEFT', 'COUNT', '2'], ['LMPOP', '1', 'none', 'LEFT'], ['LMPOP', '0', 'l', 'LEFT']],
  [['SADD', 's', 'a', 'b', 'c'], ['SADD', 's', 'a'], ['SREM', 's', 'a', 'z'], ['SCARD', 's'], ['SISMEMBER', 's', 'b'], ['SMISMEMBER', 's', 'b', 'z'], ['SADD', 't', 'b', 'x'], ['SINTERCARD', '2', 's', 't'], ['SINTERCARD', '0', 's'], ['SINTERCARD', '3', 's', 't'], ['SDIFF', 's', 't'], ['SMOVE', 's', 't', 'c'], ['SMOVE', 's', 't', 'zz'], ['SINTERSTORE', 'u', 's', 't'], ['SDIFFSTORE', 'u', 's', 's'], ['EXISTS', 'u'], ['SPOP', 'none'], ['SPOP', 's', '-1']],
  [['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '2', 'bb'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZRANGEBYSCORE', 'z', '(1', '+inf', 'LIMIT', '1', '2'], ['ZREVRANGE', 'z', '0', '1'], ['ZRANK', 'z', 'bb'], ['ZADD', 'z', 'XX', 'CH', '5', 'a', '7', 'zz'], ['ZADD', 'z', 'INCR', '1', 'a'], ['ZCOUNT', 'z', '-inf', '(3'], ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '2'], ['ZUNIONSTORE', 'u', '2', 'z', 'z', 'WEIGHTS', '1', '2'], ['ZRANGE', 'u', '0', '-1', 'WITHSCORES'], ['ZADD', 'z', 'NX', 'XX', '1', 'a'], ['ZADD', 'z', 'x', 'a'], ['ZADD', 'z', 'GT', 'LT', '1', 'a'], ['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'], ['ZRANGEBYSCORE', 'z', 'a', 'b'], ['ZINTERCARD', '2', 'u', 'z'], ['ZRANGESTORE', 'd', 'u', '0', '-1'], ['ZSCORE', 'u', 'bb'], ['ZMSCORE', 'u', 'bb', 'none'], ['ZCARD', 'u'], ['ZREM', 'u', 'bb', 'x'], ['ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1']],
  [['ZADD', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd'], ['ZRANGEBYLEX', 'l', '[b', '(d'], ['ZLEXCOUNT', 'l', '-', '+'], ['ZRANGE', 'l', '+', '(a', 'BYLEX', 'REV', 'LIMIT', '0', '2'], ['ZREVRANGEBYLEX', 'l', '+', '-'], ['ZRANGEBYLEX', 'l', 'b', 'c'], ['ZMPOP', '1', 'l', 'MIN', 'COUNT', '2'], ['ZREMRANGEBYLEX', 'l', '[c', '[c'], ['ZREMRANGEBYRANK', 'l', '0', '0'], ['EXISTS', 'l'], ['SADD', 's', 'x', 'y'], ['ZADD', 'zz', '5', 'x'], ['ZINTER', '2', 's', 'zz', 'WITHSCORES'], ['ZUNION', '2', 's', 'zz', 'AGGREGATE', 'MAX', 'WITHSCORES'], ['ZDIFF', '2', 's', 'zz'], ['ZDIFFSTORE', 'out', '2', 's', 'zz'], ['ZUNIONSTORE', 'out', '0', 's']],
  [['SELECT', '0'], ['SELECT', 'x'], ['ECHO', 'hi'], ['PING'], ['PING', 'x'], ['PING', 'a', 'b'], ['DBSIZE'], ['FLUSHALL', 'BAD'], ['GET'], ['NOSUCH', 'x', 'y']],
];

/** Sent as one pipeline (commands inside MULTI cannot be followed by a marker each). */
const PIPELINES: ReadonlyArray<ReadonlyArray<readonly string[]>> = [
  [['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['GET'], ['EXEC'], ['MULTI'], ['SET', 'a', 'x'], ['INCR', 'a'], ['EXEC'], ['EXEC'], ['DISCARD'], ['MULTI'], ['MULTI'], ['DISCARD']],
  [['SET', 'w', '1'], ['WATCH', 'w'], ['MULTI'], ['WATCH', 'w'], ['GET', 'w'], ['EXEC'], ['UNWATCH'], ['MULTI'], ['EXEC']],
  [['RPUSH', 'q', 'a'], ['MULTI'], ['BLPOP', 'q', '0'], ['BLPOP', 'q', '0'], ['EXEC']],
];

describe('differential against redis-server', () => {
  let redis: RedisServer | undefined;
  let node: NodeHandle;
  const dataDir = freshDataDir();

  before(async () => {
    redis = await startRedisServer();
    node = await startNode({ port: 0, dataDir });
  });

  after(async () => {
    await redis?.stop();
    await node.close();
    removeDir(dataDir);
  });

  /** Sends the commands one at a time (each reply fully read) and returns the raw replies. */
  async function run(port: number, protocol: 2 | 3, commands: ReadonlyArray<readonly string[]>): Promise<string[]> {
    const raw = await RawClient.connect(port);
    raw.send(encode(['FLUSHALL']) + encode(['PING', 'sync']));
    await raw.readUntil('$4\r\nsync\r\n');
    if (protocol === 3) {
      raw.send(encode(['HELLO', '3']));
      await raw.readUntil('*0\r\n');
    }
    const replies: string[] = [];
    for (const args of commands) {
      raw.send(encode(args) + encode(['ECHO', 'END-OF-REPLY']));
      const text = await raw.readUntil('$12\r\nEND-OF-REPLY\r\n');
      replies.push(text.slice(0, -'$12\r\nEND-OF-REPLY\r\n'.length));
    }
    raw.close();
    return replies;
  }

  async function runPipeline(port: number, commands: ReadonlyArray<readonly string[]>): Promise<string> {
    const raw = await RawClient.connect(port);
    raw.send(encode(['FLUSHALL']) + encode(['PING', 'sync']));
    await raw.readUntil('$4\r\nsync\r\n');
    raw.send(commands.map(encode).join('') + encode(['ECHO', 'END-OF-REPLY']));
    const text = await raw.readUntil('$12\r\nEND-OF-REPLY\r\n');
    raw.close();
    return text;
  }

  test('pipelined transactions give identical replies', async (t) => {
    if (redis === undefined) return t.skip('redis-server is not installed');
    for (const pipeline of PIPELINES) {
      assert.equal(JSON.stringify(await runPipeline(node.port, pipeline)), JSON.stringify(await runPipeline(redis.port, pipeline)), pipeline.map((args) => args.join(' ')).join(' | '));
    }
  });

  for (const protocol of [2, 3] as const) {
    test(`command sequences give identical replies in RESP${protocol}`, async (t) => {
      if (redis === undefined) return t.skip('redis-server is not installed');
      for (const sequence of SEQUENCES) {
        const expected = await run(redis.port, protocol, sequence);
        const actual = await run(node.port, protocol, sequence);
        sequence.forEach((args, i) => assert.equal(JSON.stringify(actual[i]), JSON.stringify(expected[i]), `RESP${protocol} reply to ${args.join(' ')}`));
      }
    });
  }

  test('random string and key command sequences give identical replies', async (t) => {
    if (redis === undefined) return t.skip('redis-server is not installed');
    const server = redis;
    const key = fc.constantFrom('a', 'b', 'c');
    const value = fc.oneof(fc.constantFrom('0', '1', '-3', '10', 'x', ''), fc.integer({ min: -50, max: 50 }).map(String));
    const commandArb: fc.Arbitrary<string[]> = fc.oneof(
      fc.tuple(key).map(([k]) => ['GET', k]),
      fc.tuple(key, value).map(([k, v]) => ['SET', k, v]),
      fc.tuple(key, value).map(([k, v]) => ['SET', k, v, 'NX', 'GET']),
      fc.tuple(key, value).map(([k, v]) => ['APPEND', k, v]),
      fc.tuple(key).map(([k]) => ['INCR', k]),
      fc.tuple(key, value).map(([k, v]) => ['INCRBY', k, v]),
      fc.tuple(key, key).map(([k, j]) => ['DEL', k, j]),
      fc.tuple(key, key).map(([k, j]) => ['RENAME', k, j]),
      fc.tuple(key, value).map(([k, v]) => ['RPUSH', k, v]),
      fc.tuple(key).map(([k]) => ['LPOP', k]),
      fc.tuple(key, value, value).map(([k, f, v]) => ['HSET', k, f, v]),
      fc.tuple(key, value).map(([k, m]) => ['SADD', k, m]),
      fc.tuple(key).map(([k]) => ['TYPE', k]),
      fc.tuple(key).map(([k]) => ['STRLEN', k]),
      fc.tuple(key, key).map(([k, j]) => ['EXISTS', k, j]),
    );
    await fc.assert(fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 25 }), async (commands) => {
      const expected = await run(server.port, 2, commands);
      const actual = await run(node.port, 2, commands);
      assert.deepEqual(actual, expected);
    }), { numRuns: 60 });
  });
});
