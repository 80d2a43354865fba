// The index queue behaves as a Map from index to value, iterated in index order, whatever the
// order of the operations (mostly ascending, as Raft proposes and request ids grow; sometimes not).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IndexQueue } from './index-queue.js';

type Operation =
  | { readonly op: 'set'; readonly index: number; readonly value: number }
  | { readonly op: 'append'; readonly gap: number; readonly value: number }
  | { readonly op: 'take'; readonly index: number }
  | { readonly op: 'takeFirst' }
  | { readonly op: 'removeBelow'; readonly index: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), index: fc.integer({ min: 1, max: 40 }), value: fc.integer() }),
  fc.record({ op: fc.constant('append' as const), gap: fc.integer({ min: 1, max: 3 }), value: fc.integer() }),
  fc.record({ op: fc.constant('take' as const), index: fc.integer({ min: 1, max: 40 }) }),
  fc.constant({ op: 'takeFirst' as const }),
  fc.record({ op: fc.constant('removeBelow' as const), index: fc.integer({ min: 1, max: 40 }) }),
);

const inOrder = (model: Map<number, number>): Array<[number, number]> => [...model].sort((a, b) => a[0] - b[0]);

test('an index queue answers as a sorted map under any sequence of operations', () => {
  fc.assert(fc.property(fc.array(operation, { maxLength: 400 }), (operations) => {
    const queue = new IndexQueue<number>();
    const model = new Map<number, number>();
    let last = 0;
    for (const step of operations) {
      switch (step.op) {
        case 'set':
          queue.set(step.index, step.value);
          model.set(step.index, step.value);
          break;
        case 'append': {
          const index = Math.max(last, ...model.keys()) + step.gap;
          queue.set(index, step.value);
          model.set(index, step.value);
          break;
        }
        case 'take':
          assert.equal(queue.take(step.index), model.get(step.index));
          model.delete(step.index);
          break;
        case 'takeFirst': {
          const first = inOrder(model)[0];
          if (first === undefined) break;
          assert.equal(queue.take(first[0]), first[1]);
          model.delete(first[0]);
          break;
        }
        case 'removeBelow': {
          const expected = inOrder(model).filter(([index]) => index < step.index);
          assert.deepEqual(queue.removeIf((_, index) => index < step.index), expected.map(([, value]) => value));
          for (const [index] of expected) model.delete(index);
          break;
        }
      }
      last = Math.max(last, ...model.keys());
      assert.equal(queue.size, model.size);
    }
    for (const [index, value] of model) assert.equal(queue.get(index), value);
    const values = inOrder(model).map(([, value]) => value);
    assert.deepEqual([...queue.values()], values);
    assert.deepEqual(queue.removeIf(() => true), values);
    assert.equal(queue.size, 0);
  }), { numRuns: 300 });
});

test('a queue that grows past its first capacity keeps every value in order', () => {
  const queue = new IndexQueue<string>();
  for (let index = 1; index <= 1000; index++) queue.set(index * 2, `v${index}`);
  for (let index = 1; index <= 500; index++) assert.equal(queue.take(index * 2), `v${index}`);
  for (let index = 1001; index <= 1500; index++) queue.set(index * 2, `v${index}`);
  assert.equal(queue.size, 1000);
  assert.equal(queue.get(3), undefined, 'an index never set');
  assert.deepEqual(queue.removeIf(() => true), Array.from({ length: 1000 }, (_, i) => `v${501 + i}`));
});

test('an index taken from the middle and set again counts once', () => {
  const queue = new IndexQueue<string>();
  for (const index of [1, 2, 3]) queue.set(index, `v${index}`);
  assert.equal(queue.take(2), 'v2');
  assert.equal(queue.get(2), undefined);
  queue.set(2, 'again');
  assert.equal(queue.size, 3);
  assert.deepEqual(queue.removeIf(() => true), ['v1', 'again', 'v3']);
});
