// The stable part of the log as Raft reads it, implemented by the host (like etcd's Storage),
// and MemoryStorage, an implementation a host can fill from its write-ahead log on start and
// keep appending to as it persists each Ready (the simulator uses it as its "disk").

import assert from 'node:assert/strict';
import { encodeConfChange } from './conf-change.js';
import type { ConfState, Entry, HardState, NodeId, Snapshot } from './types.js';

const NO_DATA = new Uint8Array(0);

export interface InitialState {
  readonly hardState: HardState;
  readonly confState: ConfState;
}

export interface Storage {
  /** The persisted hard state and the membership as of the last snapshot (or the initial one). */
  initialState(): InitialState;
  /**
   * Entries [lo, hi), lo >= firstIndex() and hi <= lastIndex() + 1, at least one entry and at
   * most `maxSizeBytes` of entry data after the first.
   */
  entries(lo: number, hi: number, maxSizeBytes: number): Entry[];
  /** The term of entry i, for firstIndex()-1 <= i <= lastIndex(); undefined outside. */
  term(i: number): number | undefined;
  /** The first index still in the log (one past the last snapshot's index). */
  firstIndex(): number;
  lastIndex(): number;
  /**
   * The latest snapshot (an empty one at index 0 before any). Its data may be empty when
   * snapshots are made on demand (MemoryStorage.makeSnapshotsWith): only its meta is kept.
   */
  snapshot(): Snapshot;
  /**
   * A snapshot covering every entry before firstIndex(), for a follower that needs them; or
   * undefined when none can be made right now (Raft tries again on the next heartbeat).
   */
  snapshotToSend(): Snapshot | undefined;
}

export function limitSize(entries: Entry[], maxSizeBytes: number): Entry[] {
  let sizeBytes = 0;
  for (let i = 0; i < entries.length; i++) {
    sizeBytes += entries[i].data.length + 16;
    if (i > 0 && sizeBytes > maxSizeBytes) return entries.slice(0, i);
  }
  return entries;
}

export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot;
  /** ents[0] is a dummy standing for the last compacted entry (its index and term). */
  private ents: Entry[];
  /**
   * Makes a snapshot of the applied state on demand. With one, the log may be compacted past the
   * latest snapshot: a host keeps only a short tail of applied entries in memory (the rest are in
   * its write-ahead log) and snapshots its state machine only when a follower needs it.
   */
  private snapshotSource: (() => Snapshot | undefined) | undefined;

  constructor(confState: ConfState) {
    this.snap = { meta: { index: 0, term: 0, confState }, data: new Uint8Array(0) };
    this.ents = [{ index: 0, term: 0, type: 'normal', data: new Uint8Array(0) }];
  }

  initialState(): InitialState {
    return { hardState: this.hardState, confState: this.snap.meta.confState };
  }

  setHardState(hardState: HardState): void {
    this.hardState = hardState;
  }

  entries(lo: number, hi: number, maxSizeBytes: number): Entry[] {
    const offset = this.ents[0].index;
    assert.ok(lo > offset && hi <= this.lastIndex() + 1 && lo <= hi, `entries [${lo}, ${hi}) outside (${offset}, ${this.lastIndex()}]`);
    // Walks only as far as the size limit: a lagging follower's range can be the whole log.
    const out: Entry[] = [];
    let sizeBytes = 0;
    for (let i = lo - offset; i < hi - offset; i++) {
      sizeBytes += this.ents[i].data.length + 16;
      if (out.length > 0 && sizeBytes > maxSizeBytes) break;
      out.push(this.ents[i]);
    }
    return out;
  }

  term(i: number): number | undefined {
    const offset = this.ents[0].index;
    if (i < offset || i - offset >= this.ents.length) return undefined;
    return this.ents[i - offset].term;
  }

  firstIndex(): number {
    return this.ents[0].index + 1;
  }

  lastIndex(): number {
    return this.ents[0].index + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  snapshotToSend(): Snapshot | undefined {
    if (this.snapshotSource === undefined) return this.snap;
    const made = this.snapshotSource();
    assert.ok(made === undefined || made.meta.index >= this.ents[0].index, 'a snapshot made on demand covers the compacted log');
    return made;
  }

  /**
   * Lets compact() go past the latest snapshot: `source` makes one when a follower needs it (so
   * the latest snapshot's data need not stay in memory either).
   */
  makeSnapshotsWith(source: () => Snapshot | undefined): void {
    this.snapshotSource = source;
    this.snap = this.kept(this.snap);
  }

  /** Replaces the whole log by a snapshot received from the leader. */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.meta.index <= this.snap.meta.index) return;
    this.snap = this.kept(snapshot);
    this.ents = [{ index: snapshot.meta.index, term: snapshot.meta.term, type: 'normal', data: new Uint8Array(0) }];
  }

  /** Records a snapshot of the applied state at index i (the log is compacted separately). */
  createSnapshot(i: number, confState: ConfState, data: Uint8Array): Snapshot {
    assert.ok(i > this.snap.meta.index && i <= this.lastIndex(), `snapshot index ${i} out of range`);
    const term = this.term(i);
    assert.ok(term !== undefined);
    const snapshot = { meta: { index: i, term, confState }, data };
    this.snap = this.kept(snapshot);
    return snapshot;
  }

  /**
   * What of a snapshot stays in memory: with a source of snapshots on demand, only its meta.
   * Its data is a copy of the whole state machine, and a follower gets a fresher one anyway.
   */
  private kept(snapshot: Snapshot): Snapshot {
    return this.snapshotSource === undefined ? snapshot : { meta: snapshot.meta, data: NO_DATA };
  }

  /** Drops entries up to and including i, which a snapshot must cover (or be made to). */
  compact(i: number): void {
    const offset = this.ents[0].index;
    if (i <= offset) return;
    assert.ok(i <= this.lastIndex(), `compact ${i} beyond the log`);
    assert.ok(i <= this.snap.meta.index || this.snapshotSource !== undefined, `compact ${i} beyond the snapshot`);
    const kept = this.ents.slice(i - offset);
    kept[0] = { index: kept[0].index, term: kept[0].term, type: 'normal', data: new Uint8Array(0) };
    this.ents = kept;
  }

  /** Appends entries, replacing any conflicting suffix (a later record for an index wins). */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0].index + entries.length - 1;
    if (last < first) return;
    const fresh = first > entries[0].index ? entries.slice(first - entries[0].index) : entries;
    const at = fresh[0].index - this.ents[0].index;
    assert.ok(at <= this.ents.length, `gap in the log: appending ${fresh[0].index} after ${this.lastIndex()}`);
    // In place: a host appends every Ready, and copying the whole log each time is quadratic.
    this.ents.length = at;
    for (const entry of fresh) this.ents.push(entry);
  }
}

/**
 * The storage of a founding member of a new group (like etcd's Bootstrap): the initial
 * membership as committed conf-change entries 1..n of term 1, so that a node joining later
 * and replaying the log from the start learns the membership in the same order as everyone.
 */
export function bootstrapStorage(voters: readonly NodeId[], learners: readonly NodeId[] = []): MemoryStorage {
  assert.ok(voters.length > 0, 'a group starts with at least one voter');
  const storage = new MemoryStorage({ voters: [], learners: [] });
  const changes = [...voters.map((nodeId) => ({ type: 'addVoter' as const, nodeId })), ...learners.map((nodeId) => ({ type: 'addLearner' as const, nodeId }))];
  storage.append(changes.map((change, i) => ({ term: 1, index: i + 1, type: 'confChange' as const, data: encodeConfChange(change) })));
  storage.setHardState({ term: 1, vote: 0, commit: changes.length });
  return storage;
}
