import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jointCommitted, jointVoteResult, majorityCommitted, majorityVoteResult } from './quorum.js';

test('a majority commits the highest index held by more than half of the voters', () => {
  const acked = new Map([[1, 5], [2, 3], [3, 9]]);
  assert.equal(majorityCommitted([1, 2, 3], (id) => acked.get(id) ?? 0), 5);
  assert.equal(majorityCommitted([1, 2, 3, 4], (id) => acked.get(id) ?? 0), 3);
  assert.equal(majorityCommitted([3], (id) => acked.get(id) ?? 0), 9);
});

test('a vote is won with a majority, lost when a majority is out of reach, pending otherwise', () => {
  assert.equal(majorityVoteResult([1, 2, 3], new Map([[1, true], [2, true]])), 'won');
  assert.equal(majorityVoteResult([1, 2, 3], new Map([[1, true]])), 'pending');
  assert.equal(majorityVoteResult([1, 2, 3], new Map([[1, true], [2, false], [3, false]])), 'lost');
  assert.equal(majorityVoteResult([1, 2, 3, 4], new Map([[1, true], [2, true], [3, false]])), 'pending');
});

test('a joint configuration needs both majorities', () => {
  const acked = new Map([[1, 9], [2, 9], [3, 1], [4, 1], [5, 1]]);
  assert.equal(jointCommitted([[1, 2, 3], [3, 4, 5]], (id) => acked.get(id) ?? 0), 1);
  assert.equal(jointCommitted([[1, 2, 3], []], (id) => acked.get(id) ?? 0), 9);
  assert.equal(jointVoteResult([[1, 2, 3], [3, 4, 5]], new Map([[1, true], [2, true]])), 'pending');
  assert.equal(jointVoteResult([[1, 2, 3], [3, 4, 5]], new Map([[1, true], [2, true], [4, false], [5, false]])), 'lost');
  assert.equal(jointVoteResult([[1, 2, 3], [3, 4, 5]], new Map([[1, true], [3, true], [4, true]])), 'won');
});
