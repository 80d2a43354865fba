// SORT and SORT_RO through ioredis: weights and values from other keys (the "join" Redis users
// do with hashes), STORE waking a client blocked on the destination and aborting a WATCH on it,
// and a stored result that survives kill -9. Exact replies are compared with redis-server in
// differential.test.ts.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { embeddedNodeForSuite } from './support/embedded-node.js';
import { REDIS_ABSENT, redisServerForSuite } from './support/redis-server.js';
import { seeded } from './support/seeded.js';
import { untilBlocked } from './support/blocked-clients.js';
import { client, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';

describe('SORT', () => {
  const suite = embeddedNodeForSuite();
  const peer = redisServerForSuite();

  test('orders ids by a hash field of each and returns other fields, as a join', async () => {
    const { redis } = suite;
    const users = [['1', 'ada', '36'], ['2', 'bob', '9'], ['3', 'cy', '101'], ['4', 'di', '36']];
    for (const [id, name, age] of users) {
      await redis.sadd('sort:users', id);
      await redis.hset(`sort:user:${id}`, 'name', name, 'age', age);
    }
    assert.deepEqual(await redis.sort('sort:users', 'BY', 'sort:user:*->age', 'GET', 'sort:user:*->name'), ['bob', 'ada', 'di', 'cy'], 'numerically, ties by id');
    assert.deepEqual(await redis.call('SORT', 'sort:users', 'BY', 'sort:user:*->name', 'ALPHA', 'DESC', 'LIMIT', 0, 2, 'GET', '#', 'GET', 'sort:user:*->age'), ['4', '36', '3', '101']);
    assert.deepEqual(await redis.call('SORT_RO', 'sort:users', 'BY', 'sort:user:*->age', 'DESC', 'GET', 'sort:user:*->nope'), [null, null, null, null]);
    await assert.rejects(redis.sort('sort:users', 'BY', 'sort:user:*->name'), /One or more scores can't be converted into double/);
  });

  test('random lists, sets and sorted sets sorted with random options as redis-server sorts them (weights all distinct: ties are left in an order Redis does not fix)', async (t) => {
    const real = peer.client();
    if (real === null) return t.skip(REDIS_ABSENT);
    const { redis } = suite;
    const { next: random, int, pick } = seeded(5);
    for (let round = 0; round < 40; round++) {
      const elements = Array.from({ length: int(0, 12) }, () => pick([String(int(-5, 20)), (random() * 10 - 5).toFixed(2), pick(['a', 'b', 'ab', 'B', '']), String(int(1, 9))]));
      const distinct = [...new Set(elements)];
      const type = pick(['list', 'list', 'set', 'zset']);
      const scores = elements.flatMap((element) => [String(int(0, 5)), element]);
      for (const server of [real, redis]) {
        await server.del('sortrand:src', 'sortrand:dst', ...distinct.flatMap((element) => [`sortrand:w_${element}`, `sortrand:h_${element}`]));
        if (elements.length > 0 && type === 'list') await server.rpush('sortrand:src', ...elements);
        if (elements.length > 0 && type === 'set') await server.sadd('sortrand:src', ...elements);
        if (elements.length > 0 && type === 'zset') await server.zadd('sortrand:src', ...scores);
        for (const [i, element] of distinct.entries()) {
          await server.set(`sortrand:w_${element}`, String(i * 1.5 - 4));
          await server.hset(`sortrand:h_${element}`, 'f', String(10 - i));
        }
      }
      for (let q = 0; q < 15; q++) {
        const options: string[] = [];
        const by = random() < 0.4 ? pick(['sortrand:w_*', 'sortrand:h_*->f', 'nosort']) : undefined;
        if (by !== undefined) options.push('BY', by);
        if (random() < 0.3) options.push('LIMIT', String(int(-2, 5)), String(int(-2, 6)));
        if (random() < 0.4) options.push('GET', pick(['#', 'sortrand:w_*', 'sortrand:h_*->f']));
        if (random() < 0.5) options.push(pick(['ASC', 'DESC']));
        if (random() < 0.6) options.push('ALPHA');
        const store = random() < 0.3;
        if (store) options.push('STORE', 'sortrand:dst');
        // A set has no order of its own: Redis gives it unsorted in its hash table's order.
        if (type === 'set' && by === 'nosort' && !store) continue;
        const command = ['SORT', 'sortrand:src', ...options];
        const reply = (server: Redis) => server.call(command[0], ...command.slice(1)).catch((error: Error) => error.message);
        assert.deepEqual(await reply(redis), await reply(real), `${type} ${JSON.stringify(elements)}: ${command.join(' ')}`);
        if (store) assert.deepEqual(await redis.lrange('sortrand:dst', 0, -1), await real.lrange('sortrand:dst', 0, -1), command.join(' '));
      }
    }
  });

  test('STORE wakes a client blocked on the destination and aborts a transaction watching it', async () => {
    const { node, redis } = suite;
    await redis.rpush('sort:src', '3', '1', '2');
    const waiter = node.client();
    const popped = waiter.blpop('sort:dst', 10);
    assert.ok(await untilBlocked(redis, 1));
    const watcher = node.client();
    await watcher.watch('sort:dst');
    assert.equal(await redis.sort('sort:src', 'STORE', 'sort:dst'), 3);
    assert.deepEqual(await popped, ['sort:dst', '1']);
    assert.equal(await watcher.multi().set('sort:other', 'x').exec(), null, 'the stored list changed a watched key');
    await watcher.watch('sort:src');
    assert.deepEqual(await redis.sort('sort:src'), ['1', '2', '3']);
    assert.deepEqual(await watcher.multi().llen('sort:src').exec(), [[null, 3]], 'a SORT without STORE changes nothing it reads');
    assert.deepEqual(await redis.lrange('sort:dst', 0, -1), ['2', '3']);
    waiter.disconnect();
    watcher.disconnect();
  });
});

describe('SORT STORE across kill -9', () => {
  test('the stored list and the untouched source are there after a crash and restart', async () => {
    let node = await startNodeProcess();
    try {
      let redis = client(node.port);
      await redis.rpush('src', 'b', 'c', 'a');
      assert.equal(await redis.call('SORT', 'src', 'ALPHA', 'DESC', 'STORE', 'dst'), 3);
      redis.disconnect();
      await stopNodeProcess(node, 'SIGKILL');
      node = await startNodeProcess({ dataDir: node.dataDir, port: node.port });
      redis = client(node.port);
      assert.deepEqual(await redis.lrange('dst', 0, -1), ['c', 'b', 'a']);
      assert.deepEqual(await redis.lrange('src', 0, -1), ['b', 'c', 'a']);
      redis.disconnect();
    } finally {
      await stopNodeProcess(node, 'SIGKILL');
      removeDir(node.dataDir);
    }
  });
});
