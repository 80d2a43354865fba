import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RaftLog } from './log.js';
import { MemoryStorage } from './storage.js';
import type { Entry } from './types.js';

const e = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array([index]) });

function logWith(stable: Entry[], unstable: Entry[] = []): RaftLog {
  const storage = new MemoryStorage({ voters: [1], learners: [] });
  storage.append(stable);
  const log = new RaftLog(storage, 1 << 20);
  if (unstable.length > 0) log.append(unstable);
  return log;
}

test('the log reads across its stable and unstable parts', () => {
  const log = logWith([e(1, 1), e(2, 1)], [e(3, 2), e(4, 2)]);
  assert.equal(log.lastIndex(), 4);
  assert.equal(log.term(2), 1);
  assert.equal(log.term(4), 2);
  assert.equal(log.term(5), undefined);
  assert.deepEqual(log.slice(2, 5, 1 << 20).map((x) => x.index), [2, 3, 4]);
  assert.equal(log.stableLastIndex(), 2);
});

test('maybeAppend rejects a mismatching previous entry and truncates a conflicting suffix', () => {
  const log = logWith([e(1, 1), e(2, 1), e(3, 1)]);
  assert.equal(log.maybeAppend(3, 2, 0, [e(4, 2)]), undefined);
  assert.equal(log.maybeAppend(1, 1, 0, [e(2, 2)]), 2);
  assert.equal(log.lastIndex(), 2);
  assert.equal(log.term(2), 2);
  assert.deepEqual(log.unstableEntries().map((x) => x.index), [2]);
});

test('maybeAppend of entries we already have changes nothing (duplicated append)', () => {
  const log = logWith([e(1, 1), e(2, 1), e(3, 1)]);
  assert.equal(log.maybeAppend(1, 1, 0, [e(2, 1)]), 2);
  assert.equal(log.lastIndex(), 3, 'a stale duplicate does not truncate later entries');
  assert.equal(log.unstableEntries().length, 0);
});

test('appending below the commit index is refused by an assertion', () => {
  const log = logWith([e(1, 1), e(2, 1)]);
  log.commitTo(2);
  assert.throws(() => log.append([e(2, 2)]));
});

test('findConflictByTerm returns the last index at or before a point with a term not above a bound', () => {
  const log = logWith([e(1, 1), e(2, 1), e(3, 3), e(4, 3), e(5, 5)]);
  assert.deepEqual(log.findConflictByTerm(5, 4), { index: 4, term: 3 });
  assert.deepEqual(log.findConflictByTerm(5, 2), { index: 2, term: 1 });
  assert.deepEqual(log.findConflictByTerm(5, 0), { index: 0, term: 0 });
});

test('isUpToDate compares last term first, then length (§5.4.1)', () => {
  const log = logWith([e(1, 1), e(2, 2)]);
  assert.equal(log.isUpToDate(1, 3), true);
  assert.equal(log.isUpToDate(2, 2), true);
  assert.equal(log.isUpToDate(1, 2), false);
  assert.equal(log.isUpToDate(9, 1), false);
});

test('stableTo ignores an acknowledgement for entries replaced meanwhile', () => {
  const log = logWith([e(1, 1)], [e(2, 1), e(3, 1)]);
  log.append([e(3, 2)]); // 3 replaced after the host started persisting it
  log.stableTo(3, 1);
  assert.deepEqual(log.unstableEntries().map((x) => [x.index, x.term]), [[2, 1], [3, 2]]);
  log.stableTo(3, 2);
  assert.equal(log.unstableEntries().length, 0);
});

test('after compaction, entries before the snapshot are unavailable and a snapshot is needed', () => {
  const storage = new MemoryStorage({ voters: [1], learners: [] });
  storage.append([e(1, 1), e(2, 1), e(3, 1), e(4, 1)]);
  storage.createSnapshot(3, { voters: [1], learners: [] }, new Uint8Array([9]));
  storage.compact(3);
  const log = new RaftLog(storage, 1 << 20);
  assert.equal(log.firstIndex(), 4);
  assert.equal(log.term(3), 1);
  assert.equal(log.term(2), undefined);
  assert.equal(log.entriesAfter(1, 1 << 20), undefined);
  assert.deepEqual(log.entriesAfter(3, 1 << 20)?.map((x) => x.index), [4]);
});

test('committed entries are handed out once, bounded by size, and not while a snapshot is pending', () => {
  const log = logWith([e(1, 1), e(2, 1), e(3, 1)]);
  log.commitTo(3);
  assert.deepEqual(log.nextCommittedEntries().map((x) => x.index), [1, 2, 3]);
  log.appliedTo(3);
  assert.equal(log.hasNextCommittedEntries(), false);
  log.restore({ meta: { index: 10, term: 2, confState: { voters: [1], learners: [] } }, data: new Uint8Array(0) });
  assert.equal(log.hasNextCommittedEntries(), false);
  assert.equal(log.lastIndex(), 10);
});

test('a log compacted past its snapshot sends a snapshot made on demand, or none while it cannot be made', () => {
  const storage = new MemoryStorage({ voters: [1], learners: [] });
  storage.append([e(1, 1), e(2, 1), e(3, 2), e(4, 2)]);
  storage.createSnapshot(1, { voters: [1], learners: [] }, new Uint8Array([9]));
  storage.compact(1);
  const log = new RaftLog(storage, 1 << 20);
  assert.equal(log.snapshotToSend()?.meta.index, 1, 'the stored snapshot covers the compacted entries');
  assert.throws(() => storage.compact(3), /beyond the snapshot/);
  let makeable = false;
  storage.makeSnapshotsWith(() => (makeable ? { meta: { index: 4, term: 2, confState: { voters: [1], learners: [] } }, data: new Uint8Array([4]) } : undefined));
  storage.compact(3);
  assert.equal(log.firstIndex(), 4);
  assert.equal(log.term(3), 2);
  assert.equal(log.snapshotToSend(), undefined, 'none can be made right now');
  makeable = true;
  assert.equal(log.snapshotToSend()?.meta.index, 4);
  assert.equal(storage.snapshot().meta.index, 1, 'a snapshot made to send is not kept');
});

test('with snapshots made on demand, only the meta of a stored snapshot stays in memory', () => {
  const confState = { voters: [1], learners: [] };
  const storage = new MemoryStorage(confState);
  storage.append([e(1, 1), e(2, 1), e(3, 2)]);
  storage.createSnapshot(1, confState, new Uint8Array([9]));
  assert.deepEqual([...storage.snapshot().data], [9], 'without a source the snapshot is what a follower gets');
  storage.makeSnapshotsWith(() => ({ meta: { index: 3, term: 2, confState }, data: new Uint8Array([3]) }));
  assert.equal(storage.snapshot().data.length, 0, 'the data held before the source came is let go');
  const written = storage.createSnapshot(2, confState, new Uint8Array([2, 2]));
  assert.deepEqual([...written.data], [2, 2], 'the caller still gets the data to write');
  assert.deepEqual(storage.snapshot().meta, written.meta);
  assert.equal(storage.snapshot().data.length, 0);
  assert.deepEqual([...(storage.snapshotToSend()?.data ?? [])], [3], 'a follower gets a fresh one');
  storage.applySnapshot({ meta: { index: 5, term: 3, confState }, data: new Uint8Array([5]) });
  assert.equal(storage.snapshot().meta.index, 5);
  assert.equal(storage.snapshot().data.length, 0);
});
