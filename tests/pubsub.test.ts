// Publish/subscribe in RESP2 (ioredis subscriber mode) and RESP3 (raw pushes), client
// tracking invalidations, and the output-buffer limit for subscribers that never read.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { EmbeddedNode } from './support/embedded-node.js';
import { RawClient } from './support/raw-client.js';

function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`).join('')}`;
}

describe('pub/sub and client tracking', () => {
  let node: EmbeddedNode;
  const connect = (): Redis => node.client();

  before(async () => {
    node = await EmbeddedNode.start();
  });

  after(() => node.stop());

  test('SUBSCRIBE/PSUBSCRIBE receive PUBLISH; PUBLISH counts receivers; PUBSUB introspects', async () => {
    const subscriber = connect();
    const publisher = connect();
    const messages: string[] = [];
    subscriber.on('message', (channel, message) => messages.push(`${channel}:${message}`));
    subscriber.on('pmessage', (pattern, channel, message) => messages.push(`${pattern}|${channel}:${message}`));
    assert.equal(await subscriber.subscribe('news', 'sport'), 2);
    assert.equal(await subscriber.psubscribe('n*'), 3);
    assert.equal(await publisher.publish('news', 'hello'), 2);
    assert.equal(await publisher.publish('weather', 'rain'), 0);
    assert.deepEqual((await publisher.pubsub('CHANNELS')) as string[], ['news', 'sport']);
    assert.deepEqual(await publisher.pubsub('NUMSUB', 'news', 'none'), ['news', 1, 'none', 0]);
    assert.equal(await publisher.pubsub('NUMPAT'), 1);
    for (let i = 0; i < 100 && messages.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(messages.sort(), ['n*|news:hello', 'news:hello']);
    await subscriber.unsubscribe('news', 'sport');
    await subscriber.punsubscribe('n*');
    assert.equal(await publisher.publish('news', 'again'), 0);
  });

  test('RESP2 subscribed mode allows only (un)subscribe, PING, QUIT, RESET', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send(command('SUBSCRIBE', 'c') + command('GET', 'x') + command('PING'));
    const expected = "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n";
    assert.equal(await raw.read(expected.length), expected);
    raw.send(command('UNSUBSCRIBE') + command('UNSUBSCRIBE'));
    const unsubscribed = '*3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n';
    assert.equal(await raw.read(unsubscribed.length), unsubscribed);
    raw.close();
  });

  test('RESP3 subscribers get push messages and may keep running commands', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send(command('HELLO', '3'));
    await raw.readUntil('*0\r\n');
    raw.send(command('SSUBSCRIBE', 'shard') + command('SET', 'r3', 'v'));
    const subscribed = '>3\r\n$10\r\nssubscribe\r\n$5\r\nshard\r\n:1\r\n+OK\r\n';
    assert.equal(await raw.read(subscribed.length), subscribed);
    const publisher = connect();
    assert.equal(await publisher.call('SPUBLISH', 'shard', 'hi'), 1);
    const message = '>3\r\n$8\r\nsmessage\r\n$5\r\nshard\r\n$2\r\nhi\r\n';
    assert.equal(await raw.read(message.length), message);
    raw.close();
  });

  test('CLIENT TRACKING (RESP3): reading a key, then a change by anyone, sends one invalidation', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send(command('HELLO', '3'));
    await raw.readUntil('*0\r\n');
    raw.send(command('CLIENT', 'TRACKING', 'on') + command('GET', 'cached'));
    assert.equal(await raw.read(8), '+OK\r\n_\r\n');
    const writer = connect();
    await writer.set('cached', 'new');
    const invalidation = '>2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\ncached\r\n';
    assert.equal(await raw.read(invalidation.length), invalidation);
    await writer.set('cached', 'newer');
    raw.send(command('PING'));
    assert.equal(await raw.read(7), '+PONG\r\n', 'no second invalidation until the key is read again');
    raw.close();
  });

  test('CLIENT TRACKING with REDIRECT delivers invalidations to a RESP2 subscriber of __redis__:invalidate', async () => {
    const listener = await RawClient.connect(node.port);
    listener.send(command('CLIENT', 'ID'));
    const listenerId = Number((await listener.read(4)).slice(1, -2));
    listener.send(command('SUBSCRIBE', '__redis__:invalidate'));
    await listener.readUntil(':1\r\n');
    const reader = connect();
    assert.equal(await reader.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(listenerId), 'BCAST', 'PREFIX', 'user:'), 'OK');
    assert.equal(await reader.call('CLIENT', 'GETREDIR'), listenerId);
    const writer = connect();
    await writer.set('user:1', 'x');
    await writer.set('other', 'y');
    const message = '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$6\r\nuser:1\r\n';
    assert.equal(await listener.read(message.length), message);
    await assert.rejects(reader.call('CLIENT', 'TRACKING', 'on', 'PREFIX', 'a'), /ERR PREFIX option requires BCAST mode to be enabled/);
    listener.close();
  });

  test('a subscriber that never reads is disconnected at its output-buffer limit; others are fine', async () => {
    const raw = await RawClient.connect(node.port);
    raw.send(command('SUBSCRIBE', 'flood'));
    await raw.read(10);
    raw.pause();
    const publisher = connect();
    const payload = 'p'.repeat(1024 * 1024);
    for (let i = 0; i < 200 && !raw.closed; i++) {
      await publisher.publish('flood', payload);
    }
    const info = await publisher.info('stats');
    assert.match(info, /client_output_buffer_limit_disconnections:1/);
    assert.equal(await publisher.ping(), 'PONG');
    raw.close();
  });
});
