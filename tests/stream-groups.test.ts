// Consumer groups through ioredis: consumers sharing a group's work, independent groups, a
// crashed consumer's pending entries claimed by another, blocking group reads, and groups
// that survive kill -9. Exact replies are compared with redis-server in differential.test.ts.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { EmbeddedNode } from './support/embedded-node.js';
import { blockedClients, untilBlocked } from './support/blocked-clients.js';
import { client, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import { sleep } from './support/wait.js';

type Entry = [id: string, fields: string[]];
type GroupReply = Array<[string, Entry[]]> | null;

const idsOf = (reply: GroupReply): string[] => (reply === null ? [] : reply.flatMap(([, entries]) => entries.map(([id]) => id)));

describe('stream consumer groups', () => {
  let node: EmbeddedNode;
  let redis: Redis;

  before(async () => {
    node = await EmbeddedNode.start();
    redis = node.client();
  });

  after(() => node.stop());

  test('two consumers of one group share the entries; acknowledged entries leave the pending list', async () => {
    for (let i = 1; i <= 10; i++) await redis.xadd('g:work', `${i}-0`, 'job', String(i));
    await redis.xgroup('CREATE', 'g:work', 'workers', '0');
    const [alice, bob] = [node.client(), node.client()];
    const seen: string[] = [];
    for (;;) {
      const [a, b] = await Promise.all([
        alice.xreadgroup('GROUP', 'workers', 'alice', 'COUNT', 2, 'STREAMS', 'g:work', '>') as Promise<GroupReply>,
        bob.xreadgroup('GROUP', 'workers', 'bob', 'COUNT', 2, 'STREAMS', 'g:work', '>') as Promise<GroupReply>,
      ]);
      if (a === null && b === null) break;
      seen.push(...idsOf(a), ...idsOf(b));
    }
    assert.deepEqual([...seen].sort((x, y) => Number.parseInt(x) - Number.parseInt(y)), Array.from({ length: 10 }, (_, i) => `${i + 1}-0`));
    assert.equal(new Set(seen).size, 10, 'no entry went to both');
    const [count, first, last, perConsumer] = (await redis.xpending('g:work', 'workers')) as [number, string, string, Array<[string, string]>];
    assert.deepEqual([count, first, last], [10, '1-0', '10-0']);
    assert.equal(perConsumer.reduce((sum, [, n]) => sum + Number(n), 0), 10);
    assert.equal(await redis.xack('g:work', 'workers', ...seen.slice(0, 7)), 7);
    assert.equal(((await redis.xpending('g:work', 'workers')) as unknown[])[0], 3);
  });

  test('independent groups each read every entry, from where each stopped', async () => {
    for (let i = 1; i <= 5; i++) await redis.xadd('g:fan', `${i}-0`, 'n', String(i));
    await redis.xgroup('CREATE', 'g:fan', 'billing', '0');
    await redis.xgroup('CREATE', 'g:fan', 'audit', '0');
    assert.deepEqual(idsOf(await redis.xreadgroup('GROUP', 'billing', 'b', 'STREAMS', 'g:fan', '>') as GroupReply), ['1-0', '2-0', '3-0', '4-0', '5-0']);
    assert.deepEqual(idsOf(await redis.xreadgroup('GROUP', 'audit', 'a', 'COUNT', 2, 'STREAMS', 'g:fan', '>') as GroupReply), ['1-0', '2-0']);
    await redis.xadd('g:fan', '6-0', 'n', '6');
    assert.deepEqual(idsOf(await redis.xreadgroup('GROUP', 'audit', 'a', 'STREAMS', 'g:fan', '>') as GroupReply), ['3-0', '4-0', '5-0', '6-0']);
    assert.deepEqual(idsOf(await redis.xreadgroup('GROUP', 'billing', 'b', 'STREAMS', 'g:fan', '>') as GroupReply), ['6-0']);
  });

  test('a crashed consumer\'s pending entries are claimed by another after the idle time', async () => {
    for (let i = 1; i <= 3; i++) await redis.xadd('g:crash', `${i}-0`, 'task', String(i));
    await redis.xgroup('CREATE', 'g:crash', 'g', '0');
    const doomed = node.client();
    assert.equal(idsOf(await doomed.xreadgroup('GROUP', 'g', 'doomed', 'STREAMS', 'g:crash', '>') as GroupReply).length, 3);
    doomed.disconnect();
    const rescuer = node.client();
    const [early] = (await rescuer.xautoclaim('g:crash', 'g', 'rescuer', 60_000, '0')) as [string, Entry[], string[]];
    assert.equal(early, '0-0');
    assert.deepEqual(((await rescuer.xautoclaim('g:crash', 'g', 'rescuer', 60_000, '0')) as unknown[])[1], [], 'not idle long enough yet');
    await sleep(120);
    const [next, claimed, deleted] = (await rescuer.xautoclaim('g:crash', 'g', 'rescuer', 100, '0', 'COUNT', 2)) as [string, Entry[], string[]];
    assert.deepEqual([next, claimed.map(([id]) => id), deleted], ['3-0', ['1-0', '2-0'], []]);
    assert.deepEqual(((await rescuer.xclaim('g:crash', 'g', 'rescuer', 100, '3-0')) as Entry[]).map(([id]) => id), ['3-0']);
    const pending = (await rescuer.xpending('g:crash', 'g', '-', '+', 10)) as Array<[string, string, number, number]>;
    assert.deepEqual(pending.map(([id, consumer, , deliveries]) => [id, consumer, deliveries]), [['1-0', 'rescuer', 2], ['2-0', 'rescuer', 2], ['3-0', 'rescuer', 2]]);
    assert.ok(pending.every(([, , idle]) => idle < 100), 'a claim restarts the idle time');
  });

  test('XCLAIM takes a delivery time in the future or before the epoch as now, and a negative RETRYCOUNT as none (as Redis)', async () => {
    await redis.xadd('g:claim', '1-0', 'f', 'v');
    await redis.xgroup('CREATE', 'g:claim', 'g', '0');
    await redis.xreadgroup('GROUP', 'g', 'first', 'STREAMS', 'g:claim', '>');
    const deliveries = async () => ((await redis.xpending('g:claim', 'g', '-', '+', 10)) as Array<[string, string, number, number]>).map(([, consumer, idle, count]) => [consumer, idle >= 0 && idle < 60_000, count]);
    assert.deepEqual(await redis.xclaim('g:claim', 'g', 'second', 0, '1-0', 'IDLE', -60_000, 'JUSTID'), ['1-0']);
    assert.deepEqual(await deliveries(), [['second', true, 1]], 'claimed "in a minute" means claimed now');
    assert.deepEqual(await redis.xclaim('g:claim', 'g', 'third', 0, '1-0', 'TIME', Date.now() + 3_600_000, 'JUSTID'), ['1-0'], 'a time ahead of now does not hide the entry from the next claim');
    assert.deepEqual(await redis.xclaim('g:claim', 'g', 'fourth', 0, '1-0', 'RETRYCOUNT', -1, 'JUSTID'), ['1-0']);
    assert.deepEqual(await deliveries(), [['fourth', true, 1]], 'JUSTID with a negative count leaves the counter');
    await redis.xclaim('g:claim', 'g', 'fifth', 0, '1-0', 'RETRYCOUNT', -7);
    assert.deepEqual(await deliveries(), [['fifth', true, 2]], 'a negative count counts the delivery');
  });

  test('a blocked group read is woken by XADD: one consumer of a group per entry, every group gets it', async () => {
    await redis.xgroup('CREATE', 'g:live', 'g1', '$', 'MKSTREAM');
    await redis.xgroup('CREATE', 'g:live', 'g2', '$');
    const [c1, c2, other] = [node.client(), node.client(), node.client()];
    const first = c1.xreadgroup('GROUP', 'g1', 'c1', 'BLOCK', 5000, 'STREAMS', 'g:live', '>') as Promise<GroupReply>;
    assert.ok(await untilBlocked(redis, 1));
    const second = c2.xreadgroup('GROUP', 'g1', 'c2', 'BLOCK', 5000, 'STREAMS', 'g:live', '>') as Promise<GroupReply>;
    const otherGroup = other.xreadgroup('GROUP', 'g2', 'o', 'BLOCK', 5000, 'STREAMS', 'g:live', '>') as Promise<GroupReply>;
    assert.ok(await untilBlocked(redis, 3));
    await redis.xadd('g:live', '1-0', 'n', '1');
    assert.deepEqual(idsOf(await first), ['1-0'], 'the longest-waiting consumer of g1');
    assert.deepEqual(idsOf(await otherGroup), ['1-0'], 'g2 gets the same entry');
    assert.equal(await blockedClients(redis), 1, 'the other consumer of g1 still waits');
    await redis.xadd('g:live', '2-0', 'n', '2');
    assert.deepEqual(idsOf(await second), ['2-0']);
  });

  test('XINFO STREAM FULL shows entries, groups, pending entries and consumers, up to COUNT', async () => {
    const object = (flat: unknown): Record<string, unknown> => {
      const items = flat as unknown[];
      return Object.fromEntries(Array.from({ length: items.length / 2 }, (_, i) => [items[2 * i] as string, items[2 * i + 1]]));
    };
    for (let i = 1; i <= 3; i++) await redis.xadd('g:info', `${i}-0`, 'n', String(i));
    await redis.xgroup('CREATE', 'g:info', 'g', '0');
    await redis.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 2, 'STREAMS', 'g:info', '>');
    const info = object(await redis.xinfo('STREAM', 'g:info', 'FULL'));
    assert.equal(info.length, 3);
    assert.deepEqual((info.entries as Entry[]).map(([id]) => id), ['1-0', '2-0', '3-0']);
    const [group] = (info.groups as unknown[]).map(object);
    assert.deepEqual([group.name, group['last-delivered-id'], group['entries-read'], group.lag, group['pel-count']], ['g', '2-0', 2, 1, 2]);
    assert.deepEqual((group.pending as unknown[][]).map(([id, consumer, , deliveries]) => [id, consumer, deliveries]), [['1-0', 'c1', 1], ['2-0', 'c1', 1]]);
    const [consumer] = (group.consumers as unknown[]).map(object);
    assert.deepEqual([consumer.name, consumer['pel-count'], (consumer.pending as unknown[][]).map(([id]) => id)], ['c1', 2, ['1-0', '2-0']]);
    assert.ok(Math.abs(Number(consumer['seen-time']) - Date.now()) < 60_000, 'seen-time is a Unix time in ms');
    const limited = object(await redis.xinfo('STREAM', 'g:info', 'FULL', 'COUNT', 1));
    assert.equal((limited.entries as unknown[]).length, 1);
    assert.equal((object((limited.groups as unknown[])[0]).pending as unknown[]).length, 1);
    await assert.rejects(redis.xinfo('STREAM', 'g:info', 'FULL', 'COUNT', 'x'), /^ReplyError: ERR value is not an integer or out of range$/);
  });

  test('destroying the group releases a blocked consumer with NOGROUP', async () => {
    await redis.xgroup('CREATE', 'g:doomed', 'g', '$', 'MKSTREAM');
    const reader = node.client();
    const pending = reader.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 5000, 'STREAMS', 'g:doomed', '>');
    assert.ok(await untilBlocked(redis, 1));
    assert.equal(await redis.xgroup('DESTROY', 'g:doomed', 'g'), 1);
    await assert.rejects(pending, /^ReplyError: NOGROUP the consumer group this client was blocked on no longer exists$/);
  });

  test('deleting, overwriting or flushing the stream releases blocked consumers with UNBLOCKED; plain readers keep waiting', async () => {
    const remove: Array<(key: string) => Promise<unknown>> = [(key) => redis.del(key), (key) => redis.set(key, 'now a string'), () => redis.flushall()];
    for (const [i, removeKey] of remove.entries()) {
      const key = `g:gone:${i}`;
      await redis.xgroup('CREATE', key, 'g', '$', 'MKSTREAM');
      const consumer = node.client();
      const plainReader = node.client();
      const blocked = consumer.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 5000, 'STREAMS', key, '>');
      const waiting = plainReader.xread('BLOCK', 400, 'STREAMS', key, '$');
      assert.ok(await untilBlocked(redis, 2));
      await removeKey(key);
      await assert.rejects(blocked, /^ReplyError: UNBLOCKED the stream key no longer exists$/);
      assert.equal(await waiting, null, 'XREAD is not released by the deletion: it times out');
    }
  });
});

describe('stream consumer groups across kill -9', () => {
  test('entries, group positions, consumers and pending lists are identical after a crash and restart', async () => {
    let node = await startNodeProcess();
    let redis = client(node.port, { retryStrategy: () => null });
    try {
      for (let i = 1; i <= 120; i++) await redis.xadd('k:orders', `${i}-1`, 'order', String(i));
      await redis.xgroup('CREATE', 'k:orders', 'shipping', '0');
      await redis.xgroup('CREATE', 'k:orders', 'mail', '$');
      await redis.xreadgroup('GROUP', 'shipping', 'w1', 'COUNT', 30, 'STREAMS', 'k:orders', '>');
      await redis.xreadgroup('GROUP', 'shipping', 'w2', 'COUNT', 10, 'NOACK', 'STREAMS', 'k:orders', '>');
      await redis.xreadgroup('GROUP', 'shipping', 'w3', 'COUNT', 5, 'STREAMS', 'k:orders', '>');
      await redis.xack('k:orders', 'shipping', '2-1', '7-1');
      await redis.xclaim('k:orders', 'shipping', 'w3', 0, '10-1', 'RETRYCOUNT', 4);
      await redis.xdel('k:orders', '3-1');
      const state = async () => ({
        entries: await redis.xrange('k:orders', '-', '+'),
        groups: await redis.xinfo('GROUPS', 'k:orders'),
        summary: await redis.xpending('k:orders', 'shipping'),
        pending: ((await redis.xpending('k:orders', 'shipping', '-', '+', 1000)) as Array<[string, string, number, number]>)
          .map(([id, consumer, , deliveries]) => [id, consumer, deliveries]),
        consumers: ((await redis.xinfo('CONSUMERS', 'k:orders', 'shipping')) as unknown[][]).map((fields) => [fields[1], fields[3]]),
      });
      const before = await state();
      await stopNodeProcess(node, 'SIGKILL');
      node = await startNodeProcess({ dataDir: node.dataDir });
      redis.disconnect();
      redis = client(node.port, { retryStrategy: () => null });
      assert.deepEqual(await state(), before);
      assert.deepEqual(idsOf(await redis.xreadgroup('GROUP', 'shipping', 'w1', 'COUNT', 1, 'STREAMS', 'k:orders', '>') as GroupReply), ['46-1'], 'the group goes on from where it was');
    } finally {
      redis.disconnect();
      await stopNodeProcess(node);
      removeDir(node.dataDir);
    }
  });
});
