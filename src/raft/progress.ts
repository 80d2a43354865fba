// What the leader knows of one follower's log: matched and next index, and the replication
// state — probing for the match point one append at a time, replicating with a pipeline of
// appends bounded by the in-flight window, or waiting for a snapshot to land.

import assert from 'node:assert/strict';
import { Inflights } from './inflights.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append was sent and we wait for its answer (or a heartbeat's). */
  probeSent = false;
  /** The index of the snapshot being sent, in snapshot state. */
  pendingSnapshot = 0;
  /** Ticks spent in snapshot state: past a limit the snapshot is presumed lost and resent. */
  snapshotTicks = 0;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  /** The latest heartbeat round this follower acknowledged, and the tick it was sent at. */
  ackedRound = 0;
  ackedSentTick = -1;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, public isLearner: boolean) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** An acknowledgement up to n; returns whether it told us something new. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /** Pipelining: after sending entries up to n, assume they will land. */
  optimisticUpdate(n: number): void {
    this.next = n + 1;
  }

  /**
   * A rejection of the append after `rejected`; `matchHint` bounds where the follower's log
   * can still match. Returns false for a stale rejection.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1, 1);
    this.probeSent = false;
    assert.ok(this.next > this.match);
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent;
      case 'replicate': return this.inflights.full();
      case 'snapshot': return true;
    }
  }
}
