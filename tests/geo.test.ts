// Geo commands through ioredis, as a store locator uses them, and against a real redis-server:
// random points and random searches (circles and boxes, units, COUNT with and without ANY,
// unsorted order included) give the same replies from both. Edge cases are compared in
// differential.test.ts.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { embeddedNodeForSuite } from './support/embedded-node.js';
import { REDIS_ABSENT, redisServerForSuite } from './support/redis-server.js';
import { seeded } from './support/seeded.js';

describe('geo', () => {
  const suite = embeddedNodeForSuite();
  const peer = redisServerForSuite();

  test('a store locator: add shops, ask for the nearest with their distance, store them for later', async () => {
    const { redis } = suite;
    assert.equal(await redis.geoadd('shops', 2.2945, 48.8584, 'eiffel', 2.3522, 48.8566, 'hotel-de-ville', 2.3376, 48.8606, 'louvre', 4.8357, 45.764, 'lyon'), 4);
    const nearest = await redis.call('GEOSEARCH', 'shops', 'FROMLONLAT', 2.34, 48.86, 'BYRADIUS', 10, 'km', 'ASC', 'COUNT', 2, 'WITHDIST') as Array<[string, string]>;
    assert.deepEqual(nearest.map(([name]) => name), ['louvre', 'hotel-de-ville']);
    assert.ok(Number(nearest[0][1]) < 1, `the Louvre is ${nearest[0][1]} km away`);
    const paris = await redis.call('GEODIST', 'shops', 'eiffel', 'lyon', 'km');
    assert.ok(Math.abs(Number(paris) - 392) < 5, `Paris-Lyon ${String(paris)} km`);
    assert.equal(await redis.call('GEOSEARCHSTORE', 'shops:paris', 'shops', 'FROMMEMBER', 'louvre', 'BYBOX', 20, 20, 'km', 'STOREDIST'), 3);
    assert.deepEqual(await redis.zrange('shops:paris', '0', '-1'), ['louvre', 'hotel-de-ville', 'eiffel'], 'scored by distance from the Louvre');
    assert.deepEqual(await redis.geohash('shops', 'eiffel'), ['u09tunquc90']);
    await assert.rejects(redis.geoadd('shops', 200, 0, 'nowhere'), /invalid longitude,latitude pair 200\.000000,0\.000000/);
  });

  test('random points and searches get the same replies as redis-server', async (t) => {
    const real = peer.client();
    if (real === null) return t.skip(REDIS_ABSENT);
    const { redis } = suite;
    const { next: random } = seeded(2026);
    const points: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const clustered = i % 3 === 0;
      points.push(
        (clustered ? 2.35 + (random() - 0.5) * 0.5 : random() * 360 - 180).toFixed(6),
        (clustered ? 48.85 + (random() - 0.5) * 0.5 : random() * 170 - 85).toFixed(6),
        `p${i}`,
      );
    }
    for (const server of [real, redis]) await server.call('GEOADD', 'pts', ...points);
    const units = ['m', 'km', 'mi', 'ft'] as const;
    const toMeters = { m: 1, km: 1000, mi: 1609.34, ft: 0.3048 };
    for (let q = 0; q < 200; q++) {
      const unit = units[Math.floor(random() * units.length)];
      const size = 10 ** (random() * 4 + 2) / toMeters[unit];
      const near = random() < 0.5;
      const center = random() < 0.2 ? ['FROMMEMBER', `p${Math.floor(random() * 2000)}`]
        : ['FROMLONLAT', (near ? 2.35 + random() - 0.5 : random() * 360 - 180).toFixed(5), (near ? 48.85 + random() - 0.5 : random() * 170 - 85).toFixed(5)];
      const shape = random() < 0.5 ? ['BYRADIUS', size.toFixed(3), unit] : ['BYBOX', (size * 2).toFixed(3), (size * (0.5 + random())).toFixed(3), unit];
      const pick = random();
      const options = pick < 0.3 ? ['COUNT', String(1 + Math.floor(random() * 20)), 'ANY'] : pick < 0.5 ? ['COUNT', String(1 + Math.floor(random() * 20))] : pick < 0.6 ? ['DESC'] : [];
      if (random() < 0.5) options.push('WITHDIST');
      if (random() < 0.3) options.push('WITHHASH', 'WITHCOORD');
      const command = ['GEOSEARCH', 'pts', ...center, ...shape, ...options];
      assert.deepEqual(await redis.call(command[0], ...command.slice(1)), await real.call(command[0], ...command.slice(1)), command.join(' '));
    }
  });
});
