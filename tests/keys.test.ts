// Generic key commands and expiry against a spawned node process.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { client, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('keys', () => {
  let node: NodeProcess;
  let redis: Redis;

  before(async () => {
    node = await startNodeProcess({ args: ['--active-expire-interval-ms', '20'] });
    redis = client(node.port);
  });

  after(async () => {
    redis.disconnect();
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('DEL, UNLINK, EXISTS (counting repeats), TOUCH, TYPE', async () => {
    await redis.mset('k:1', 'a', 'k:2', 'b', 'k:3', 'c');
    assert.equal(await redis.exists('k:1', 'k:1', 'k:none'), 2);
    assert.equal(await redis.touch('k:1', 'k:2', 'k:none'), 2);
    assert.equal(await redis.del('k:1', 'k:none'), 1);
    assert.equal(await redis.unlink('k:2', 'k:3'), 2);
    assert.equal(await redis.exists('k:1', 'k:2', 'k:3'), 0);
    await redis.set('k:s', 'x');
    await redis.rpush('k:l', 'x');
    await redis.sadd('k:set', 'x');
    await redis.hset('k:h', 'f', 'x');
    assert.deepEqual(await Promise.all(['k:s', 'k:l', 'k:set', 'k:h', 'k:none'].map((key) => redis.type(key))), ['string', 'list', 'set', 'hash', 'none']);
  });

  test('EXPIRE family with NX XX GT LT, TTL/PTTL/EXPIRETIME/PEXPIRETIME, PERSIST', async () => {
    await redis.set('e:1', 'v');
    assert.equal(await redis.ttl('e:1'), -1);
    assert.equal(await redis.ttl('e:none'), -2);
    assert.equal(await redis.expiretime('e:1'), -1);
    assert.equal(await redis.call('EXPIRE', 'e:1', '100', 'XX'), 0);
    assert.equal(await redis.call('EXPIRE', 'e:1', '100', 'NX'), 1);
    assert.equal(await redis.call('EXPIRE', 'e:1', '200', 'NX'), 0);
    assert.equal(await redis.call('EXPIRE', 'e:1', '50', 'GT'), 0);
    assert.equal(await redis.call('EXPIRE', 'e:1', '150', 'GT'), 1);
    assert.equal(await redis.call('EXPIRE', 'e:1', '300', 'LT'), 0);
    assert.equal(await redis.call('EXPIRE', 'e:1', '120', 'LT'), 1);
    assert.ok((await redis.ttl('e:1')) > 118);
    assert.ok((await redis.pttl('e:1')) > 118_000);
    assert.equal(await redis.pexpire('e:1', 500_000), 1);
    const at = Math.floor(Date.now() / 1000) + 3600;
    assert.equal(await redis.expireat('e:1', at), 1);
    assert.equal(await redis.expiretime('e:1'), at);
    assert.equal(await redis.pexpireat('e:1', at * 1000 + 1), 1);
    assert.equal(await redis.pexpiretime('e:1'), at * 1000 + 1);
    assert.equal(await redis.persist('e:1'), 1);
    assert.equal(await redis.persist('e:1'), 0);
    assert.equal(await redis.expire('e:none', 10), 0);
    await assert.rejects(redis.call('EXPIRE', 'e:1', '10', 'NX', 'XX'), /ERR NX and XX, GT or LT options at the same time are not compatible/);
    await assert.rejects(redis.call('EXPIRE', 'e:1', '10', 'GT', 'LT'), /ERR GT and LT options at the same time are not compatible/);
    await assert.rejects(redis.call('EXPIRE', 'e:1', '10', 'YY'), /ERR Unsupported option YY/);
    await assert.rejects(redis.call('EXPIRE', 'e:1', 'ten'), /ERR value is not an integer or out of range/);
  });

  test('a non-positive EXPIRE deletes the key at once', async () => {
    await redis.set('e:2', 'v');
    assert.equal(await redis.expire('e:2', -1), 1);
    assert.equal(await redis.exists('e:2'), 0);
  });

  test('expired keys vanish on read (lazy) and without any read (active expiry)', async () => {
    await redis.set('x:lazy', 'v', 'PX', 30);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(await redis.get('x:lazy'), null);
    const before = await redis.dbsize();
    for (let i = 0; i < 50; i++) await redis.set(`x:active:${i}`, 'v', 'PX', 40);
    assert.equal(await redis.dbsize(), before + 50);
    assert.ok(await waitUntil(async () => (await redis.dbsize()) <= before, 5000), 'active expiry removed keys nobody read');
  });

  test('RENAME and RENAMENX move the value with its TTL', async () => {
    await redis.set('rn:a', '1', 'EX', 100);
    assert.equal(await redis.rename('rn:a', 'rn:b'), 'OK');
    assert.equal(await redis.get('rn:b'), '1');
    assert.ok((await redis.ttl('rn:b')) > 98);
    await assert.rejects(redis.rename('rn:none', 'rn:c'), /ERR no such key/);
    await redis.set('rn:c', '2');
    assert.equal(await redis.renamenx('rn:b', 'rn:c'), 0);
    assert.equal(await redis.renamenx('rn:b', 'rn:d'), 1);
    assert.equal(await redis.rename('rn:d', 'rn:d'), 'OK');
  });

  test('COPY with and without REPLACE, other databases refused', async () => {
    await redis.set('cp:a', 'v', 'EX', 100);
    assert.equal(await redis.copy('cp:a', 'cp:b'), 1);
    assert.equal(await redis.get('cp:b'), 'v');
    assert.ok((await redis.ttl('cp:b')) > 98);
    await redis.set('cp:c', 'other');
    assert.equal(await redis.copy('cp:a', 'cp:c'), 0);
    assert.equal(await redis.copy('cp:a', 'cp:c', 'REPLACE'), 1);
    assert.equal(await redis.get('cp:c'), 'v');
    await redis.rpush('cp:list', 'a', 'b');
    assert.equal(await redis.copy('cp:list', 'cp:list2'), 1);
    await redis.rpush('cp:list2', 'c');
    assert.deepEqual(await redis.lrange('cp:list', 0, -1), ['a', 'b'], 'COPY is deep');
    await assert.rejects(redis.call('COPY', 'cp:a', 'cp:z', 'DB', '1'), /ERR DB index is out of range/);
  });

  test('KEYS matches glob patterns', async () => {
    await redis.mset('g:hello', '1', 'g:hallo', '1', 'g:hxllo', '1', 'g:hllo', '1');
    assert.deepEqual((await redis.keys('g:h?llo')).sort(), ['g:hallo', 'g:hello', 'g:hxllo']);
    assert.deepEqual((await redis.keys('g:h[ae]llo')).sort(), ['g:hallo', 'g:hello']);
    assert.deepEqual((await redis.keys('g:h[^e]llo')).sort(), ['g:hallo', 'g:hxllo']);
    assert.deepEqual((await redis.keys('g:h*llo')).sort(), ['g:hallo', 'g:hello', 'g:hllo', 'g:hxllo']);
  });

  test('SCAN returns every key exactly once, honours MATCH and TYPE', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `scan:${i}`);
    await redis.mset(...keys.flatMap((key) => [key, 'v']));
    await redis.rpush('scan:list', 'x');
    const seen: string[] = [];
    let cursor = '0';
    for (let round = 0; round < 10_000; round++) {
      const [next, batch] = await redis.scan(cursor, 'MATCH', 'scan:*', 'COUNT', 20);
      seen.push(...batch);
      cursor = next;
      if (cursor === '0') break;
    }
    assert.equal(cursor, '0');
    assert.deepEqual(new Set(seen), new Set([...keys, 'scan:list']));
    assert.equal(seen.length, new Set(seen).size);
    const lists: string[] = [];
    cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'COUNT', 1000, 'TYPE', 'list');
      lists.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    assert.ok(lists.includes('scan:list') && !lists.some((key) => key.startsWith('scan:') && key !== 'scan:list'));
    await assert.rejects(redis.scan('abc'), /ERR invalid cursor/);
    await assert.rejects(redis.call('SCAN', '0', 'COUNT', '0'), /ERR syntax error/);
  });

  test('RANDOMKEY returns an existing key, or nil when empty', async () => {
    const key = await redis.randomkey();
    assert.ok(key !== null && (await redis.exists(key)) === 1);
  });

  test('FLUSHALL empties the keyspace; DBSIZE counts keys', async () => {
    await redis.set('fl:1', 'x');
    assert.ok((await redis.dbsize()) > 0);
    assert.equal(await redis.flushall(), 'OK');
    assert.equal(await redis.dbsize(), 0);
    assert.equal(await redis.randomkey(), null);
    await assert.rejects(redis.call('FLUSHALL', 'LATER'), /ERR syntax error/);
  });
});
