// MULTI/EXEC/DISCARD/WATCH with Redis semantics, including WATCH races between connections.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startNode } from '../src/index.js';
import type { NodeHandle } from '../src/index.js';
import { client, freshDataDir, removeDir } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';

describe('transactions', () => {
  let node: NodeHandle;
  let a: Redis;
  let b: Redis;
  const dataDir = freshDataDir();

  before(async () => {
    node = await startNode({ port: 0, dataDir });
    a = client(node.port);
    b = client(node.port);
  });

  after(async () => {
    a.disconnect();
    b.disconnect();
    await node.close();
    removeDir(dataDir);
  });

  test('EXEC runs the queued commands atomically and returns their replies', async () => {
    const replies = await a.multi().set('t:1', '1').incr('t:1').get('t:1').exec();
    assert.deepEqual(replies, [[null, 'OK'], [null, 2], [null, '2']]);
  });

  test('a runtime error inside EXEC does not roll back the others', async () => {
    await a.set('t:s', 'text');
    const replies = await a.multi().incr('t:s').set('t:after', 'yes').exec();
    assert.ok(replies !== null);
    assert.match(String(replies[0][0]), /ERR value is not an integer or out of range/);
    assert.deepEqual(replies[1], [null, 'OK']);
  });

  test('an error while queueing aborts EXEC with EXECABORT', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('MULTI\r\nSET t:q 1\r\nNOSUCHCOMMAND\r\nGET\r\nEXEC\r\nGET t:q\r\n');
    const text = await raw.readUntil('$-1\r\n');
    assert.equal(text, "+OK\r\n+QUEUED\r\n-ERR unknown command 'NOSUCHCOMMAND', with args beginning with: \r\n-ERR wrong number of arguments for 'get' command\r\n-EXECABORT Transaction discarded because of previous errors.\r\n$-1\r\n");
    raw.close();
  });

  test('DISCARD drops the queue; nesting and stray EXEC/DISCARD are errors', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('MULTI\r\nMULTI\r\nSET t:d 1\r\nDISCARD\r\nGET t:d\r\nEXEC\r\nDISCARD\r\n');
    const text = await raw.readUntil('DISCARD without MULTI\r\n');
    assert.equal(text, '+OK\r\n-ERR MULTI calls can not be nested\r\n+QUEUED\r\n+OK\r\n$-1\r\n-ERR EXEC without MULTI\r\n-ERR DISCARD without MULTI\r\n');
    raw.close();
  });

  test('WATCH aborts EXEC when another connection changed the key', async () => {
    await a.set('w:1', '1');
    await a.watch('w:1');
    await b.set('w:1', '2');
    assert.equal(await a.multi().set('w:1', 'mine').exec(), null);
    assert.equal(await a.get('w:1'), '2');
  });

  test('WATCH lets EXEC run when nothing changed; UNWATCH forgets', async () => {
    await a.set('w:2', '1');
    await a.watch('w:2');
    assert.deepEqual(await a.multi().set('w:2', 'mine').exec(), [[null, 'OK']]);
    await a.watch('w:2');
    await a.unwatch();
    await b.set('w:2', 'theirs');
    assert.deepEqual(await a.multi().get('w:2').exec(), [[null, 'theirs']]);
  });

  test('WATCH aborts when the watched key expires in between', async () => {
    await a.set('w:3', '1', 'PX', 50);
    await a.watch('w:3');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await a.multi().set('w:3', 'x').exec(), null);
  });

  test('WATCH race: concurrent optimistic increments never lose an update', async () => {
    await a.set('w:counter', '0');
    const workers = [a, b];
    let committed = 0;
    await Promise.all(workers.map(async (redis) => {
      for (let done = 0; done < 25;) {
        await redis.watch('w:counter');
        const value = Number(await redis.get('w:counter'));
        const result = await redis.multi().set('w:counter', String(value + 1)).exec();
        if (result !== null) {
          done++;
          committed++;
        }
      }
    }));
    assert.equal(committed, 50);
    assert.equal(await a.get('w:counter'), '50');
  });

  test('WATCH inside MULTI is refused; FLUSHALL dirties every watch', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send('MULTI\r\nWATCH x\r\nDISCARD\r\n');
    assert.equal(await raw.readUntil('+OK\r\n+OK\r\n'.slice(-5)), '+OK\r\n-ERR WATCH inside MULTI is not allowed\r\n+OK\r\n');
    raw.close();
    await a.set('w:f', '1');
    await a.watch('w:f');
    await b.flushall();
    assert.equal(await a.multi().ping().exec(), null);
  });
});
