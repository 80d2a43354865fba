// Linearizable reads without writing to the log.
//
// ReadIndex (Raft thesis §6.4): the leader notes its commit index when a read arrives, then
// starts a heartbeat round; once a quorum acknowledges that round (or a later one) it was
// still the leader when the read arrived, and the read may be served as soon as the state
// machine has applied the noted index. Reads wait for the round they were queued before.
//
// Lease reads (thesis §6.4.1) skip the round while the leader holds a lease. Safety rests on:
//  - CheckQuorum on, and voters ignoring vote requests while they hear from a leader (and for
//    an election timeout after restarting), so no other leader can be elected before a voter
//    that acknowledged us has gone `electionTicks` of its own ticks without hearing from us;
//  - the lease running from when the acknowledged heartbeat round was *sent* (not received);
//  - the lease being shorter than the minimum election timeout divided by the clock-drift
//    bound: we assume no node's clock runs more than `clockDriftBound` times faster than any
//    other's (ticks are the host's clock), see leaseTicksFor;
//  - no lease reads once a leadership transfer starts, for the rest of the term even if the
//    transfer is abandoned (a delayed TimeoutNow still elects its target past every lease);
//  - no reads at all before the new leader commits an entry of its own term (until then its
//    commit index may lag what the previous leader acknowledged).

import assert from 'node:assert/strict';

export interface PendingRead {
  readonly context: number;
  /** The leader's commit index when the read arrived. */
  readonly index: number;
  /** The heartbeat round whose acknowledgement by a quorum makes the read safe. */
  readonly round: number;
}

/**
 * The lease length in ticks. A voter's refusal window is `electionTicks` of its ticks from
 * receiving our heartbeat, which is at least (electionTicks - 1) tick periods after it (the
 * first of its ticks may fall just after). Our lease lasts at most `leaseTicks` of our tick
 * periods after the send. With our clock at most `clockDriftBound` times slower than a voter's,
 * leaseTicks * clockDriftBound <= electionTicks - 1 keeps the lease inside that window; one
 * more tick is subtracted for the tick boundary at our end.
 */
export function leaseTicksFor(electionTicks: number, clockDriftBound: number): number {
  assert.ok(clockDriftBound >= 1, 'the clock-drift bound is a ratio >= 1');
  const ticks = Math.floor((electionTicks - 1) / clockDriftBound) - 1;
  assert.ok(ticks * clockDriftBound < electionTicks, 'the lease is shorter than the election timeout over the drift bound');
  return ticks;
}

/** Whether a lease from a quorum-acknowledged round sent at `ackedSentTick` still holds. */
export function leaseHolds(nowTick: number, ackedSentTick: number, leaseTicks: number): boolean {
  return ackedSentTick >= 0 && leaseTicks > 0 && nowTick < ackedSentTick + leaseTicks;
}

export class ReadOnly {
  private queue: PendingRead[] = [];

  constructor(readonly maxPending: number) {}

  size(): number {
    return this.queue.length;
  }

  add(read: PendingRead): void {
    assert.ok(this.queue.length < this.maxPending, 'pending reads are bounded; callers check size() first');
    const last = this.queue[this.queue.length - 1];
    assert.ok(last === undefined || last.round <= read.round, 'reads are queued in round order');
    this.queue.push(read);
  }

  /** The reads made safe by a quorum acknowledging `round`, in arrival order. */
  release(ackedRound: number): PendingRead[] {
    let n = 0;
    while (n < this.queue.length && this.queue[n].round <= ackedRound) n++;
    if (n === 0) return [];
    const released = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    return released;
  }

  reset(): void {
    this.queue = [];
  }
}
