import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SortedSetValue } from './sorted-set.js';

function model(entries: Map<string, number>): Array<[string, number]> {
  return [...entries].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

test('the skip list agrees with a sorted array on adds, removes, ranks and ranges', () => {
  const op = fc.oneof(
    fc.tuple(fc.constant('add'), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), fc.integer({ min: -5, max: 5 })),
    fc.tuple(fc.constant('remove'), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), fc.constant(0)),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
    const zset = new SortedSetValue();
    const expected = new Map<string, number>();
    for (const [kind, member, score] of ops) {
      if (kind === 'add') {
        zset.add(member, score);
        expected.set(member, score);
      } else {
        assert.equal(zset.remove(member), expected.delete(member));
      }
      const sorted = model(expected);
      assert.deepEqual([...zset.entries()], sorted);
      assert.equal(zset.size, sorted.length);
      sorted.forEach(([m], i) => assert.equal(zset.rank(m), i));
      if (sorted.length > 0) {
        assert.deepEqual(zset.rangeByRank(0, sorted.length - 1, true), [...sorted].reverse());
        assert.deepEqual(zset.rangeByRank(1, Math.min(2, sorted.length - 1), false), sorted.slice(1, 3));
      }
      assert.equal(zset.firstRankAtLeast({ value: 0, exclusive: false }), sorted.filter(([, s]) => s < 0).length);
    }
  }), { numRuns: 300 });
});

test('large sorted sets keep O(log n) structure consistent', () => {
  const zset = new SortedSetValue();
  for (let i = 0; i < 20000; i++) zset.add(`m${i}`, (i * 7919) % 10007);
  for (let i = 0; i < 20000; i += 3) zset.remove(`m${i}`);
  const entries = [...zset.entries()];
  for (let i = 1; i < entries.length; i++) assert.ok(entries[i - 1][1] <= entries[i][1]);
  assert.equal(zset.rank(entries[5000][0]), 5000);
  assert.deepEqual(zset.rangeByRank(5000, 5000, false), [entries[5000]]);
});
