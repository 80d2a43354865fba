// maxmemory: load keys past the limit with each policy. The estimate stays near the limit,
// the policy picks the right victims, and noeviction refuses writes without losing anything.

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startNode } from '../src/index.js';
import type { NodeHandle } from '../src/index.js';
import { client, freshDataDir, removeDir } from './support/node-process.js';

const LIMIT_BYTES = 2 * 1024 * 1024;
const VALUE = 'v'.repeat(200);

async function usedMemory(redis: Redis): Promise<number> {
  return Number((await redis.info('memory')).match(/used_memory:(\d+)/)?.[1]);
}

describe('memory limits', () => {
  let node: NodeHandle;
  let redis: Redis;
  const dataDir = freshDataDir();

  before(async () => {
    node = await startNode({ port: 0, dataDir, maxmemory: LIMIT_BYTES, appendfsync: 'no' });
    redis = client(node.port);
  });

  after(async () => {
    redis.disconnect();
    await node.close();
    removeDir(dataDir);
  });

  beforeEach(async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.flushall();
  });

  async function load(prefix: string, count: number, ttlSeconds?: (i: number) => number | undefined): Promise<number> {
    let refused = 0;
    for (let i = 0; i < count; i += 100) {
      const pipeline = redis.pipeline();
      for (let j = i; j < i + 100; j++) {
        const ttl = ttlSeconds?.(j);
        if (ttl === undefined) pipeline.set(`${prefix}:${j}`, VALUE);
        else pipeline.set(`${prefix}:${j}`, VALUE, 'EX', ttl);
      }
      for (const [error] of (await pipeline.exec()) ?? []) if (error !== null) refused++;
    }
    return refused;
  }

  test('noeviction: writes past the limit get OOM, reads and deletes still work, nothing is lost', async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    const refused = await load('ne', 20_000);
    assert.ok(refused > 0, 'some writes were refused');
    await assert.rejects(redis.set('ne:extra', VALUE), /OOM command not allowed when used memory > 'maxmemory'/);
    const stored = await redis.dbsize();
    assert.equal(stored, 20_000 - refused, 'every acknowledged write is still there');
    assert.equal(await redis.get('ne:0'), VALUE);
    assert.equal(await redis.del('ne:0'), 1, 'deleting is allowed when out of memory');
    await redis.flushall();
  });

  test('a collection growing in place is accounted: INFO used_memory follows MEMORY USAGE, and noeviction refuses its growth', async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    const grow: Record<string, (i: number) => Promise<unknown>> = {
      list: (i) => redis.rpush('grow:list', `${VALUE}${i}`),
      hash: (i) => redis.hset('grow:hash', `f${i}`, VALUE),
      set: (i) => redis.sadd('grow:set', `${VALUE}${i}`),
      zset: (i) => redis.zadd('grow:zset', i, `${VALUE}${i}`),
      stream: () => redis.xadd('grow:stream', '*', 'f', VALUE),
    };
    for (const [type, add] of Object.entries(grow)) {
      await redis.flushall();
      const idle = await usedMemory(redis);
      for (let i = 0; i < 100; i++) await add(i);
      const key = `grow:${type}`;
      const usage = Number(await redis.memory('USAGE', key));
      assert.ok(usage > 100 * VALUE.length, `${type}: MEMORY USAGE counts its elements (${usage})`);
      assert.ok(Math.abs((await usedMemory(redis)) - idle - usage) <= usage * 0.05, `${type}: used_memory grew by the key's usage`);
      let refused: unknown;
      for (let i = 100; i < 100_000 && refused === undefined; i++) await add(i).catch((error: unknown) => { refused = error; });
      assert.match(String(refused), /OOM command not allowed/, `${type}: growth past maxmemory is refused`);
    }
    await redis.flushall();
  });

  for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'] as const) {
    test(`${policy}: memory stays near the limit, writes keep succeeding, only eligible keys go`, async () => {
      await redis.config('SET', 'maxmemory-policy', policy);
      const volatileOnly = policy.startsWith('volatile-');
      // Keys without a TTL are never eligible under volatile-* policies.
      if (volatileOnly) assert.equal(await load('persistent', 1000), 0);
      assert.equal(await load(policy, 20_000, volatileOnly ? () => 3600 : undefined), 0);
      assert.ok((await usedMemory(redis)) <= LIMIT_BYTES * 1.1, 'used memory stays near maxmemory');
      assert.ok((await redis.dbsize()) < 20_000, 'some keys were evicted');
      if (volatileOnly) assert.equal(await redis.exists(...Array.from({ length: 1000 }, (_, i) => `persistent:${i}`)), 1000);
      assert.match(await redis.info('memory'), /evicted_keys:[1-9]/);
    });
  }

  test('allkeys-lru keeps recently used keys', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await load('hot', 1000);
    // Keep touching the first 100 hot keys while cold keys push memory past the limit.
    for (let batch = 0; batch < 20; batch++) {
      await load(`cold${batch}`, 1000);
      await redis.mget(...Array.from({ length: 100 }, (_, i) => `hot:${i}`));
    }
    let hotKept = 0;
    for (let i = 0; i < 100; i++) hotKept += await redis.exists(`hot:${i}`);
    assert.ok(hotKept >= 80, `recently used keys survive (${hotKept}/100)`);
    await redis.flushall();
  });

  test('volatile-ttl evicts keys with the nearest expiry and never keys without a TTL', async () => {
    await redis.config('SET', 'maxmemory-policy', 'volatile-ttl');
    await load('keep', 2000);
    await load('ttl', 20_000, (i) => 1000 + i);
    assert.equal(await redis.exists(...Array.from({ length: 2000 }, (_, i) => `keep:${i}`)), 2000);
    assert.equal(await redis.exists('ttl:0'), 0, 'the soonest-expiring key went first');
    await redis.flushall();
  });

  test('MEMORY USAGE and OBJECT ENCODING', async () => {
    await redis.set('mu', 'x'.repeat(100));
    const usage = Number(await redis.memory('USAGE', 'mu'));
    assert.ok(usage > 100 && usage < 400);
    assert.equal(await redis.memory('USAGE', 'missing'), null);
    // SAMPLES: the first fields are small, the rest large; sampling all of them sees the large ones.
    await redis.hset('mu:hash', ...Array.from({ length: 5 }, (_, i) => [`s${i}`, 'x']).flat(), ...Array.from({ length: 50 }, (_, i) => [`l${i}`, 'y'.repeat(1000)]).flat());
    const sampledFew = Number(await redis.call('MEMORY', 'USAGE', 'mu:hash', 'SAMPLES', '1'));
    const sampledAll = Number(await redis.call('MEMORY', 'USAGE', 'mu:hash', 'SAMPLES', '0'));
    assert.ok(sampledAll > 50 * 1000 && sampledFew < 55 * 100, `SAMPLES 0 counts every field (${sampledAll}), SAMPLES 1 extrapolates the first (${sampledFew})`);
    await assert.rejects(redis.call('MEMORY', 'USAGE', 'mu:hash', 'SAMPLES', '-1'), /ERR syntax error/);
    await assert.rejects(redis.call('MEMORY', 'USAGE', 'mu:hash', 'SAMPLES', 'x'), /ERR value is not an integer or out of range/);
    await redis.set('enc:int', '12345');
    await redis.set('enc:raw', 'x'.repeat(50));
    await redis.sadd('enc:set', '1', '2');
    assert.equal(await redis.object('ENCODING', 'enc:int'), 'int');
    assert.equal(await redis.object('ENCODING', 'mu'), 'raw');
    assert.equal(await redis.object('ENCODING', 'enc:set'), 'intset');
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    assert.ok(Number(await redis.object('FREQ', 'mu')) >= 0);
    await assert.rejects(redis.object('IDLETIME', 'mu'), /LFU maxmemory policy is selected/);
  });
});

describe('memory limits in a real process', () => {
  test('writing 400 MB into a node with maxmemory 8 MB keeps its RSS bounded', async (t) => {
    const { startNodeProcess, stopNodeProcess } = await import('./support/node-process.js');
    const { readFileSync } = await import('node:fs');
    const node = await startNodeProcess({ args: ['--maxmemory', String(8 * 1024 * 1024), '--maxmemory-policy', 'allkeys-lru', '--appendfsync', 'no', '--snapshot-log-bytes', '16mb'] });
    const rssBytes = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${node.child.pid}/status`, 'utf8'))?.[1]) * 1024;
    const redis = client(node.port);
    // A failed assertion must not leave the process running (and the test file waiting on it).
    t.after(async () => {
      redis.disconnect();
      await stopNodeProcess(node);
      removeDir(node.dataDir);
    });
    const idle = rssBytes();
    const value = 'x'.repeat(1024);
    for (let i = 0; i < 400_000; i += 500) {
      const pipeline = redis.pipeline();
      for (let j = i; j < i + 500; j++) pipeline.set(`big:${j}`, value);
      await pipeline.exec();
    }
    const loaded = rssBytes();
    assert.ok((await redis.dbsize()) < 20_000, 'most keys were evicted');
    // Without eviction the data alone would add 400 MiB. Bounded is: far less, whatever was
    // written. The allowance covers V8's heap headroom and the Raft log kept in memory until
    // the next snapshot (16 MiB of entries here).
    assert.ok(loaded - idle < 200 * 1024 * 1024, `RSS grew by ${Math.round((loaded - idle) / 2 ** 20)} MiB for 400 MiB written`);
    assert.ok(Number((await redis.info('memory')).match(/used_memory:(\d+)/)?.[1]) <= 8 * 1024 * 1024 * 1.1);
  });
});
