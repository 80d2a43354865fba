import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEntryData, decodeSnapshotPayload, encodeEntryData, encodeSnapshotPayload } from './codec.js';
import { applyToConfState, decodeConfChange, encodeConfChange } from './conf-change.js';
import { bootstrapStorage, MemoryStorage } from './storage.js';

test('an entry round-trips through a WAL record (a conf change marked by its first data byte)', () => {
  for (const type of ['normal', 'confChange'] as const) {
    const entry = { term: 3, index: 9, type, data: new Uint8Array([1, 2, 3]) };
    assert.deepEqual(decodeEntryData(3, 9, encodeEntryData(entry)), entry);
  }
  const empty = { term: 3, index: 10, type: 'normal' as const, data: new Uint8Array(0) };
  assert.deepEqual(decodeEntryData(3, 10, encodeEntryData(empty)), empty);
  assert.throws(() => encodeEntryData({ term: 3, index: 11, type: 'normal', data: new Uint8Array([0xff]) }), /conf-change mark/);
});

test('a snapshot round-trips through a snapshot file payload (membership at its head)', () => {
  const snap = { meta: { index: 40, term: 4, confState: { voters: [1, 2, 3], learners: [7] } }, data: new Uint8Array([5, 6]) };
  assert.deepEqual(decodeSnapshotPayload(40, 4, encodeSnapshotPayload(snap)), snap);
});

test('conf changes round-trip and apply one node at a time', () => {
  for (const type of ['addVoter', 'addLearner', 'removeNode'] as const) assert.deepEqual(decodeConfChange(encodeConfChange({ type, nodeId: 5 })), { type, nodeId: 5 });
  const c0 = { voters: [1, 2, 3], learners: [] };
  const c1 = applyToConfState(c0, { type: 'addLearner', nodeId: 4 });
  assert.deepEqual(c1, { voters: [1, 2, 3], learners: [4] });
  assert.deepEqual(applyToConfState(c1, { type: 'addVoter', nodeId: 4 }), { voters: [1, 2, 3, 4], learners: [] });
  assert.deepEqual(applyToConfState(c0, { type: 'addLearner', nodeId: 2 }), c0, 'no direct demotion');
  assert.deepEqual(applyToConfState(c0, { type: 'removeNode', nodeId: 2 }), { voters: [1, 3], learners: [] });
});

test('MemoryStorage replaces a conflicting suffix, compacts and installs snapshots', () => {
  const s = new MemoryStorage({ voters: [1], learners: [] });
  s.append([1, 2, 3].map((index) => ({ index, term: 1, type: 'normal' as const, data: new Uint8Array(0) })));
  s.append([{ index: 2, term: 2, type: 'normal', data: new Uint8Array(0) }]);
  assert.equal(s.lastIndex(), 2);
  assert.equal(s.term(2), 2);
  s.createSnapshot(2, { voters: [1], learners: [] }, new Uint8Array([1]));
  s.compact(2);
  assert.equal(s.firstIndex(), 3);
  assert.equal(s.term(2), 2);
  s.applySnapshot({ meta: { index: 10, term: 3, confState: { voters: [1, 2], learners: [] } }, data: new Uint8Array(0) });
  assert.equal(s.firstIndex(), 11);
  assert.equal(s.lastIndex(), 10);
  assert.deepEqual(s.initialState().confState, { voters: [1, 2], learners: [] });
});

test('a bootstrapped group holds its membership as committed entries of term 1', () => {
  const s = bootstrapStorage([1, 2, 3]);
  assert.equal(s.lastIndex(), 3);
  assert.deepEqual(s.initialState().hardState, { term: 1, vote: 0, commit: 3 });
  assert.deepEqual(decodeConfChange(s.entries(2, 3, 1 << 20)[0].data), { type: 'addVoter', nodeId: 2 });
});
