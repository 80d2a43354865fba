// The leader's view of the group: the membership, each member's Progress, and the votes of an
// election in progress. Quorum questions (what is committed, did we win, is a quorum alive,
// which heartbeat round has a quorum acknowledged) are answered here.

import assert from 'node:assert/strict';
import { Progress } from './progress.js';
import { jointCommitted, jointVoteResult } from './quorum.js';
import type { JointConfig, VoteResult } from './quorum.js';
import type { ConfState, NodeId } from './types.js';

export class ProgressTracker {
  voters: NodeId[] = [];
  learners: NodeId[] = [];
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(readonly maxInflight: number) {}

  config(): JointConfig {
    return [this.voters, []];
  }

  confState(): ConfState {
    return { voters: this.voters.slice(), learners: this.learners.slice() };
  }

  isVoter(id: NodeId): boolean {
    return this.voters.includes(id);
  }

  isMember(id: NodeId): boolean {
    return this.progress.has(id);
  }

  /** Replaces the membership; members keep their progress, new ones start probing at next. */
  setConf(conf: ConfState, next: number): void {
    assert.ok(conf.voters.every((id) => !conf.learners.includes(id)), 'a node is a voter or a learner, not both');
    this.voters = conf.voters.slice().sort((a, b) => a - b);
    this.learners = conf.learners.slice().sort((a, b) => a - b);
    for (const id of [...this.progress.keys()]) {
      if (!this.voters.includes(id) && !this.learners.includes(id)) this.progress.delete(id);
    }
    for (const id of [...this.voters, ...this.learners]) {
      const existing = this.progress.get(id);
      if (existing === undefined) {
        const pr = new Progress(next, this.maxInflight, this.learners.includes(id));
        pr.recentActive = true; // a new member gets one CheckQuorum round to be heard from
        this.progress.set(id, pr);
      } else {
        existing.isLearner = this.learners.includes(id);
      }
    }
  }

  /** The highest index a quorum of voters has durably acknowledged. */
  committed(): number {
    return jointCommitted(this.config(), (id) => this.progress.get(id)?.match ?? 0);
  }

  /** The latest heartbeat round a quorum of voters has acknowledged. */
  quorumAckedRound(): number {
    return jointCommitted(this.config(), (id) => this.progress.get(id)?.ackedRound ?? 0);
  }

  /** The latest send tick of a heartbeat round a quorum of voters has acknowledged. */
  quorumAckedSentTick(): number {
    return jointCommitted(this.config(), (id) => this.progress.get(id)?.ackedSentTick ?? -1);
  }

  /** CheckQuorum: whether a quorum was heard from since the last check (self always counts). */
  quorumActive(self: NodeId): boolean {
    const active = new Map<NodeId, boolean>();
    for (const [id, pr] of this.progress) {
      if (!pr.isLearner) active.set(id, id === self || pr.recentActive);
    }
    return jointVoteResult(this.config(), active) === 'won';
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): VoteResult {
    return jointVoteResult(this.config(), this.votes);
  }
}
