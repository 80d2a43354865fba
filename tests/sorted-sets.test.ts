// Sorted sets through ioredis: ordering, ranges, pops (blocking included), restart.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { EmbeddedNode } from './support/embedded-node.js';
import { untilBlocked } from './support/blocked-clients.js';

describe('sorted sets', () => {
  let node: EmbeddedNode;
  let redis: Redis;

  before(async () => {
    node = await EmbeddedNode.start();
    redis = node.client();
  });

  after(() => node.stop());

  test('ZADD with NX XX GT LT CH INCR, ZSCORE, ZINCRBY, ZCARD', async () => {
    assert.equal(await redis.zadd('z', 1, 'a', 2, 'b'), 2);
    assert.equal(await redis.zadd('z', 'NX', 5, 'a', 3, 'c'), 1);
    assert.equal(await redis.zscore('z', 'a'), '1');
    assert.equal(await redis.zadd('z', 'XX', 'CH', 1.5, 'a', 9, 'new'), 1);
    assert.equal(await redis.zadd('z', 'GT', 'CH', 1, 'a'), 0);
    assert.equal(await redis.zadd('z', 'LT', 'CH', 1, 'a'), 1);
    assert.equal(await redis.zadd('z', 'INCR', 2, 'a'), '3');
    assert.equal(await redis.zincrby('z', -0.5, 'a'), '2.5');
    assert.equal(await redis.zcard('z'), 3);
    await assert.rejects(redis.zadd('z', 'NX', 'XX', 1, 'a'), /ERR XX and NX options at the same time are not compatible/);
    await assert.rejects(redis.zadd('z', 'nan', 'a'), /ERR value is not a valid float/);
  });

  test('ranges by rank, score and lex, with LIMIT, REV and WITHSCORES', async () => {
    await redis.zadd('r', 1, 'one', 2, 'two', 3, 'three', 4, 'four');
    assert.deepEqual(await redis.zrange('r', '0', '-1'), ['one', 'two', 'three', 'four']);
    assert.deepEqual(await redis.zrange('r', '0', '1', 'WITHSCORES'), ['one', '1', 'two', '2']);
    assert.deepEqual(await redis.zrange('r', '(1', '3', 'BYSCORE'), ['two', 'three']);
    assert.deepEqual(await redis.zrange('r', '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 1, 2), ['three', 'two']);
    assert.deepEqual(await redis.zrevrange('r', 0, 0), ['four']);
    assert.deepEqual(await redis.zrangebyscore('r', 2, '+inf', 'LIMIT', 0, 1), ['two']);
    assert.equal(await redis.zcount('r', '-inf', '(3'), 2);
    assert.equal(await redis.zrank('r', 'three'), 2);
    assert.equal(await redis.zrevrank('r', 'three'), 1);
    await redis.zadd('lex', 0, 'a', 0, 'b', 0, 'c');
    assert.deepEqual(await redis.zrangebylex('lex', '(a', '+'), ['b', 'c']);
    assert.equal(await redis.zlexcount('lex', '-', '[b'), 2);
    await assert.rejects(redis.zrangebylex('lex', 'a', 'c'), /ERR min or max not valid string range item/);
    await assert.rejects(redis.zrangebyscore('r', 'a', 'b'), /ERR min or max is not a float/);
    assert.equal(await redis.zremrangebyscore('r', 1, 2), 2);
    assert.deepEqual(await redis.zrange('r', '0', '-1'), ['three', 'four']);
  });

  test('pops, ZMPOP, and set algebra with weights and aggregates', async () => {
    await redis.zadd('p', 1, 'a', 2, 'b', 3, 'c');
    assert.deepEqual(await redis.zpopmin('p'), ['a', '1']);
    assert.deepEqual(await redis.zpopmax('p', 2), ['c', '3', 'b', '2']);
    assert.equal(await redis.exists('p'), 0);
    await redis.zadd('x', 1, 'a', 2, 'b');
    await redis.zadd('y', 10, 'b', 20, 'c');
    assert.equal(await redis.zunionstore('u', 2, 'x', 'y', 'WEIGHTS', 2, 1), 3);
    assert.deepEqual(await redis.zrange('u', '0', '-1', 'WITHSCORES'), ['a', '2', 'b', '14', 'c', '20']);
    assert.equal(await redis.zinterstore('i', 2, 'x', 'y', 'AGGREGATE', 'MAX'), 1);
    assert.deepEqual(await redis.zrange('i', '0', '-1', 'WITHSCORES'), ['b', '10']);
    assert.deepEqual(await redis.call('ZMPOP', '2', 'none', 'x', 'MAX'), ['x', [['b', '2']]]);
  });

  test('BZPOPMIN blocks until a member arrives, in FIFO order of waiters', async () => {
    const first = node.client();
    const second = node.client();
    const a = first.bzpopmin('bz', 5);
    assert.ok(await untilBlocked(redis, 1));
    const b = second.bzpopmin('bz', 5);
    assert.ok(await untilBlocked(redis, 2));
    await redis.zadd('bz', 2, 'two', 1, 'one');
    assert.deepEqual(await a, ['bz', 'one', '1']);
    assert.deepEqual(await b, ['bz', 'two', '2']);
    assert.equal(await first.bzpopmax('bz', 0.05), null);
  });

  test('sorted sets survive a restart from snapshot and log', async () => {
    await redis.zadd('keep', 1.5, 'x', -2, 'y');
    await redis.save();
    await redis.zadd('keep', 3, 'z');
    await node.restart({ snapshot: false });
    redis = node.client();
    assert.deepEqual(await redis.zrange('keep', '0', '-1', 'WITHSCORES'), ['y', '-2', 'x', '1.5', 'z', '3']);
  });
});
