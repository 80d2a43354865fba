// HyperLogLog through ioredis: unique-visitor counts within the advertised error, the same
// counts and register bytes as redis-server while the value grows from sparse to dense, values
// copied between the two servers in both directions, and counts after a restart.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { embeddedNodeForSuite } from './support/embedded-node.js';
import { REDIS_ABSENT, redisServerForSuite } from './support/redis-server.js';

/** Adds `from`..`to` (exclusive) as elements, 500 to a command. */
async function addVisitors(redis: Redis, key: string, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 500) {
    await redis.pfadd(key, ...Array.from({ length: Math.min(500, to - i) }, (_, j) => `visitor:${i + j}`));
  }
}

const HEADER_BYTES = 16;

describe('HyperLogLog', () => {
  const suite = embeddedNodeForSuite();
  const peer = redisServerForSuite();

  test('counts unique visitors within 2% and ignores repeats; PFMERGE and multi-key PFCOUNT give the union', async () => {
    const { redis } = suite;
    await addVisitors(redis, 'hll:mon', 0, 60_000);
    assert.equal(await redis.pfadd('hll:mon', 'visitor:7', 'visitor:59999'), 0, 'nothing new');
    await addVisitors(redis, 'hll:tue', 40_000, 100_000);
    const monday = await redis.pfcount('hll:mon');
    assert.ok(Math.abs(monday - 60_000) / 60_000 < 0.02, `${monday} for 60000`);
    const union = await redis.pfcount('hll:mon', 'hll:tue');
    assert.ok(Math.abs(union - 100_000) / 100_000 < 0.02, `${union} for 100000`);
    assert.equal(await redis.pfmerge('hll:week', 'hll:mon', 'hll:tue'), 'OK');
    assert.equal(await redis.pfcount('hll:week'), union);
    await redis.set('hll:text', 'not a sketch');
    await assert.rejects(redis.pfadd('hll:text', 'a'), /WRONGTYPE Key is not a valid HyperLogLog string value\./);
  });

  test('the same counts and register bytes as redis-server from sparse to dense, and values copied either way', async (t) => {
    const real = peer.client();
    if (real === null) return t.skip(REDIS_ABSENT);
    const { redis } = suite;
    let added = 0;
    for (const size of [1, 50, 700, 2_500, 20_000]) {
      await addVisitors(real, 'hll:same', added, size);
      await addVisitors(redis, 'hll:same', added, size);
      added = size;
      const theirs: Buffer | null = await real.getBuffer('hll:same');
      const ours: Buffer | null = await redis.getBuffer('hll:same');
      assert.ok(theirs !== null && ours !== null);
      assert.equal(ours[4], theirs[4], `the same encoding at ${size}`);
      assert.ok(ours.subarray(HEADER_BYTES).equals(theirs.subarray(HEADER_BYTES)), `the same registers at ${size}`);
      assert.equal(await redis.pfcount('hll:same'), await real.pfcount('hll:same'), `the same count at ${size}`);
    }
    await redis.set('hll:from-redis', (await real.getBuffer('hll:same')) as Buffer);
    assert.equal(await redis.pfcount('hll:from-redis'), await real.pfcount('hll:same'));
    await addVisitors(redis, 'hll:small', 0, 30);
    await real.set('hll:from-shoal', (await redis.getBuffer('hll:small')) as Buffer);
    assert.equal(await real.pfcount('hll:from-shoal'), await redis.pfcount('hll:small'));
    assert.equal(await real.pfadd('hll:from-shoal', 'visitor:3'), 0, 'redis-server reads our sparse encoding');
  });

  test('counts survive a restart', async () => {
    const { node } = suite;
    let redis = node.client();
    await addVisitors(redis, 'hll:durable', 0, 5_000);
    const before = await redis.pfcount('hll:durable');
    await node.restart({ snapshot: false });
    redis = node.client();
    assert.equal(await redis.pfcount('hll:durable'), before);
  });
});
