// Generic key commands and expiry against a spawned node process (default settings, so active
// expiry runs at its normal pace).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { client, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';
import { sleep, waitUntil } from './support/wait.js';

const FAR_SECONDS = 4102444800;
const NOT_INTEGER = /^ReplyError: ERR value is not an integer or out of range$/;
const SYNTAX = /^ReplyError: ERR syntax error$/;
/** Generous: active expiry runs every 100 ms by default; this only bounds a broken node. */
const EXPIRY_WAIT_MS = 10_000;

function arity(command: string): RegExp {
  return new RegExp(`^ReplyError: ERR wrong number of arguments for '${command}' command$`);
}

/** Iterates SCAN to the end (bounded) and returns every key it produced, duplicates included. */
async function scanAll(redis: Redis, ...options: Array<string | number>): Promise<string[]> {
  const seen: string[] = [];
  let cursor = '0';
  for (let round = 0; round < 100_000; round++) {
    const [next, batch] = (await redis.call('SCAN', cursor, ...options)) as [string, string[]];
    seen.push(...batch);
    cursor = next;
    if (cursor === '0') return seen;
  }
  assert.fail('SCAN never returned cursor 0');
}

describe('keys', () => {
  let node: NodeProcess;
  let redis: Redis;

  before(async () => {
    node = await startNodeProcess();
    // ioredis speaks RESP3 by default; this file drives the RESP2 path.
    redis = client(node.port, { protocol: 2 });
  });

  after(async () => {
    redis.disconnect();
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('DEL, UNLINK, EXISTS (a key named twice counts twice), TOUCH', async () => {
    await redis.mset('k:1', 'a', 'k:2', 'b', 'k:3', 'c');
    assert.equal(await redis.exists('k:1', 'k:1', 'k:none'), 2);
    assert.equal(await redis.touch('k:1', 'k:2', 'k:none', 'k:1'), 3);
    assert.equal(await redis.del('k:1', 'k:1', 'k:none'), 1);
    assert.equal(await redis.unlink('k:2', 'k:3', 'k:2'), 2);
    assert.equal(await redis.exists('k:1', 'k:2', 'k:3'), 0);
    assert.equal(await redis.del('k:none'), 0);
    for (const command of ['DEL', 'UNLINK', 'EXISTS', 'TOUCH']) await assert.rejects(redis.call(command), arity(command.toLowerCase()));
  });

  test('TYPE names every type, and none for a missing key', async () => {
    await redis.set('t:s', 'x');
    await redis.rpush('t:l', 'x');
    await redis.sadd('t:set', 'x');
    await redis.hset('t:h', 'f', 'x');
    await redis.zadd('t:z', 1, 'x');
    const types = await Promise.all(['t:s', 't:l', 't:set', 't:h', 't:z', 't:none'].map((key) => redis.type(key)));
    assert.deepEqual(types, ['string', 'list', 'set', 'hash', 'zset', 'none']);
    await assert.rejects(redis.call('TYPE'), arity('type'));
    await assert.rejects(redis.call('TYPE', 'a', 'b'), arity('type'));
  });

  test('TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing key, -1 without expiry', async () => {
    await redis.set('ttl:1', 'v');
    assert.deepEqual(await Promise.all([redis.ttl('ttl:1'), redis.pttl('ttl:1'), redis.expiretime('ttl:1'), redis.pexpiretime('ttl:1')]), [-1, -1, -1, -1]);
    assert.deepEqual(await Promise.all([redis.ttl('ttl:0'), redis.pttl('ttl:0'), redis.expiretime('ttl:0'), redis.pexpiretime('ttl:0')]), [-2, -2, -2, -2]);
    await redis.pexpireat('ttl:1', FAR_SECONDS * 1000 + 250);
    assert.equal(await redis.pexpiretime('ttl:1'), FAR_SECONDS * 1000 + 250);
    assert.equal(await redis.expiretime('ttl:1'), FAR_SECONDS);
    await redis.pexpireat('ttl:1', FAR_SECONDS * 1000 + 500);
    assert.equal(await redis.expiretime('ttl:1'), FAR_SECONDS + 1, 'EXPIRETIME rounds to the nearest second like TTL');
    await redis.expire('ttl:1', 100);
    assert.equal(await redis.ttl('ttl:1'), 100);
    const pttl = await redis.pttl('ttl:1');
    assert.ok(pttl > 90_000 && pttl <= 100_000, String(pttl));
  });

  test('EXPIRE with NX, XX, GT, LT follows Redis (no TTL counts as infinite)', async () => {
    await redis.set('e:1', 'v');
    assert.equal(await redis.call('EXPIRE', 'e:1', '100', 'XX'), 0);
    assert.equal(await redis.call('EXPIRE', 'e:1', '100', 'GT'), 0, 'nothing is greater than no expiry');
    assert.equal(await redis.ttl('e:1'), -1);
    assert.equal(await redis.call('EXPIRE', 'e:1', '100', 'LT'), 1, 'anything is less than no expiry');
    assert.equal(await redis.call('EXPIRE', 'e:1', '200', 'NX'), 0);
    assert.equal(await redis.call('EXPIRE', 'e:1', '50', 'GT'), 0);
    assert.equal(await redis.call('EXPIRE', 'e:1', '150', 'GT'), 1);
    assert.equal(await redis.call('EXPIRE', 'e:1', '300', 'LT'), 0);
    assert.equal(await redis.call('EXPIRE', 'e:1', '120', 'LT'), 1);
    assert.equal(await redis.call('EXPIRE', 'e:1', '130', 'XX'), 1);
    assert.equal(await redis.call('EXPIRE', 'e:1', '140', 'xx'), 1, 'options are case-insensitive');
    assert.equal(await redis.ttl('e:1'), 140);
    await redis.persist('e:1');
    assert.equal(await redis.call('EXPIRE', 'e:1', '100', 'NX'), 1);
    assert.equal(await redis.ttl('e:1'), 100);
  });

  test('PEXPIRE, EXPIREAT and PEXPIREAT take the same conditions', async () => {
    await redis.set('e:2', 'v');
    assert.equal(await redis.call('PEXPIRE', 'e:2', '100000', 'NX'), 1);
    assert.equal(await redis.call('PEXPIRE', 'e:2', '200000', 'NX'), 0);
    assert.equal(await redis.call('PEXPIRE', 'e:2', '200000', 'GT'), 1);
    assert.equal(await redis.ttl('e:2'), 200);
    assert.equal(await redis.call('EXPIREAT', 'e:2', String(FAR_SECONDS), 'LT'), 0);
    assert.equal(await redis.call('EXPIREAT', 'e:2', String(FAR_SECONDS), 'GT'), 1);
    assert.equal(await redis.expiretime('e:2'), FAR_SECONDS);
    assert.equal(await redis.call('EXPIREAT', 'e:2', String(FAR_SECONDS - 10), 'XX'), 1);
    assert.equal(await redis.expiretime('e:2'), FAR_SECONDS - 10);
    assert.equal(await redis.call('PEXPIREAT', 'e:2', String(FAR_SECONDS * 1000 + 1), 'GT'), 1);
    assert.equal(await redis.pexpiretime('e:2'), FAR_SECONDS * 1000 + 1);
    assert.equal(await redis.call('PEXPIREAT', 'e:2', String(FAR_SECONDS * 1000), 'GT'), 0);
    assert.equal(await redis.call('PEXPIREAT', 'e:2', String(FAR_SECONDS * 1000), 'LT'), 1);
    assert.equal(await redis.pexpiretime('e:2'), FAR_SECONDS * 1000);
  });

  test('EXPIRE errors: incompatible or unknown options, bad numbers, arity', async () => {
    await redis.set('e:3', 'v');
    await assert.rejects(redis.call('EXPIRE', 'e:3', '10', 'NX', 'XX'), /^ReplyError: ERR NX and XX, GT or LT options at the same time are not compatible$/);
    await assert.rejects(redis.call('EXPIRE', 'e:3', '10', 'NX', 'GT'), /^ReplyError: ERR NX and XX, GT or LT options at the same time are not compatible$/);
    await assert.rejects(redis.call('EXPIRE', 'e:3', '10', 'GT', 'LT'), /^ReplyError: ERR GT and LT options at the same time are not compatible$/);
    await assert.rejects(redis.call('EXPIRE', 'e:3', '10', 'YY'), /^ReplyError: ERR Unsupported option YY$/);
    await assert.rejects(redis.call('EXPIRE', 'e:3', 'ten'), NOT_INTEGER);
    await assert.rejects(redis.call('EXPIRE', 'e:3', '1.5'), NOT_INTEGER);
    await assert.rejects(redis.call('EXPIRE', 'e:3', '9223372036854775807'), /^ReplyError: ERR invalid expire time in 'expire' command$/);
    await assert.rejects(redis.call('PEXPIRE', 'e:3', '9223372036854775807'), /^ReplyError: ERR invalid expire time in 'pexpire' command$/);
    await assert.rejects(redis.call('EXPIREAT', 'e:3', '9223372036854775807'), /^ReplyError: ERR invalid expire time in 'expireat' command$/);
    await assert.rejects(redis.call('EXPIRE', 'e:3'), arity('expire'));
    await assert.rejects(redis.call('PEXPIREAT', 'e:3'), arity('pexpireat'));
    await assert.rejects(redis.call('TTL'), arity('ttl'));
    await assert.rejects(redis.call('PERSIST', 'a', 'b'), arity('persist'));
    assert.equal(await redis.ttl('e:3'), -1);
    assert.equal(await redis.expire('e:none', 10), 0);
    assert.equal(await redis.pexpireat('e:none', 10), 0);
  });

  test('a non-positive or past expiry deletes the key at once (and answers 1)', async () => {
    for (const command of [['EXPIRE', '0'], ['EXPIRE', '-1'], ['PEXPIRE', '0'], ['EXPIREAT', '1'], ['PEXPIREAT', '1']]) {
      await redis.set('e:4', 'v');
      assert.equal(await redis.call(command[0], 'e:4', command[1]), 1, command.join(' '));
      assert.equal(await redis.exists('e:4'), 0, command.join(' '));
    }
    await redis.set('e:4', 'v', 'EX', 100);
    assert.equal(await redis.call('EXPIRE', 'e:4', '-1', 'GT'), 0, 'GT refuses a smaller time, so nothing is deleted');
    assert.equal(await redis.exists('e:4'), 1);
  });

  test('PERSIST removes a TTL; writes that replace the value clear it, in-place edits keep it', async () => {
    await redis.set('p:1', 'v', 'EX', 100);
    assert.equal(await redis.persist('p:1'), 1);
    assert.equal(await redis.persist('p:1'), 0);
    assert.equal(await redis.persist('p:none'), 0);
    assert.equal(await redis.ttl('p:1'), -1);
    await redis.expire('p:1', 100);
    await redis.append('p:1', 'x');
    await redis.setrange('p:1', 0, 'y');
    assert.equal(await redis.ttl('p:1'), 100);
    await redis.set('p:1', 'new');
    assert.equal(await redis.ttl('p:1'), -1);
  });

  test('expired keys vanish on read (lazy expiry)', async () => {
    await redis.set('x:lazy', 'v', 'PX', 30);
    await redis.set('x:lazy2', 'v');
    await redis.pexpire('x:lazy2', 30);
    await sleep(80);
    assert.equal(await redis.get('x:lazy'), null);
    assert.equal(await redis.exists('x:lazy2'), 0);
    assert.equal(await redis.ttl('x:lazy'), -2);
    assert.equal(await redis.type('x:lazy2'), 'none');
    await assert.rejects(redis.rename('x:lazy', 'x:other'), /^ReplyError: ERR no such key$/);
  });

  test('expired keys vanish without any read (active expiry): DBSIZE drops on its own', async () => {
    await redis.flushall();
    await redis.set('x:stays', 'v');
    // No count is asserted in between: some keys may already be gone before the last SET.
    const pipeline = redis.pipeline();
    for (let i = 0; i < 50; i++) pipeline.set(`x:active:${i}`, 'v', 'PX', 50);
    pipeline.set('x:one', 'v', 'PX', 50);
    const replies = await pipeline.exec();
    assert.deepEqual(replies?.map(([error, reply]) => error ?? reply), Array.from({ length: 51 }, () => 'OK'));
    assert.ok(await waitUntil(async () => (await redis.dbsize()) === 1, EXPIRY_WAIT_MS), `DBSIZE still ${await redis.dbsize()}`);
    assert.deepEqual(await redis.keys('*'), ['x:stays']);
  });

  test('RENAME moves the value with its TTL and overwrites any type; RENAMENX refuses an existing target', async () => {
    await redis.set('rn:a', '1', 'EX', 100);
    assert.equal(await redis.rename('rn:a', 'rn:b'), 'OK');
    assert.equal(await redis.get('rn:b'), '1');
    assert.equal(await redis.ttl('rn:b'), 100);
    assert.equal(await redis.exists('rn:a'), 0);
    await assert.rejects(redis.rename('rn:none', 'rn:c'), /^ReplyError: ERR no such key$/);
    await assert.rejects(redis.rename('rn:none', 'rn:none'), /^ReplyError: ERR no such key$/);
    assert.equal(await redis.rename('rn:b', 'rn:b'), 'OK');
    assert.equal(await redis.ttl('rn:b'), 100, 'renaming to itself changes nothing');
    await redis.rpush('rn:list', 'x');
    await redis.set('rn:s', 'plain');
    assert.equal(await redis.rename('rn:s', 'rn:list'), 'OK');
    assert.equal(await redis.type('rn:list'), 'string');
    await redis.set('rn:c', '2', 'EX', 300);
    await redis.set('rn:d', '3');
    await redis.rename('rn:d', 'rn:c');
    assert.equal(await redis.ttl('rn:c'), -1, 'the target takes the source TTL (none)');
    assert.equal(await redis.renamenx('rn:b', 'rn:c'), 0);
    assert.equal(await redis.renamenx('rn:b', 'rn:b'), 0);
    assert.equal(await redis.renamenx('rn:b', 'rn:e'), 1);
    await assert.rejects(redis.renamenx('rn:none', 'rn:f'), /^ReplyError: ERR no such key$/);
    await assert.rejects(redis.call('RENAME', 'a'), arity('rename'));
  });

  test('COPY copies deeply with the TTL; REPLACE overwrites; same key and other databases are refused', async () => {
    await redis.set('cp:a', 'v', 'EX', 100);
    assert.equal(await redis.copy('cp:a', 'cp:b'), 1);
    assert.equal(await redis.get('cp:b'), 'v');
    assert.equal(await redis.ttl('cp:b'), 100);
    await redis.set('cp:c', 'other');
    assert.equal(await redis.copy('cp:a', 'cp:c'), 0);
    assert.equal(await redis.get('cp:c'), 'other');
    assert.equal(await redis.copy('cp:a', 'cp:c', 'REPLACE'), 1);
    assert.equal(await redis.get('cp:c'), 'v');
    assert.equal(await redis.copy('cp:none', 'cp:d'), 0);
    await redis.rpush('cp:list', 'a', 'b');
    assert.equal(await redis.copy('cp:list', 'cp:list2'), 1);
    await redis.rpush('cp:list2', 'c');
    assert.deepEqual(await redis.lrange('cp:list', 0, -1), ['a', 'b'], 'COPY is deep');
    await redis.hset('cp:h', 'f', '1');
    await redis.copy('cp:h', 'cp:h2');
    await redis.hincrby('cp:h2', 'f', 1);
    assert.equal(await redis.hget('cp:h', 'f'), '1');
    await assert.rejects(redis.call('COPY', 'cp:a', 'cp:a'), /^ReplyError: ERR source and destination objects are the same$/);
    assert.equal(await redis.call('COPY', 'cp:a', 'cp:e', 'DB', '0'), 1);
    await assert.rejects(redis.call('COPY', 'cp:a', 'cp:z', 'DB', '1'), /^ReplyError: ERR DB index is out of range$/);
    await assert.rejects(redis.call('COPY', 'cp:a', 'cp:z', 'DB', 'x'), NOT_INTEGER);
    await assert.rejects(redis.call('COPY', 'cp:a', 'cp:z', 'FOO'), SYNTAX);
    await assert.rejects(redis.call('COPY', 'cp:a'), arity('copy'));
  });

  test('KEYS matches glob patterns: ? * [set] [^set] [a-z] and backslash escapes', async () => {
    await redis.flushall();
    await redis.mset('hello', '1', 'hallo', '1', 'hxllo', '1', 'hllo', '1', 'heeeello', '1', 'h*llo', '1', 'h[a]llo', '1');
    const keys = async (pattern: string) => (await redis.keys(pattern)).sort();
    assert.deepEqual(await keys('h?llo'), ['h*llo', 'hallo', 'hello', 'hxllo']);
    assert.deepEqual(await keys('h*llo'), ['h*llo', 'h[a]llo', 'hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
    assert.deepEqual(await keys('h[ae]llo'), ['hallo', 'hello']);
    assert.deepEqual(await keys('h[^e]llo'), ['h*llo', 'hallo', 'hxllo']);
    assert.deepEqual(await keys('h[a-e]llo'), ['hallo', 'hello']);
    assert.deepEqual(await keys('h\\*llo'), ['h*llo']);
    assert.deepEqual(await keys('h\\[a\\]llo'), ['h[a]llo']);
    assert.deepEqual(await keys('nomatch*'), []);
    assert.equal((await keys('*')).length, 7);
    await redis.set(Buffer.from([0, 0xff, 0x41]), 'bin');
    assert.deepEqual(await redis.keysBuffer('\u0000*'), [Buffer.from([0, 0xff, 0x41])]);
    await assert.rejects(redis.call('KEYS'), arity('keys'));
  });

  test('SCAN returns every key exactly once over a static keyspace, with MATCH, COUNT and TYPE', async () => {
    await redis.flushall();
    const strings = Array.from({ length: 700 }, (_, i) => `scan:${i}`);
    await redis.mset(...strings.flatMap((key) => [key, 'v']));
    await redis.rpush('scan:list', 'x');
    await redis.sadd('scan:set', 'x');
    await redis.hset('other:hash', 'f', 'v');
    for (const count of [1, 7, 100, 10_000]) {
      const seen = await scanAll(redis, 'COUNT', count);
      assert.equal(seen.length, 703, `COUNT ${count}: every key once`);
      assert.deepEqual(new Set(seen), new Set([...strings, 'scan:list', 'scan:set', 'other:hash']));
    }
    const matched = await scanAll(redis, 'MATCH', 'scan:1*', 'COUNT', 13);
    assert.deepEqual(matched.sort(), strings.filter((key) => key.startsWith('scan:1')).sort());
    assert.deepEqual(await scanAll(redis, 'TYPE', 'list'), ['scan:list']);
    assert.deepEqual(await scanAll(redis, 'TYPE', 'set', 'COUNT', 5), ['scan:set']);
    assert.deepEqual(await scanAll(redis, 'MATCH', 'other:*', 'TYPE', 'hash'), ['other:hash']);
    assert.equal((await scanAll(redis, 'TYPE', 'string', 'COUNT', 50)).length, 700);
  });

  test('SCAN under concurrent writes returns every key that stayed the whole time', async () => {
    await redis.flushall();
    const stable = Array.from({ length: 300 }, (_, i) => `stable:${i}`);
    await redis.mset(...stable.flatMap((key) => [key, 'v']));
    const seen = new Set<string>();
    let cursor = '0';
    for (let round = 0; round < 100_000; round++) {
      const [next, batch] = (await redis.call('SCAN', cursor, 'COUNT', 10)) as [string, string[]];
      batch.forEach((key) => seen.add(key));
      await redis.set(`churn:${round}`, 'v');
      if (round % 3 === 0) await redis.del(`churn:${round - 3}`);
      cursor = next;
      if (cursor === '0') break;
    }
    assert.equal(cursor, '0');
    for (const key of stable) assert.ok(seen.has(key), `${key} was never returned`);
  });

  test('SCAN errors: bad cursor, bad COUNT, missing option values', async () => {
    await assert.rejects(redis.call('SCAN', 'abc'), /^ReplyError: ERR invalid cursor$/);
    await assert.rejects(redis.call('SCAN', '1.5'), /^ReplyError: ERR invalid cursor$/);
    await assert.rejects(redis.call('SCAN', '0', 'COUNT', '0'), SYNTAX);
    await assert.rejects(redis.call('SCAN', '0', 'COUNT', '-1'), SYNTAX);
    await assert.rejects(redis.call('SCAN', '0', 'COUNT', 'x'), NOT_INTEGER);
    await assert.rejects(redis.call('SCAN', '0', 'MATCH'), SYNTAX);
    await assert.rejects(redis.call('SCAN', '0', 'FOO', 'bar'), SYNTAX);
    await assert.rejects(redis.call('SCAN'), arity('scan'));
  });

  test('RANDOMKEY returns an existing key, or nil when the keyspace is empty', async () => {
    await redis.flushall();
    assert.equal(await redis.randomkey(), null);
    await redis.set('only', '1');
    assert.equal(await redis.randomkey(), 'only');
    await redis.mset('r:1', '1', 'r:2', '2', 'r:3', '3');
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < 4; i++) seen.add((await redis.randomkey()) ?? 'nil');
    assert.deepEqual([...seen].sort(), ['only', 'r:1', 'r:2', 'r:3'], 'every key can come up');
    await assert.rejects(redis.call('RANDOMKEY', 'x'), arity('randomkey'));
  });

  test('expiry times survive a SIGKILL and restart; a short TTL still expires after it', async () => {
    await redis.flushall();
    await redis.set('dur:far', 'v', 'PXAT', FAR_SECONDS * 1000 + 77);
    await redis.set('dur:short', 'v', 'PX', 300);
    await redis.set('dur:plain', 'v');
    redis.disconnect();
    await stopNodeProcess(node, 'SIGKILL');
    node = await startNodeProcess({ dataDir: node.dataDir });
    // ioredis speaks RESP3 by default; this file drives the RESP2 path.
    redis = client(node.port, { protocol: 2 });
    assert.equal(await redis.pexpiretime('dur:far'), FAR_SECONDS * 1000 + 77);
    assert.equal(await redis.ttl('dur:plain'), -1);
    assert.ok(await waitUntil(async () => (await redis.dbsize()) === 2, EXPIRY_WAIT_MS), 'dur:short expired after the restart');
    assert.equal(await redis.exists('dur:short'), 0);
  });

  test('a relative TTL counts from when the write was made, not from when the log is replayed', async () => {
    await redis.flushall();
    const writtenMs = Date.now();
    await redis.set('replay:px', 'v', 'PX', 1000);
    await redis.set('replay:expire', 'v');
    await redis.pexpire('replay:expire', 1000);
    await redis.set('replay:plain', 'v');
    redis.disconnect();
    await stopNodeProcess(node, 'SIGKILL');
    // Restart only once both TTLs have run out by the clock of the original writes.
    await sleep(Math.max(0, writtenMs + 1300 - Date.now()));
    node = await startNodeProcess({ dataDir: node.dataDir });
    redis = client(node.port, { protocol: 2 });
    assert.equal(await redis.exists('replay:px', 'replay:expire'), 0, 'replay did not restart the TTL clock');
    assert.equal(await redis.pttl('replay:px'), -2);
    assert.equal(await redis.get('replay:plain'), 'v');
  });
});

describe('keys: expired keys before active expiry removes them', () => {
  let node: NodeProcess;
  let redis: Redis;

  before(async () => {
    // Active expiry slowed to a minute, so expired keys are still in memory during the test.
    node = await startNodeProcess({ args: ['--active-expire-interval-ms', '60000'] });
    redis = client(node.port);
  });

  after(async () => {
    redis.disconnect();
    await stopNodeProcess(node);
    removeDir(node.dataDir);
  });

  test('are invisible to KEYS, SCAN, RANDOMKEY, EXISTS, TYPE, COPY and RENAMENX', async () => {
    for (let i = 0; i < 20; i++) await redis.set(`gone:${i}`, 'v', 'PX', 30);
    await redis.set('live', 'v');
    await sleep(80);
    assert.deepEqual(await redis.keys('*'), ['live']);
    assert.deepEqual(await scanAll(redis, 'COUNT', 100), ['live']);
    assert.deepEqual(await scanAll(redis, 'TYPE', 'string'), ['live']);
    for (let i = 0; i < 10; i++) assert.equal(await redis.randomkey(), 'live');
    assert.equal(await redis.exists('gone:1', 'gone:2'), 0);
    assert.equal(await redis.type('gone:3'), 'none');
    assert.equal(await redis.copy('gone:4', 'copied'), 0);
    assert.equal(await redis.renamenx('live', 'gone:5'), 1, 'an expired target counts as absent');
    assert.equal(await redis.get('gone:5'), 'v');
  });
});
