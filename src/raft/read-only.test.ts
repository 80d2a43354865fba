import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaseHolds, leaseTicksFor, ReadOnly } from './read-only.js';

test('the lease is shorter than the election timeout divided by the drift bound', () => {
  for (const election of [10, 30, 100]) {
    for (const drift of [1, 1.05, 1.1, 1.5]) {
      const lease = leaseTicksFor(election, drift);
      assert.ok(lease * drift <= election - 1 && lease < election);
    }
  }
  assert.equal(leaseTicksFor(30, 1.1), 25);
});

test('a lease holds from the acknowledged send tick for leaseTicks, and never without one', () => {
  assert.equal(leaseHolds(10, 5, 8), true);
  assert.equal(leaseHolds(13, 5, 8), false);
  assert.equal(leaseHolds(0, -1, 8), false);
});

test('reads are released in order once their round is acknowledged, and bounded', () => {
  const ro = new ReadOnly(3);
  ro.add({ context: 1, index: 5, round: 1 });
  ro.add({ context: 2, index: 5, round: 2 });
  ro.add({ context: 3, index: 6, round: 2 });
  assert.throws(() => ro.add({ context: 4, index: 6, round: 3 }));
  assert.deepEqual(ro.release(1).map((r) => r.context), [1]);
  assert.deepEqual(ro.release(5).map((r) => r.context), [2, 3]);
  assert.equal(ro.size(), 0);
});
