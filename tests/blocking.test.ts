// Blocking list pops with several waiting clients: FIFO service, wake-up by pushes from other
// connections and by MULTI/EXEC, exact timeouts, and no element lost or duplicated.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { EmbeddedNode } from './support/embedded-node.js';
import { untilBlocked } from './support/blocked-clients.js';

/** The data group's applied index and the WAL's fsyncs so far. */
async function persistence(redis: Redis): Promise<{ applied: number; fsyncs: number }> {
  const info = await redis.info();
  const field = (pattern: RegExp): number => Number(pattern.exec(info)?.[1]);
  return { applied: field(/data-0:.*applied=(\d+)/), fsyncs: field(/wal_fsyncs:(\d+)/) };
}

describe('blocking commands', () => {
  let node: EmbeddedNode;
  const connect = (): Redis => node.client();

  before(async () => {
    node = await EmbeddedNode.start();
  });

  after(() => node.stop());

  test('BLPOP returns at once when an element is there', async () => {
    const redis = connect();
    await redis.rpush('b:ready', 'x');
    assert.deepEqual(await redis.blpop('b:ready', 1), ['b:ready', 'x']);
  });

  test('waiting clients are served in the order they blocked, one element each', async () => {
    const waiters = [connect(), connect(), connect()];
    const producer = connect();
    const results: Array<Promise<[string, string] | null>> = [];
    for (const waiter of waiters) {
      results.push(waiter.blpop('b:fifo', 5));
      // Make the blocking order deterministic: each is parked before the next one asks.
      assert.ok(await untilBlocked(producer, results.length));
    }
    assert.equal(await producer.rpush('b:fifo', 'one', 'two', 'three'), 3);
    assert.deepEqual(await Promise.all(results), [['b:fifo', 'one'], ['b:fifo', 'two'], ['b:fifo', 'three']]);
    assert.equal(await producer.llen('b:fifo'), 0);
  });

  test('a blocked client on several keys is woken by whichever gets an element', async () => {
    const waiter = connect();
    const producer = connect();
    const result = waiter.brpop('b:k1', 'b:k2', 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await producer.lpush('b:k2', 'v');
    assert.deepEqual(await result, ['b:k2', 'v']);
  });

  test('a push inside MULTI/EXEC wakes the waiter after EXEC', async () => {
    const waiter = connect();
    const producer = connect();
    const result = waiter.blpop('b:tx', 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exec = await producer.multi().rpush('b:tx', 'a').rpush('b:tx', 'b').exec();
    assert.deepEqual(exec, [[null, 1], [null, 2]]);
    assert.deepEqual(await result, ['b:tx', 'a']);
    assert.deepEqual(await producer.lrange('b:tx', 0, -1), ['b']);
  });

  test('timeouts return nil after about the timeout; timeout errors are Redis\'s', async () => {
    const waiter = connect();
    const startedMs = Date.now();
    assert.equal(await waiter.blpop('b:never', 0.2), null);
    assert.ok(Date.now() - startedMs >= 190);
    assert.equal(await waiter.blmove('b:never', 'b:dst', 'LEFT', 'RIGHT', 0.05), null);
    await assert.rejects(waiter.blpop('b:x', -1), /ERR timeout is negative/);
    await assert.rejects(waiter.call('BLPOP', 'b:x', 'abc'), /ERR timeout is not a float or out of range/);
  });

  test('BLMOVE and BLMPOP wake up and move or pop', async () => {
    const waiter = connect();
    const other = connect();
    const producer = connect();
    const moved = waiter.blmove('b:from', 'b:to', 'RIGHT', 'LEFT', 5);
    const popped = other.call('BLMPOP', '5', '1', 'b:multi', 'LEFT', 'COUNT', '2');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await producer.rpush('b:from', 'm');
    await producer.rpush('b:multi', '1', '2', '3');
    assert.equal(await moved, 'm');
    assert.deepEqual(await producer.lrange('b:to', 0, -1), ['m']);
    assert.deepEqual(await popped, ['b:multi', ['1', '2']]);
  });

  test('a push on this node serves the waiter in the same log write (one fsync for both)', async () => {
    const waiter = connect();
    const producer = connect();
    const result = waiter.blpop('b:one-write', 5);
    assert.ok(await untilBlocked(producer, 1));
    const before = await persistence(producer);
    await producer.rpush('b:one-write', 'v');
    assert.deepEqual(await result, ['b:one-write', 'v']);
    const afterPush = await persistence(producer);
    assert.equal(afterPush.applied - before.applied, 2, 'the push and the served BLPOP');
    assert.equal(afterPush.fsyncs - before.fsyncs, 1);
  });

  test('pipelined pushes serve the waiters in the order they blocked, one push each', async () => {
    const waiters = [connect(), connect()];
    const producer = connect();
    const results: Array<Promise<[string, string] | null>> = [];
    for (const waiter of waiters) {
      results.push(waiter.blpop('b:pipelined', 5));
      assert.ok(await untilBlocked(producer, results.length));
    }
    const pushed = await producer.pipeline().rpush('b:pipelined', 'first').rpush('b:pipelined', 'second').exec();
    assert.deepEqual(pushed, [[null, 1], [null, 1]]);
    assert.deepEqual(await Promise.all(results), [['b:pipelined', 'first'], ['b:pipelined', 'second']]);
  });

  test('a push that fails on a key of another type leaves the waiter blocked', async () => {
    const waiter = connect();
    const producer = connect();
    const result = waiter.blpop('b:turned-string', 0.5);
    assert.ok(await untilBlocked(producer, 1));
    await producer.set('b:turned-string', 'not a list');
    await assert.rejects(producer.lpush('b:turned-string', 'x'), /^ReplyError: WRONGTYPE/);
    assert.equal(await result, null, 'timed out, as in Redis: a type change does not serve a list waiter');
  });

  test('RENAME and COPY onto a key clients wait on serve them, as in Redis', async () => {
    const waiter = connect();
    const producer = connect();
    await producer.rpush('b:staged', 'a', 'b');
    const renamed = waiter.blpop('b:renamed', 5);
    assert.ok(await untilBlocked(producer, 1));
    await producer.rename('b:staged', 'b:renamed');
    assert.deepEqual(await renamed, ['b:renamed', 'a']);
    await producer.zadd('b:zsource', 1, 'm');
    const copied = waiter.bzpopmin('b:zcopy', 5);
    assert.ok(await untilBlocked(producer, 1));
    assert.equal(await producer.copy('b:zsource', 'b:zcopy'), 1);
    assert.deepEqual(await copied, ['b:zcopy', 'm', '1']);
  });

  test('a key that becomes another type leaves its waiter blocked, as in Redis', async () => {
    const waiter = connect();
    const producer = connect();
    await producer.zadd('b:zset-to-rename', 1, 'm');
    const result = waiter.blpop('b:list-key', 0.5);
    assert.ok(await untilBlocked(producer, 1));
    await producer.rename('b:zset-to-rename', 'b:list-key');
    assert.equal(await result, null);
  });

  test('many consumers and producers: every element is delivered exactly once', async () => {
    const consumers = Array.from({ length: 5 }, () => connect());
    const producer = connect();
    const received: string[] = [];
    const consuming = consumers.map(async (consumer) => {
      for (;;) {
        const item = await consumer.blpop('b:work', 1);
        if (item === null) return;
        received.push(item[1]);
      }
    });
    const sent = Array.from({ length: 300 }, (_, i) => `job-${i}`);
    for (let i = 0; i < sent.length; i += 10) await producer.rpush('b:work', ...sent.slice(i, i + 10));
    await Promise.all(consuming);
    assert.deepEqual([...received].sort(), [...sent].sort());
  });
});
