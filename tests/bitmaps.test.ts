// Bitmaps through ioredis, the way they are used: daily-active-user sets with SETBIT, BITCOUNT,
// BITOP and BITPOS; packed counters with BITFIELD; both after a restart from the log and from a
// snapshot. Exact replies are compared with redis-server in differential.test.ts.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { embeddedNodeForSuite } from './support/embedded-node.js';
import { REDIS_ABSENT, redisServerForSuite } from './support/redis-server.js';
import { seeded } from './support/seeded.js';

describe('bitmaps', () => {
  const suite = embeddedNodeForSuite();
  const peer = redisServerForSuite();

  test('active users per day: set bits by user id, count them, intersect days, find the first absent user', async () => {
    const { redis } = suite;
    const monday = [0, 1, 2, 5, 1000, 70_000];
    const tuesday = [1, 2, 3, 1000];
    for (const id of monday) assert.equal(await redis.setbit('dau:mon', id, 1), 0);
    for (const id of tuesday) await redis.setbit('dau:tue', id, 1);
    assert.equal(await redis.setbit('dau:mon', 5, 1), 1, 'the bit was already set');
    assert.equal(await redis.bitcount('dau:mon'), monday.length);
    assert.equal(await redis.strlen('dau:mon'), 70_000 / 8 + 1);
    assert.equal(await redis.bitop('AND', 'dau:both', 'dau:mon', 'dau:tue'), 70_000 / 8 + 1);
    assert.equal(await redis.bitcount('dau:both'), 3);
    assert.equal(await redis.bitop('OR', 'dau:either', 'dau:mon', 'dau:tue'), 70_000 / 8 + 1);
    assert.equal(await redis.bitcount('dau:either'), 7);
    assert.equal(await redis.bitpos('dau:mon', 0), 3, 'the first user absent on Monday');
    assert.equal(await redis.bitpos('dau:mon', 1, 1), 1000, 'the first active user from byte 1');
    assert.equal(await redis.call('BITCOUNT', 'dau:mon', 0, 999, 'BIT'), 4);
    assert.equal(await redis.getbit('dau:tue', 3), 1);
    assert.equal(await redis.getbit('dau:tue', 5_000_000), 0, 'past the end reads as 0');
  });

  test('BITFIELD packs counters: wrapping, saturating and refusing overflow; BITFIELD_RO reads them', async () => {
    const { redis } = suite;
    assert.deepEqual(await redis.call('BITFIELD', 'bf', 'SET', 'u8', '#0', 250, 'INCRBY', 'u8', '#0', 10, 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '#1', 300, 'OVERFLOW', 'FAIL', 'INCRBY', 'i4', '#4', 8), [0, 4, 255, null]);
    assert.deepEqual(await redis.call('BITFIELD_RO', 'bf', 'GET', 'u8', '#0', 'GET', 'u8', '#1', 'GET', 'i4', '#4'), [4, 255, 0]);
    await assert.rejects(redis.call('BITFIELD_RO', 'bf', 'INCRBY', 'u8', 0, 1), /BITFIELD_RO only supports the GET subcommand/);
    await assert.rejects(redis.call('BITFIELD', 'bf', 'GET', 'u64', 0), /Invalid bitfield type/);
    assert.deepEqual(await redis.call('BITFIELD', 'bf', 'GET', 'u8', '#0'), [4], 'a refused command changed nothing');
  });

  test('random ranges, bit searches, bit fields and bit operations get the same replies and values as redis-server', async (t) => {
    const real = peer.client();
    if (real === null) return t.skip(REDIS_ABSENT);
    const { redis } = suite;
    const { next: random, int } = seeded(99);
    const bound = () => String(int(-20, 120));
    for (let round = 0; round < 30; round++) {
      const value = Buffer.from(Array.from({ length: int(0, 12) }, () => [0, 255, int(0, 255)][int(0, 2)]));
      for (const server of [real, redis]) await server.set('bits:random', value);
      for (let q = 0; q < 40; q++) {
        const kind = int(0, 4);
        const fieldType = `${['i', 'u'][int(0, 1)]}${int(1, 16)}`;
        const operation = ['GET', 'SET', 'INCRBY'][int(0, 2)];
        const command = kind === 0 ? ['BITCOUNT', 'bits:random', bound(), bound(), ['BIT', 'BYTE'][int(0, 1)]]
          : kind === 1 ? ['BITPOS', 'bits:random', String(int(0, 1)), ...[[], [bound()], [bound(), bound()], [bound(), bound(), 'BIT'], [bound(), bound(), 'BYTE']][int(0, 4)]]
            : kind === 2 ? ['BITFIELD', 'bits:random', 'OVERFLOW', ['WRAP', 'SAT', 'FAIL'][int(0, 2)], operation, fieldType, random() < 0.3 ? `#${int(0, 10)}` : String(int(0, 100)), ...(operation === 'GET' ? [] : [String(int(-70000, 70000))])]
              : kind === 3 ? ['SETBIT', 'bits:random', String(int(0, 120)), String(int(0, 1))]
                : ['BITOP', ['AND', 'OR', 'XOR', 'NOT'][int(0, 3)], 'bits:out', 'bits:random', ...(random() < 0.5 ? ['bits:random'] : [])];
        const reply = (server: Redis) => server.call(command[0], ...command.slice(1)).catch((error: Error) => error.message);
        assert.deepEqual(await reply(redis), await reply(real), command.join(' '));
        assert.deepEqual(await redis.getBuffer('bits:random'), await real.getBuffer('bits:random'), `the value after ${command.join(' ')}`);
      }
    }
  });

  test('bits written survive a restart from the log and one from a snapshot', async () => {
    const { node } = suite;
    let redis = node.client();
    await redis.setbit('durable:bits', 12345, 1);
    await redis.call('BITFIELD', 'durable:counters', 'SET', 'i16', '#3', -1234);
    for (const snapshot of [false, true]) {
      await node.restart({ snapshot });
      redis = node.client();
      assert.equal(await redis.getbit('durable:bits', 12345), 1);
      assert.equal(await redis.bitcount('durable:bits'), 1);
      assert.deepEqual(await redis.call('BITFIELD_RO', 'durable:counters', 'GET', 'i16', '#3'), [-1234]);
    }
  });
});
