// String commands through a real client (ioredis) against an embedded node.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { EmbeddedNode } from './support/embedded-node.js';

describe('strings', () => {
  let node: EmbeddedNode;
  let redis: Redis;

  before(async () => {
    node = await EmbeddedNode.start();
    redis = node.client();
  });

  after(() => node.stop());

  test('SET and GET round-trip, GET of a missing key is nil', async () => {
    assert.equal(await redis.set('s:1', 'hello'), 'OK');
    assert.equal(await redis.get('s:1'), 'hello');
    assert.equal(await redis.get('s:missing'), null);
  });

  test('SET NX and XX set only when the key is absent or present', async () => {
    assert.equal(await redis.set('s:nx', 'a', 'NX'), 'OK');
    assert.equal(await redis.set('s:nx', 'b', 'NX'), null);
    assert.equal(await redis.get('s:nx'), 'a');
    assert.equal(await redis.set('s:xx', 'a', 'XX'), null);
    assert.equal(await redis.get('s:xx'), null);
    assert.equal(await redis.set('s:nx', 'c', 'XX'), 'OK');
    assert.equal(await redis.get('s:nx'), 'c');
  });

  test('SET GET returns the old value; on a non-string it is WRONGTYPE and changes nothing', async () => {
    await redis.set('s:get', 'old');
    assert.equal(await redis.set('s:get', 'new', 'GET'), 'old');
    assert.equal(await redis.get('s:get'), 'new');
    await redis.hset('s:hash', 'f', 'v');
    await assert.rejects(redis.set('s:hash', 'x', 'GET'), /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value/);
    assert.equal(await redis.type('s:hash'), 'hash');
  });

  test('SET EX/PX/EXAT/PXAT set a TTL; KEEPTTL keeps it; a plain SET clears it', async () => {
    await redis.set('s:ttl', 'v', 'EX', 100);
    assert.ok((await redis.ttl('s:ttl')) > 98);
    await redis.set('s:ttl', 'v2', 'KEEPTTL');
    assert.ok((await redis.pttl('s:ttl')) > 98_000);
    await redis.set('s:ttl', 'v3');
    assert.equal(await redis.ttl('s:ttl'), -1);
    await redis.set('s:ttl', 'v', 'PX', 100_000);
    assert.ok((await redis.pttl('s:ttl')) > 99_000);
    const at = Math.floor(Date.now() / 1000) + 1000;
    await redis.set('s:ttl', 'v', 'EXAT', at);
    assert.equal(await redis.expiretime('s:ttl'), at);
    await redis.set('s:ttl', 'v', 'PXAT', at * 1000 + 5);
    assert.equal(await redis.pexpiretime('s:ttl'), at * 1000 + 5);
  });

  test('SET with an absolute time in the past stores nothing', async () => {
    assert.equal(await redis.set('s:past', 'v', 'PXAT', 1000), 'OK');
    assert.equal(await redis.exists('s:past'), 0);
  });

  test('SET rejects bad options with Redis error texts', async () => {
    await assert.rejects(redis.set('s:bad', 'v', 'EX', 0), /ERR invalid expire time in 'set' command/);
    await assert.rejects(redis.set('s:bad', 'v', 'EX', -5), /ERR invalid expire time in 'set' command/);
    await assert.rejects(redis.set('s:bad', 'v', 'EX', 'abc'), /ERR value is not an integer or out of range/);
    await assert.rejects(redis.call('SET', 's:bad', 'v', 'NX', 'XX'), /ERR syntax error/);
    await assert.rejects(redis.call('SET', 's:bad', 'v', 'EX', '10', 'PX', '10'), /ERR syntax error/);
    await assert.rejects(redis.call('SET', 's:bad', 'v', 'EX'), /ERR syntax error/);
    await assert.rejects(redis.call('SET', 's:bad'), /ERR wrong number of arguments for 'set' command/);
    assert.equal(await redis.exists('s:bad'), 0);
  });

  test('SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX', async () => {
    assert.equal(await redis.setnx('s:a', '1'), 1);
    assert.equal(await redis.setnx('s:a', '2'), 0);
    assert.equal(await redis.setex('s:b', 50, 'x'), 'OK');
    assert.ok((await redis.ttl('s:b')) > 48);
    assert.equal(await redis.psetex('s:c', 50_000, 'y'), 'OK');
    assert.ok((await redis.pttl('s:c')) > 48_000);
    await assert.rejects(redis.setex('s:d', 0, 'x'), /ERR invalid expire time in 'setex' command/);
    assert.equal(await redis.getset('s:a', '9'), '1');
    assert.equal(await redis.getdel('s:a'), '9');
    assert.equal(await redis.exists('s:a'), 0);
    await redis.set('s:e', 'v');
    assert.equal(await redis.getex('s:e', 'EX', 100), 'v');
    assert.ok((await redis.ttl('s:e')) > 98);
    assert.equal(await redis.getex('s:e', 'PERSIST'), 'v');
    assert.equal(await redis.ttl('s:e'), -1);
    assert.equal(await redis.getex('s:missing'), null);
  });

  test('MSET, MGET, MSETNX are all-or-nothing', async () => {
    assert.equal(await redis.mset('m:1', 'a', 'm:2', 'b'), 'OK');
    assert.deepEqual(await redis.mget('m:1', 'm:2', 'm:3'), ['a', 'b', null]);
    assert.equal(await redis.msetnx('m:3', 'c', 'm:1', 'z'), 0);
    assert.equal(await redis.exists('m:3'), 0);
    assert.equal(await redis.msetnx('m:3', 'c', 'm:4', 'd'), 1);
    await assert.rejects(redis.call('MSET', 'm:1', 'a', 'm:2'), /ERR wrong number of arguments for 'mset' command/);
  });

  test('INCR family: integers, 64-bit range, overflow and not-an-integer errors', async () => {
    assert.equal(await redis.incr('n:1'), 1);
    assert.equal(await redis.incrby('n:1', 10), 11);
    assert.equal(await redis.decr('n:1'), 10);
    assert.equal(await redis.decrby('n:1', 20), -10);
    await redis.set('n:max', '9223372036854775806');
    assert.equal(await redis.call('INCR', 'n:max'), 9223372036854775807);
    assert.equal(await redis.get('n:max'), '9223372036854775807');
    await assert.rejects(redis.incr('n:max'), /ERR increment or decrement would overflow/);
    await redis.set('n:text', 'abc');
    await assert.rejects(redis.incr('n:text'), /ERR value is not an integer or out of range/);
    await redis.set('n:lead', '01');
    await assert.rejects(redis.incr('n:lead'), /ERR value is not an integer or out of range/);
    await assert.rejects(redis.incrby('n:1', 'x' as unknown as number), /ERR value is not an integer or out of range/);
    await assert.rejects(redis.call('DECRBY', 'n:1', '-9223372036854775808'), /ERR decrement would overflow/);
    await redis.set('n:ttl', '5', 'EX', 100);
    await redis.incr('n:ttl');
    assert.ok((await redis.ttl('n:ttl')) > 98, 'INCR keeps the TTL');
  });

  test('INCRBYFLOAT formats like Redis and rejects NaN/Infinity', async () => {
    assert.equal(await redis.incrbyfloat('f:1', '10.5'), '10.5');
    assert.equal(await redis.incrbyfloat('f:1', '0.1'), '10.6');
    assert.equal(await redis.incrbyfloat('f:1', '-5'), '5.6');
    await redis.set('f:2', '5.0e3');
    assert.equal(await redis.incrbyfloat('f:2', '2.0e2'), '5200');
    await assert.rejects(redis.incrbyfloat('f:1', 'abc'), /ERR value is not a valid float/);
    await redis.set('f:3', '1e308');
    await assert.rejects(redis.incrbyfloat('f:3', '1e308'), /ERR increment would produce NaN or Infinity/);
  });

  test('APPEND, STRLEN, GETRANGE, SETRANGE', async () => {
    assert.equal(await redis.append('r:1', 'Hello'), 5);
    assert.equal(await redis.append('r:1', ' World'), 11);
    assert.equal(await redis.strlen('r:1'), 11);
    assert.equal(await redis.strlen('r:none'), 0);
    assert.equal(await redis.getrange('r:1', 0, 4), 'Hello');
    assert.equal(await redis.getrange('r:1', -5, -1), 'World');
    assert.equal(await redis.getrange('r:1', 5, 2), '');
    assert.equal(await redis.getrange('r:1', 0, 100), 'Hello World');
    assert.equal(await redis.setrange('r:1', 6, 'Redis'), 11);
    assert.equal(await redis.get('r:1'), 'Hello Redis');
    assert.equal(await redis.setrange('r:2', 3, 'x'), 4);
    assert.equal(await redis.get('r:2'), '\0\0\0x');
    await assert.rejects(redis.setrange('r:1', -1, 'x'), /ERR offset is out of range/);
    await assert.rejects(redis.setrange('r:1', 536870912, 'x'), /ERR string exceeds maximum allowed size/);
    // Past V8's longest string (2^29 - 24) but under Redis's 512 MB: refused, never a crash.
    await assert.rejects(redis.setrange('r:1', 536870900, 'x'), /ERR string exceeds maximum allowed size/);
    assert.equal(await redis.get('r:1'), 'Hello Redis');
  });

  test('keys and values are binary-safe', async () => {
    const key = Buffer.from([0, 13, 10, 0xff, 0x80, 0x41]);
    const value = Buffer.from([0xfe, 0, 0xc3, 0x28, 13, 10]);
    await redis.set(key, value);
    assert.deepEqual(await redis.getBuffer(key), value);
    assert.deepEqual(await redis.mgetBuffer(key), [value]);
    assert.equal(await redis.strlen(key), 6);
  });
});
