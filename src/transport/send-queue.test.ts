import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SendQueue } from './send-queue.js';

const text = (payloads: readonly Uint8Array[]): string[] => payloads.map((payload) => Buffer.from(payload).toString());

describe('send queue', () => {
  test('payloads come out oldest first and the queue is empty afterwards', () => {
    const queue = new SendQueue(100);
    for (const word of ['a', 'bb', 'ccc']) assert.equal(queue.push(Buffer.from(word)), 0);
    assert.equal(queue.bytes, 6);
    assert.deepEqual(text(queue.takeAll()), ['a', 'bb', 'ccc']);
    assert.equal(queue.length, 0);
    assert.equal(queue.bytes, 0);
  });

  test('beyond the byte bound the oldest payloads are dropped and counted', () => {
    const queue = new SendQueue(10);
    assert.equal(queue.push(Buffer.from('1234')), 0);
    assert.equal(queue.push(Buffer.from('5678')), 0);
    assert.equal(queue.push(Buffer.from('9abcdef')), 2);
    assert.deepEqual(text(queue.takeAll()), ['9abcdef']);
  });

  test('a payload larger than the whole bound is dropped itself, keeping the queue', () => {
    const queue = new SendQueue(4);
    queue.push(Buffer.from('ok'));
    assert.equal(queue.push(Buffer.from('too large')), 1);
    assert.deepEqual(text(queue.takeAll()), ['ok']);
  });

  test('a long run of drops keeps the bound and the order', () => {
    const queue = new SendQueue(30);
    let dropped = 0;
    for (let i = 0; i < 10_000; i++) dropped += queue.push(Buffer.from(String(i).padStart(5, '0')));
    assert.equal(dropped, 10_000 - 6);
    assert.deepEqual(text(queue.takeAll()), ['09994', '09995', '09996', '09997', '09998', '09999']);
  });
});
