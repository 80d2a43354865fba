// Streams through ioredis against an embedded node: IDs from the log's stamps, ranges, trimming,
// XREAD (offline replay from an old ID and online blocking reads woken by other connections),
// and entries, IDs and trimming positions that survive a restart. Replies are compared with
// redis-server in tests/differential.test.ts.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { EmbeddedNode } from './support/embedded-node.js';
import { blockedClients, untilBlocked } from './support/blocked-clients.js';

type Entry = [id: string, fields: string[]];


describe('streams', () => {
  let node: EmbeddedNode;
  let redis: Redis;

  before(async () => {
    node = await EmbeddedNode.start();
    redis = node.client();
  });

  after(() => node.stop());

  test('XADD * makes increasing IDs from the entry time; XRANGE and XREVRANGE return them in order', async () => {
    const before = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) ids.push((await redis.xadd('s:auto', '*', 'n', String(i))) as string);
    const [ms] = ids[0].split('-').map(Number);
    assert.ok(ms >= before - 1000 && ms <= Date.now() + 1000, `the ID is a time stamp: ${ids[0]}`);
    const parsed = ids.map((id) => id.split('-').map(Number));
    for (let i = 1; i < parsed.length; i++) {
      const [a, b] = [parsed[i - 1], parsed[i]];
      assert.ok(b[0] > a[0] || (b[0] === a[0] && b[1] === a[1] + 1), `${ids[i - 1]} < ${ids[i]}`);
    }
    const all = (await redis.xrange('s:auto', '-', '+')) as Entry[];
    assert.deepEqual(all.map(([id]) => id), ids);
    assert.deepEqual(all[7][1], ['n', '7']);
    const reversed = (await redis.xrevrange('s:auto', '+', '-', 'COUNT', 3)) as Entry[];
    assert.deepEqual(reversed.map(([id]) => id), ids.slice(-3).reverse());
    assert.deepEqual(((await redis.xrange('s:auto', ids[100], ids[102])) as Entry[]).map(([id]) => id), ids.slice(100, 103));
    assert.deepEqual(((await redis.xrange('s:auto', `(${ids[100]}`, '+', 'COUNT', 2)) as Entry[]).map(([id]) => id), ids.slice(101, 103));
    assert.equal(await redis.xlen('s:auto'), 250);
  });

  test('XDEL leaves holes that ranges skip; the stream keeps its last ID when emptied', async () => {
    for (let i = 1; i <= 5; i++) await redis.xadd('s:del', `1-${i}`, 'f', String(i));
    assert.equal(await redis.xdel('s:del', '1-2', '1-4', '9-9'), 2);
    assert.deepEqual(((await redis.xrange('s:del', '-', '+')) as Entry[]).map(([id]) => id), ['1-1', '1-3', '1-5']);
    assert.deepEqual(((await redis.xrevrange('s:del', '1-4', '-')) as Entry[]).map(([id]) => id), ['1-3', '1-1']);
    assert.equal(await redis.xdel('s:del', '1-1', '1-3', '1-5'), 3);
    assert.equal(await redis.xlen('s:del'), 0);
    assert.equal(await redis.exists('s:del'), 1, 'an empty stream is still a stream');
    assert.equal(await redis.type('s:del'), 'stream');
    await assert.rejects(redis.xadd('s:del', '1-5', 'f', 'v'), /equal or smaller than the target stream top item/);
    assert.equal(await redis.xadd('s:del', '1-*', 'f', 'v'), '1-6');
  });

  test('MAXLEN and MINID trim exactly, and ~ trims whole blocks of 100 entries only', async () => {
    for (let i = 1; i <= 1000; i++) await redis.xadd('s:trim', `${i}-0`, 'f', 'v');
    assert.equal(await redis.xtrim('s:trim', 'MAXLEN', 950), 50);
    assert.equal(await redis.xtrim('s:trim', 'MAXLEN', '~', 880), 50, 'the rest of the first block; the next would go under 880');
    assert.equal(await redis.xtrim('s:trim', 'MAXLEN', '~', 800), 100, 'one whole block');
    assert.equal(await redis.xlen('s:trim'), 800);
    assert.equal(await redis.xtrim('s:trim', 'MINID', '250-0'), 49);
    assert.deepEqual(((await redis.xrange('s:trim', '-', '+', 'COUNT', 1)) as Entry[])[0][0], '250-0');
    assert.equal(await redis.xtrim('s:trim', 'MAXLEN', '~', 0, 'LIMIT', 100), 51, 'LIMIT caps whole blocks');
    await redis.xadd('s:trim', 'MAXLEN', 3, '2000-0', 'f', 'v');
    assert.equal(await redis.xlen('s:trim'), 3);
  });

  test('XREAD replays from an old ID (offline consumption) and pages with COUNT', async () => {
    for (let i = 1; i <= 10; i++) await redis.xadd('s:log', `${i}-0`, 'i', String(i));
    let cursor = '0';
    const seen: string[] = [];
    for (;;) {
      const reply = (await redis.xread('COUNT', 4, 'STREAMS', 's:log', cursor)) as Array<[string, Entry[]]> | null;
      if (reply === null) break;
      const [[key, entries]] = reply;
      assert.equal(key, 's:log');
      seen.push(...entries.map(([id]) => id));
      cursor = entries[entries.length - 1][0];
    }
    assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => `${i + 1}-0`));
    const two = (await redis.xread('STREAMS', 's:log', 's:none', '9-0', '0')) as Array<[string, Entry[]]>;
    assert.deepEqual(two, [['s:log', [['10-0', ['i', '10']]]]]);
  });

  test('a blocked XREAD is woken by an XADD from another connection, with $ meaning "after the last entry then"', async () => {
    await redis.xadd('s:live', '1-0', 'old', 'x');
    const reader = node.client();
    const pending = reader.xread('BLOCK', 5000, 'STREAMS', 's:live', '$');
    assert.ok(await untilBlocked(redis, 1), 'the reader blocked');
    // An entry for another key does not wake it, and neither do its own retries.
    await redis.xadd('s:elsewhere', '1-0', 'x', 'y');
    assert.equal(await blockedClients(redis), 1);
    const id = await redis.xadd('s:live', '*', 'new', 'y');
    assert.deepEqual(await pending, [['s:live', [[id, ['new', 'y']]]]]);
    assert.equal(await blockedClients(redis), 0);
  });

  test('every reader blocked on a stream gets the new entry, and a timeout answers null', async () => {
    const readers = [node.client(), node.client(), node.client()];
    const replies = readers.map((reader) => reader.xread('BLOCK', 5000, 'STREAMS', 's:fan', '$'));
    assert.ok(await untilBlocked(redis, 3), 'three readers blocked');
    await redis.xadd('s:fan', '7-7', 'hello', 'all');
    for (const reply of await Promise.all(replies)) assert.deepEqual(reply, [['s:fan', [['7-7', ['hello', 'all']]]]]);
    const started = Date.now();
    assert.equal(await readers[0].xread('BLOCK', 150, 'STREAMS', 's:fan', '$'), null);
    assert.ok(Date.now() - started >= 140, 'it waited for its timeout');
  });

  test('XADD inside MULTI/EXEC wakes a blocked reader; XREAD BLOCK inside MULTI does not block', async () => {
    const reader = node.client();
    const pending = reader.xread('BLOCK', 5000, 'STREAMS', 's:tx', '0');
    assert.ok(await untilBlocked(redis, 1), 'the reader blocked');
    const results = await redis.multi().xadd('s:tx', '3-1', 'a', '1').xread('BLOCK', 0, 'STREAMS', 's:none', '$').exec();
    assert.deepEqual(results, [[null, '3-1'], [null, null]]);
    assert.deepEqual(await pending, [['s:tx', [['3-1', ['a', '1']]]]]);
  });

  test('WRONGTYPE for other types; NOMKSTREAM creates nothing', async () => {
    await redis.set('s:string', 'v');
    await assert.rejects(redis.xadd('s:string', '*', 'f', 'v'), /^ReplyError: WRONGTYPE/);
    await assert.rejects(redis.xread('STREAMS', 's:string', '0'), /^ReplyError: WRONGTYPE/);
    assert.equal(await redis.xlen('s:missing'), 0);
    assert.equal(await redis.xadd('s:missing', 'NOMKSTREAM', '*', 'f', 'v'), null);
    assert.equal(await redis.exists('s:missing'), 0);
  });

  test('entries, holes, last IDs, counters, block boundaries and consumer groups survive a restart (snapshot and log replay)', async () => {
    for (let i = 1; i <= 150; i++) await redis.xadd('s:durable', `${i}-1`, 'k', `v${i}`);
    await redis.xdel('s:durable', '3-1', '150-1');
    await redis.xadd('s:replayed', '5-5', 'a', 'b');
    await redis.xgroup('CREATE', 's:durable', 'g', '0', 'ENTRIESREAD', '0');
    await redis.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 20, 'STREAMS', 's:durable', '>');
    await redis.xreadgroup('GROUP', 'g', 'c2', 'COUNT', 5, 'STREAMS', 's:durable', '>');
    await redis.xack('s:durable', 'g', '1-1', '22-1');
    await redis.xgroup('CREATECONSUMER', 's:durable', 'g', 'idle-one');
    const state = async () => ({
      entries: await redis.xrange('s:durable', '-', '+'),
      groups: await redis.xinfo('GROUPS', 's:durable'),
      pending: ((await redis.xpending('s:durable', 'g', '-', '+', 100)) as Array<[string, string, number, number]>).map(([id, consumer, , n]) => [id, consumer, n]),
      consumers: ((await redis.xinfo('CONSUMERS', 's:durable', 'g')) as unknown[][]).map((fields) => [fields[1], fields[3]]),
    });
    for (const snapshot of [true, false]) {
      const before = await state();
      await node.restart({ snapshot });
      redis = node.client();
      assert.deepEqual(await state(), before, `after a restart with snapshot=${snapshot}`);
      assert.deepEqual(await redis.xrange('s:replayed', '-', '+'), [['5-5', ['a', 'b']]]);
    }
    await assert.rejects(redis.xadd('s:durable', '150-1', 'k', 'v'), /equal or smaller/, 'the last ID outlives its deleted entry');
    // The first block still ends at entry 100, so an approximate trim removes the same entries.
    assert.equal(await redis.xtrim('s:durable', 'MAXLEN', '~', 1), 99);
  });
});

describe('stream capacity (XCONFIG MAXLEN-REJECT, peak shaving)', () => {
  let node: EmbeddedNode;
  let redis: Redis;

  before(async () => {
    node = await EmbeddedNode.start();
    redis = node.client();
  });

  after(() => node.stop());

  test('a full stream refuses XADD with STREAMFULL and loses nothing; consuming makes room; the limit survives a restart', async () => {
    await redis.xadd('q:sale', '1-0', 'order', '1');
    assert.equal(await redis.call('XCONFIG', 'q:sale', 'MAXLEN-REJECT', '3'), 'OK');
    assert.deepEqual(await redis.call('XCONFIG', 'q:sale'), ['maxlen-reject', 3]);
    await redis.xadd('q:sale', '2-0', 'order', '2');
    await redis.xadd('q:sale', '3-0', 'order', '3');
    await assert.rejects(redis.xadd('q:sale', '4-0', 'order', '4'), /^ReplyError: STREAMFULL the stream holds its 3 entries/);
    assert.deepEqual(((await redis.xrange('q:sale', '-', '+')) as Entry[]).map(([id]) => id), ['1-0', '2-0', '3-0'], 'nothing was trimmed');
    await node.restart({ snapshot: true });
    redis = node.client();
    await assert.rejects(redis.xadd('q:sale', '4-0', 'order', '4'), /^ReplyError: STREAMFULL/);
    await redis.xdel('q:sale', '1-0');
    assert.equal(await redis.xadd('q:sale', '4-0', 'order', '4'), '4-0', 'a consumed entry makes room');
    assert.equal(await redis.call('XCONFIG', 'q:sale', 'MAXLEN-REJECT', '0'), 'OK');
    assert.equal(await redis.xadd('q:sale', '5-0', 'order', '5'), '5-0');
    await assert.rejects(redis.call('XCONFIG', 'q:none', 'MAXLEN-REJECT', '5'), /^ReplyError: ERR no such key$/);
    await assert.rejects(redis.call('XCONFIG', 'q:sale', 'MAXLEN-REJECT', '-1'), /^ReplyError: ERR MAXLEN-REJECT must be a non-negative integer/);
    await assert.rejects(redis.call('XCONFIG', 'q:sale', 'FOO', '1'), /^ReplyError: ERR syntax error$/);
  });
});
