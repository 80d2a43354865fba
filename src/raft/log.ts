// The Raft log as one sequence: a durable prefix in Storage, an unstable suffix waiting to be
// persisted, and the commit and applied marks.

import assert from 'node:assert/strict';
import { Unstable } from './log-unstable.js';
import { limitSize } from './storage.js';
import type { Storage } from './storage.js';
import type { Entry, Snapshot } from './types.js';

export class RaftLog {
  readonly unstable: Unstable;
  committed: number;
  applied: number;

  constructor(readonly storage: Storage, readonly maxApplySizeBytes: number) {
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** The term of entry i, or undefined when i is compacted away or beyond the log. */
  term(i: number): number | undefined {
    const dummy = this.firstIndex() - 1;
    if (i < dummy || i > this.lastIndex()) return undefined;
    return this.unstable.maybeTerm(i) ?? this.storage.term(i);
  }

  lastTerm(): number {
    const t = this.term(this.lastIndex());
    assert.ok(t !== undefined, 'the last entry always has a term');
    return t;
  }

  matchTerm(i: number, t: number): boolean {
    return this.term(i) === t;
  }

  /** Raft §5.4.1: is a log ending at (lastIndex, term) at least as up to date as ours? */
  isUpToDate(lastIndex: number, term: number): boolean {
    return term > this.lastTerm() || (term === this.lastTerm() && lastIndex >= this.lastIndex());
  }

  /** The highest index known durable in this log (entries of the current log, not replaced ones). */
  stableLastIndex(): number {
    return Math.min(this.lastIndex(), this.unstable.offset - 1);
  }

  /**
   * Follower side of an append after (index, logTerm). Returns the last index now known to
   * match the leader, or undefined when (index, logTerm) does not match our log.
   */
  maybeAppend(index: number, logTerm: number, committed: number, entries: readonly Entry[], skipMatchCheck = false): number | undefined {
    if (!skipMatchCheck && !this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      this.append(entries.slice(conflict - (index + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    assert.ok(entries[0].index > this.committed, `appending at ${entries[0].index} would overwrite committed entries (commit ${this.committed})`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /** The index of the first entry whose term differs from ours (or that we lack); 0 if none. */
  findConflict(entries: readonly Entry[]): number {
    for (const e of entries) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term` (fast backtracking: a rejection
   * skips a whole term instead of one entry per round trip).
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    const first = this.firstIndex();
    for (let i = Math.min(index, this.lastIndex()); i >= first - 1; i--) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
    return { index: first - 1, term: 0 };
  }

  commitTo(toCommit: number): void {
    if (this.committed >= toCommit) return;
    assert.ok(toCommit <= this.lastIndex(), `commit ${toCommit} beyond last index ${this.lastIndex()}`);
    this.committed = toCommit;
  }

  /** Commits maxIndex if it is an entry of `term` (the leader's current term, Raft §5.4.2). */
  maybeCommit(maxIndex: number, term: number, anyTerm = false): boolean {
    if (maxIndex <= this.committed) return false;
    if (!anyTerm && this.term(maxIndex) !== term) return false;
    this.commitTo(maxIndex);
    return true;
  }

  appliedTo(i: number): void {
    if (i === 0) return;
    assert.ok(i <= this.committed && i >= this.applied, `applied ${i} outside [${this.applied}, ${this.committed}]`);
    this.applied = i;
  }

  stableTo(i: number, t: number): void {
    this.unstable.stableTo(i, t);
  }

  stableSnapTo(i: number): void {
    this.unstable.stableSnapTo(i);
  }

  restore(snapshot: Snapshot): void {
    this.committed = snapshot.meta.index;
    this.unstable.restore(snapshot);
  }

  /** What to send a follower whose entries were compacted away (see Storage.snapshotToSend). */
  snapshotToSend(): Snapshot | undefined {
    return this.unstable.snapshot ?? this.storage.snapshotToSend();
  }

  unstableEntries(): readonly Entry[] {
    return this.unstable.entries;
  }

  /** Entries [lo, hi) from storage and/or the unstable part, capped at maxSizeBytes. */
  slice(lo: number, hi: number, maxSizeBytes: number): Entry[] {
    assert.ok(lo >= this.firstIndex() && hi <= this.lastIndex() + 1 && lo <= hi, `slice [${lo}, ${hi}) outside the log`);
    if (lo === hi) return [];
    let result: Entry[] = [];
    const offset = this.unstable.offset;
    if (lo < offset) {
      result = this.storage.entries(lo, Math.min(hi, offset), maxSizeBytes);
      if (result.length < Math.min(hi, offset) - lo) return result; // size limit reached
    }
    if (hi > offset) result = result.concat(this.unstable.slice(Math.max(lo, offset), hi));
    return limitSize(result, maxSizeBytes);
  }

  /** Entries after `index`, or undefined if some were compacted (send a snapshot instead). */
  entriesAfter(index: number, maxSizeBytes: number): Entry[] | undefined {
    if (index + 1 < this.firstIndex()) return undefined;
    if (index >= this.lastIndex()) return [];
    return this.slice(index + 1, this.lastIndex() + 1, maxSizeBytes);
  }

  hasNextCommittedEntries(): boolean {
    return this.committed > this.applied && this.unstable.snapshot === undefined;
  }

  nextCommittedEntries(): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    const lo = Math.max(this.applied + 1, this.firstIndex());
    return this.slice(lo, this.committed + 1, this.maxApplySizeBytes);
  }
}
