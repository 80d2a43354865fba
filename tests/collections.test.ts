// Hashes, lists and sets through ioredis against an embedded node.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { EmbeddedNode } from './support/embedded-node.js';

describe('collections', () => {
  let node: EmbeddedNode;
  let redis: Redis;

  before(async () => {
    node = await EmbeddedNode.start();
    redis = node.client();
  });

  after(() => node.stop());

  test('hashes: HSET/HGET/HMGET/HDEL/HLEN/HEXISTS/HKEYS/HVALS/HGETALL/HSTRLEN/HSETNX', async () => {
    assert.equal(await redis.hset('h', 'a', '1', 'b', '2'), 2);
    assert.equal(await redis.hset('h', 'a', '10', 'c', '3'), 1);
    assert.equal(await redis.hget('h', 'a'), '10');
    assert.deepEqual(await redis.hmget('h', 'a', 'x', 'c'), ['10', null, '3']);
    assert.equal(await redis.hlen('h'), 3);
    assert.equal(await redis.hexists('h', 'b'), 1);
    assert.deepEqual(await redis.hkeys('h'), ['a', 'b', 'c']);
    assert.deepEqual(await redis.hvals('h'), ['10', '2', '3']);
    assert.deepEqual(await redis.hgetall('h'), { a: '10', b: '2', c: '3' });
    assert.equal(await redis.hstrlen('h', 'a'), 2);
    assert.equal(await redis.hsetnx('h', 'a', 'x'), 0);
    assert.equal(await redis.hsetnx('h', 'd', 'x'), 1);
    assert.equal(await redis.hmset('h', 'e', '5'), 'OK');
    assert.equal(await redis.hdel('h', 'a', 'b', 'zz'), 2);
    await redis.hdel('h', 'c', 'd', 'e');
    assert.equal(await redis.exists('h'), 0, 'an emptied hash is deleted');
    await assert.rejects(redis.call('HSET', 'h', 'a'), /ERR wrong number of arguments for 'hset' command/);
  });

  test('hashes: HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN and WRONGTYPE', async () => {
    assert.equal(await redis.hincrby('hi', 'n', 5), 5);
    assert.equal(await redis.hincrby('hi', 'n', -7), -2);
    assert.equal(await redis.hincrbyfloat('hi', 'f', '1.5'), '1.5');
    await redis.hset('hi', 's', 'abc');
    await assert.rejects(redis.hincrby('hi', 's', 1), /ERR hash value is not an integer/);
    await assert.rejects(redis.hincrbyfloat('hi', 's', '1'), /ERR hash value is not a float/);
    const fields = await redis.hrandfield('hi', 10);
    assert.deepEqual([...(fields as string[])].sort(), ['f', 'n', 's']);
    assert.equal((await redis.hrandfield('hi', -7) as string[]).length, 7);
    const withValues = (await redis.hrandfield('hi', 1, 'WITHVALUES')) as string[];
    assert.equal(withValues.length, 2);
    const [cursor, items] = await redis.hscan('hi', 0, 'MATCH', '[ns]');
    assert.equal(cursor, '0');
    assert.deepEqual(items, ['n', '-2', 's', 'abc']);
    await redis.set('str', 'x');
    await assert.rejects(redis.hget('str', 'f'), /WRONGTYPE/);
  });

  test('lists: pushes, pops with count, ranges, indexes, LSET, LINSERT, LREM, LTRIM, LPOS', async () => {
    assert.equal(await redis.rpush('l', 'a', 'b', 'c'), 3);
    assert.equal(await redis.lpush('l', 'z'), 4);
    assert.equal(await redis.lpushx('nolist', 'a'), 0);
    assert.equal(await redis.rpushx('l', 'd'), 5);
    assert.deepEqual(await redis.lrange('l', 0, -1), ['z', 'a', 'b', 'c', 'd']);
    assert.deepEqual(await redis.lrange('l', -2, 100), ['c', 'd']);
    assert.equal(await redis.llen('l'), 5);
    assert.equal(await redis.lindex('l', -1), 'd');
    assert.equal(await redis.lindex('l', 99), null);
    assert.equal(await redis.lset('l', 1, 'A'), 'OK');
    await assert.rejects(redis.lset('l', 99, 'x'), /ERR index out of range/);
    await assert.rejects(redis.lset('nolist', 0, 'x'), /ERR no such key/);
    assert.equal(await redis.linsert('l', 'BEFORE', 'b', 'x'), 6);
    assert.equal(await redis.linsert('l', 'AFTER', 'nope', 'x'), -1);
    assert.deepEqual(await redis.lrange('l', 0, -1), ['z', 'A', 'x', 'b', 'c', 'd']);
    assert.equal(await redis.lpop('l'), 'z');
    assert.deepEqual(await redis.rpop('l', 2), ['d', 'c']);
    assert.equal(await redis.lpop('nolist'), null);
    await redis.rpush('r', 'a', 'b', 'a', 'c', 'a');
    assert.equal(await redis.lrem('r', -2, 'a'), 2);
    assert.deepEqual(await redis.lrange('r', 0, -1), ['a', 'b', 'c']);
    assert.equal(await redis.ltrim('r', 1, -1), 'OK');
    assert.deepEqual(await redis.lrange('r', 0, -1), ['b', 'c']);
    await redis.rpush('p', 'a', 'b', 'c', 'b', 'b');
    assert.equal(await redis.lpos('p', 'b'), 1);
    assert.equal(await redis.lpos('p', 'b', 'RANK', -1), 4);
    assert.deepEqual(await redis.lpos('p', 'b', 'COUNT', 0), [1, 3, 4]);
    await assert.rejects(redis.lpos('p', 'b', 'RANK', 0), /ERR RANK can't be zero/);
    assert.equal(await redis.ltrim('p', 5, 10), 'OK');
    assert.equal(await redis.exists('p'), 0, 'a list trimmed empty is deleted');
  });

  test('lists: LMOVE, RPOPLPUSH, LMPOP', async () => {
    await redis.rpush('src', 'a', 'b', 'c');
    assert.equal(await redis.lmove('src', 'dst', 'LEFT', 'RIGHT'), 'a');
    assert.equal(await redis.rpoplpush('src', 'dst'), 'c');
    assert.deepEqual(await redis.lrange('dst', 0, -1), ['c', 'a']);
    assert.equal(await redis.lmove('src', 'src', 'LEFT', 'RIGHT'), 'b');
    assert.deepEqual(await redis.call('LMPOP', '2', 'empty', 'dst', 'RIGHT', 'COUNT', '5'), ['dst', ['a', 'c']]);
    assert.equal(await redis.call('LMPOP', '1', 'empty', 'LEFT'), null);
    await assert.rejects(redis.call('LMPOP', '0', 'x', 'LEFT'), /ERR numkeys should be greater than 0/);
  });

  test('sets: SADD/SREM/SMEMBERS/SISMEMBER/SMISMEMBER/SCARD/SMOVE/SPOP/SRANDMEMBER', async () => {
    assert.equal(await redis.sadd('s1', 'a', 'b', 'c', 'a'), 3);
    assert.equal(await redis.srem('s1', 'c', 'zz'), 1);
    assert.deepEqual((await redis.smembers('s1')).sort(), ['a', 'b']);
    assert.equal(await redis.sismember('s1', 'a'), 1);
    assert.deepEqual(await redis.smismember('s1', 'a', 'z'), [1, 0]);
    assert.equal(await redis.scard('s1'), 2);
    assert.equal(await redis.smove('s1', 's2', 'a'), 1);
    assert.equal(await redis.smove('s1', 's2', 'zz'), 0);
    assert.deepEqual(await redis.smembers('s2'), ['a']);
    await redis.sadd('s3', '1', '2', '3', '4');
    const popped = await redis.spop('s3', 2);
    assert.equal(popped.length, 2);
    assert.equal(await redis.scard('s3'), 2);
    assert.equal((await redis.srandmember('s3', -5) as string[]).length, 5);
    assert.equal((await redis.srandmember('s3', 10) as string[]).length, 2);
    // Built whole, such a reply would pass what V8 can hold in one array (a process abort).
    await redis.hset('h-random', 'f', 'v');
    await redis.zadd('z-random', 1, 'm');
    await assert.rejects(redis.srandmember('s3', -1_000_000_000), /^ReplyError: ERR value is out of range, value must between -10000000 and/);
    await assert.rejects(redis.hrandfield('h-random', -1_000_000_000), /^ReplyError: ERR value is out of range/);
    await assert.rejects(redis.zrandmember('z-random', -1_000_000_000), /^ReplyError: ERR value is out of range/);
    assert.equal((await redis.srandmember('s3', -10_000) as string[]).length, 10_000);
  });

  test('sets: SINTER/SUNION/SDIFF, their STORE forms, SINTERCARD, SSCAN', async () => {
    await redis.sadd('x', 'a', 'b', 'c');
    await redis.sadd('y', 'b', 'c', 'd');
    assert.deepEqual((await redis.sinter('x', 'y')).sort(), ['b', 'c']);
    assert.deepEqual((await redis.sunion('x', 'y')).sort(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await redis.sdiff('x', 'y'), ['a']);
    assert.deepEqual(await redis.sinter('x', 'nothing'), []);
    assert.equal(await redis.sinterstore('xy', 'x', 'y'), 2);
    assert.equal(await redis.sunionstore('xy', 'x', 'y'), 4);
    assert.equal(await redis.sdiffstore('xy', 'x', 'x'), 0);
    assert.equal(await redis.exists('xy'), 0);
    assert.equal(await redis.call('SINTERCARD', '2', 'x', 'y'), 2);
    assert.equal(await redis.call('SINTERCARD', '2', 'x', 'y', 'LIMIT', '1'), 1);
    const [cursor, members] = await redis.sscan('x', 0, 'MATCH', '[ab]');
    assert.equal(cursor, '0');
    assert.deepEqual(members.sort(), ['a', 'b']);
  });

  test('every collection type survives a restart from snapshot and from the log', async () => {
    await redis.hset('keep:h', 'f', 'v');
    await redis.rpush('keep:l', '1', '2');
    await redis.sadd('keep:s', 'm');
    await redis.expire('keep:l', 1000);
    await redis.save();
    await redis.rpush('keep:l', '3');
    await node.restart({ snapshot: false });
    redis = node.client();
    assert.deepEqual(await redis.hgetall('keep:h'), { f: 'v' });
    assert.deepEqual(await redis.lrange('keep:l', 0, -1), ['1', '2', '3']);
    assert.ok((await redis.ttl('keep:l')) > 990);
    assert.deepEqual(await redis.smembers('keep:s'), ['m']);
  });
});
