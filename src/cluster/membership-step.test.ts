// The membership reconciler's single step: add, promote once caught up, remove — one at a time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { membershipStep } from './raft-group.js';

const matchOf = (matches: Record<number, number>) => (id: number): number => matches[id] ?? 0;

test('a node the map wants and the group lacks is added as a learner first', () => {
  assert.deepEqual(membershipStep([1, 2, 3, 4], [1, 2, 3], [], matchOf({}), 50), { type: 'addLearner', nodeId: 4 });
});

test('a learner is promoted once it acknowledged entries close to the leader, not before', () => {
  assert.equal(membershipStep([1, 2, 3, 4], [1, 2, 3], [4], matchOf({}), 20), undefined, 'silent learner, short log');
  assert.equal(membershipStep([1, 2, 3, 4], [1, 2, 3], [4], matchOf({ 4: 10 }), 500), undefined, 'far behind');
  assert.deepEqual(membershipStep([1, 2, 3, 4], [1, 2, 3], [4], matchOf({ 4: 15 }), 20), { type: 'addVoter', nodeId: 4 });
});

test('a node the map no longer has is removed, but never the last voter', () => {
  assert.deepEqual(membershipStep([1, 2], [1, 2, 3], [], matchOf({}), 50), { type: 'removeNode', nodeId: 3 });
  assert.equal(membershipStep([2], [1], [], matchOf({}), 50)?.type, 'addLearner');
  assert.equal(membershipStep([], [1], [], matchOf({}), 50), undefined);
});
