// The Raft state machine of one group member: inputs are ticks, messages and local requests;
// outputs are queued messages, read states and changes to the log, which RawNode packages
// into a Ready. Role-specific behaviour lives in one step function per role.

import assert from 'node:assert/strict';
import { applyToConfState, decodeConfChange, encodeConfChange } from './conf-change.js';
import { RaftLog } from './log.js';
import { leaseHolds, leaseTicksFor, ReadOnly } from './read-only.js';
import type { Storage } from './storage.js';
import { ProgressTracker } from './tracker.js';
import { NONE } from './types.js';
import type {
  AppendMessage, AppendResponse, ConfChange, ConfState, Entry, EntryType, GroupId, HardState,
  HeartbeatMessage, HeartbeatResponse, Message, MessageType, NodeId, ProposeResult, RandomSource,
  ReadState, RequestResult, Role, SnapshotMessage, VoteRequest, VoteResponse,
} from './types.js';

/**
 * Test-only: each flag breaks one rule of the algorithm, so the simulator and the unit tests
 * can show they notice. All default off; never set one outside tests.
 */
export interface RaftMutations {
  /** Grant a vote even after voting for someone else in the same term. */
  readonly voteTwice?: boolean;
  /** Grant votes without the log up-to-date check (§5.4.1). */
  readonly ignoreLogUpToDate?: boolean;
  /** Commit an entry of an earlier term by counting replicas (the §5.4.2 / Figure 8 bug). */
  readonly commitOldTermByCounting?: boolean;
  /** Answer ReadIndex with the commit index at once, without a heartbeat round. */
  readonly readWithoutQuorum?: boolean;
  /** Serve reads before an entry of the leader's own term is committed. */
  readonly readBeforeOwnTermCommit?: boolean;
  /** A lease three election timeouts long. */
  readonly leaseTooLong?: boolean;
  /** Keep serving lease reads during a leadership transfer. */
  readonly leaseDuringTransfer?: boolean;
  /** Voters grant votes while they still hear from a leader (breaks lease reads). */
  readonly voteWhileInLease?: boolean;
  /** Acknowledge appends and votes before they are durable. */
  readonly ackBeforePersist?: boolean;
  /** Accept an append whose previous entry's term does not match (log matching, §5.3). */
  readonly skipLogMatchCheck?: boolean;
}

export interface RaftConfig {
  readonly id: NodeId;
  readonly group: GroupId;
  readonly storage: Storage;
  /** Seeded by the host: the only randomness Raft uses (randomised election timeouts). */
  readonly random: RandomSource;
  /** Minimum election timeout in ticks; the actual one is drawn from [e, 2e). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** Bound on the entry bytes of one append message (at least one entry is always sent). */
  readonly maxSizePerMsgBytes?: number;
  /** Bound on the committed entry bytes one Ready hands over for applying (default: maxSizePerMsgBytes). */
  readonly maxApplyBytesPerReady?: number;
  /** Bound on appends in flight to one follower (flow control). */
  readonly maxInflightMsgs?: number;
  /** Proposals are refused while this many entries are appended but not committed. */
  readonly maxUncommittedEntries?: number;
  /** Bound on reads waiting for a heartbeat round or for the first commit of the term. */
  readonly maxPendingReads?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  /** 'safe': every read costs a heartbeat round; 'leaseBased': no round while the lease holds. */
  readonly readOnly?: 'safe' | 'leaseBased';
  /** How many times faster one node's clock may run than another's (lease reads). */
  readonly clockDriftBound?: number;
  readonly mutations?: RaftMutations;
}

/** Messages that state something about durable state: sent only once the Ready is persisted. */
const AFTER_PERSIST: ReadonlySet<MessageType> = new Set<MessageType>(['appResp', 'vote', 'voteResp', 'heartbeatResp']);

type Outgoing = Message extends infer M ? (M extends Message ? Omit<M, 'group' | 'from' | 'term'> & { term?: number } : never) : never;

export class Raft {
  readonly id: NodeId;
  readonly group: GroupId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = 'follower';
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  readonly readOnly: ReadOnly;
  leadTransferee: NodeId = NONE;
  /** The index of the latest conf change (or the leader's first entry); no new one before it applies. */
  pendingConfIndex = 0;
  /** Monotonic count of ticks since this instance started: the clock of leases. */
  tickCount = 0;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  /** Ticks since we last heard from a leader (or restarted): votes are refused below electionTicks. */
  private ticksSinceLeaderContact: number;
  private randomizedElectionTimeout = 0;
  private round = 0;
  private appendPending = false;
  private readRoundPending = false;
  private readsBeforeCommit: number[] = [];
  /**
   * A transfer was started in this term. TimeoutNow lets its target win an election without
   * waiting out anyone's lease, at any time the message arrives (it may be delayed), so once a
   * transfer starts this leader serves no more lease reads in its term — even if it aborts.
   */
  private transferStarted = false;
  private msgs: Message[] = [];
  private msgsAfterPersist: Message[] = [];
  private readStates: ReadState[] = [];

  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly leaseTicks: number;
  private readonly random: RandomSource;
  private readonly maxSizePerMsgBytes: number;
  private readonly maxUncommittedEntries: number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly readOnlyOption: 'safe' | 'leaseBased';
  readonly mutations: RaftMutations;

  constructor(config: RaftConfig) {
    assert.ok(config.id !== NONE, 'node id 0 means "nobody"');
    assert.ok(config.heartbeatTicks >= 1 && config.electionTicks > config.heartbeatTicks, 'election timeout must exceed the heartbeat interval');
    this.id = config.id;
    this.group = config.group;
    this.random = config.random;
    this.electionTicks = config.electionTicks;
    this.heartbeatTicks = config.heartbeatTicks;
    this.maxSizePerMsgBytes = config.maxSizePerMsgBytes ?? 1024 * 1024;
    this.maxUncommittedEntries = config.maxUncommittedEntries ?? 10_000;
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;
    this.readOnlyOption = config.readOnly ?? 'safe';
    this.mutations = config.mutations ?? {};
    assert.ok(this.readOnlyOption === 'safe' || this.checkQuorum, 'lease reads are only safe with CheckQuorum');
    this.leaseTicks = this.mutations.leaseTooLong === true ? 3 * this.electionTicks : leaseTicksFor(this.electionTicks, config.clockDriftBound ?? 1.1);
    this.log = new RaftLog(config.storage, config.maxApplyBytesPerReady ?? this.maxSizePerMsgBytes);
    this.tracker = new ProgressTracker(config.maxInflightMsgs ?? 256);
    this.readOnly = new ReadOnly(config.maxPendingReads ?? 10_000);
    const { hardState, confState } = config.storage.initialState();
    this.tracker.setConf(confState, this.log.lastIndex() + 1);
    if (hardState.term > 0 || hardState.commit > 0) {
      assert.ok(hardState.commit >= this.log.committed && hardState.commit <= this.log.lastIndex(), `persisted commit ${hardState.commit} outside the log`);
      this.log.committed = hardState.commit;
      this.term = hardState.term;
      this.vote = hardState.vote;
    }
    // A restarted voter may have acknowledged a leader's lease round just before crashing:
    // it keeps refusing votes for an election timeout, as if it had just heard from a leader.
    // Acknowledging a term-T leader persists term T first, so a node at term <= 1 (a new
    // group starts at term 1, bootstrapStorage, and elects its first leader in term 2) cannot
    // have acknowledged anyone.
    this.ticksSinceLeaderContact = hardState.term > 1 ? 0 : this.electionTicks;
    this.becomeFollower(this.term, NONE);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  confState(): ConfState {
    return this.tracker.confState();
  }

  promotable(): boolean {
    return this.tracker.isVoter(this.id) && this.log.unstable.snapshot === undefined;
  }

  // ---- outputs ------------------------------------------------------------------------------

  private send(out: Outgoing): void {
    const m = { ...out, group: this.group, from: this.id, term: out.term ?? this.term } as Message;
    assert.ok(m.to !== this.id, 'never send to self');
    if (AFTER_PERSIST.has(m.type) && this.mutations.ackBeforePersist !== true) this.msgsAfterPersist.push(m);
    else this.msgs.push(m);
  }

  takeMessages(): { now: Message[]; afterPersist: Message[] } {
    const out = { now: this.msgs, afterPersist: this.msgsAfterPersist };
    this.msgs = [];
    this.msgsAfterPersist = [];
    return out;
  }

  /** Only the messages that need nothing persisted (the rest wait for the Ready in flight). */
  takeMessagesNow(): Message[] {
    const out = this.msgs;
    this.msgs = [];
    return out;
  }

  hasMessagesNow(): boolean {
    return this.msgs.length > 0 || this.readStates.length > 0 || (this.role === 'leader' && (this.appendPending || this.readRoundPending));
  }

  takeReadStates(): ReadState[] {
    const out = this.readStates;
    this.readStates = [];
    return out;
  }

  hasPendingOutput(): boolean {
    return this.msgs.length > 0 || this.msgsAfterPersist.length > 0 || this.readStates.length > 0 || this.appendPending || this.readRoundPending;
  }

  /** Batching: broadcasts asked for since the last Ready go out once, when the host collects. */
  flush(): void {
    if (this.role !== 'leader') {
      this.appendPending = false;
      this.readRoundPending = false;
      return;
    }
    if (this.appendPending) {
      this.appendPending = false;
      this.bcastAppend();
    }
    if (this.readRoundPending) {
      this.readRoundPending = false;
      this.bcastHeartbeat();
    }
  }

  // ---- role changes -------------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTicks + this.random.nextInt(this.electionTicks);
    this.leadTransferee = NONE;
    this.tracker.resetVotes();
    const next = this.log.lastIndex() + 1;
    for (const [id, pr] of this.tracker.progress) {
      pr.becomeProbe();
      pr.match = id === this.id ? this.log.stableLastIndex() : 0;
      pr.next = next;
      pr.recentActive = id === this.id;
      pr.ackedRound = 0;
      pr.ackedSentTick = -1;
    }
    this.pendingConfIndex = 0;
    this.round = 0;
    this.readOnly.reset();
    this.readsBeforeCommit = [];
    this.transferStarted = false;
    this.appendPending = false;
    this.readRoundPending = false;
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  private becomePreCandidate(): void {
    assert.ok(this.role !== 'leader', 'a leader does not campaign');
    // Neither the term nor the vote changes: a pre-vote disturbs nobody.
    this.tracker.resetVotes();
    this.lead = NONE;
    this.role = 'preCandidate';
  }

  private becomeCandidate(): void {
    assert.ok(this.role !== 'leader', 'a leader does not campaign');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    assert.ok(this.role === 'candidate', 'only a candidate becomes leader');
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    this.tracker.progress.get(this.id)?.becomeReplicate();
    // The no-op of the new term: committing it commits every earlier entry (§5.4.2), and no
    // conf change or read is accepted before it.
    const noop = this.appendEntry('normal', new Uint8Array(0));
    this.pendingConfIndex = noop.index;
    this.appendPending = true;
  }

  // ---- ticks --------------------------------------------------------------------------------

  tick(): void {
    this.tickCount++;
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    this.ticksSinceLeaderContact++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    this.ticksSinceLeaderContact = 0;
    for (const pr of this.tracker.progress.values()) {
      if (pr.state === 'snapshot' && ++pr.snapshotTicks > 2 * this.electionTicks) pr.becomeProbe(); // presumed lost: resend
    }
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum && !this.tracker.quorumActive(this.id)) {
        this.becomeFollower(this.term, NONE);
        return;
      }
      // A transfer that did not finish within an election timeout is abandoned (a removed
      // leader tries again, with a voter it heard from in this round).
      this.leadTransferee = NONE;
      if (!this.tracker.isVoter(this.id)) this.handOff();
      if (this.checkQuorum) for (const [id, pr] of this.tracker.progress) pr.recentActive = id === this.id;
    }
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat();
    }
  }

  // ---- elections ----------------------------------------------------------------------------

  /** Starts an election (through a pre-vote when enabled), unless that cannot help. */
  hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable()) return;
    if (this.hasUnappliedConfChange()) return; // the membership we would campaign in is not final
    if (this.preVote && !transfer) this.campaign('preElection');
    else this.campaign(transfer ? 'transfer' : 'election');
  }

  private hasUnappliedConfChange(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    if (lo > this.log.committed) return false;
    return this.log.slice(lo, this.log.committed + 1, Number.MAX_SAFE_INTEGER).some((e) => e.type === 'confChange');
  }

  private campaign(kind: 'preElection' | 'election' | 'transfer'): void {
    let term: number;
    let type: 'vote' | 'preVote';
    if (kind === 'preElection') {
      this.becomePreCandidate();
      type = 'preVote';
      term = this.term + 1; // the term we would campaign in; ours stays unchanged
    } else {
      this.becomeCandidate();
      type = 'vote';
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes() === 'won') {
      if (kind === 'preElection') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    for (const id of this.tracker.voters) {
      if (id === this.id) continue;
      this.send({ type, to: id, term, index: this.log.lastIndex(), logTerm: this.log.lastTerm(), transfer: kind === 'transfer' });
    }
  }

  // ---- step ---------------------------------------------------------------------------------

  step(m: Message): void {
    assert.equal(m.group, this.group, 'message for another group');
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        // CheckQuorum's other half: while we hear from a leader, a vote request is a partitioned
        // or rejoining node's, and must not depose that leader (nor break its lease).
        const inLease = this.checkQuorum && this.ticksSinceLeaderContact < this.electionTicks && !m.transfer && this.mutations.voteWhileInLease !== true;
        if (inLease) return;
      }
      if (m.type === 'preVote') {
        // A pre-vote does not change our term.
      } else if (m.type === 'preVoteResp' && !m.reject) {
        // The future term we asked about: we move to it only when we win the pre-vote.
      } else {
        const lead = m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap' ? m.from : NONE;
        this.becomeFollower(m.term, lead);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === 'app' || m.type === 'heartbeat')) {
        // A stale leader (e.g. back from a partition) learns our term and steps down.
        this.send({ type: 'appResp', to: m.from, index: 0, reject: false, rejectHint: 0, logTerm: 0 });
      } else if (m.type === 'preVote') {
        this.send({ type: 'preVoteResp', to: m.from, reject: true });
      }
      return;
    }
    if (m.type === 'vote' || m.type === 'preVote') {
      this.handleVote(m);
      return;
    }
    switch (this.role) {
      case 'leader': this.stepLeader(m); break;
      case 'candidate':
      case 'preCandidate': this.stepCandidate(m); break;
      case 'follower': this.stepFollower(m); break;
    }
  }

  private handleVote(m: VoteRequest): void {
    const canVote = this.vote === m.from
      || (this.vote === NONE && this.lead === NONE)
      || (m.type === 'preVote' && m.term > this.term)
      || (this.mutations.voteTwice === true && m.type === 'vote' && this.role === 'follower');
    const upToDate = this.log.isUpToDate(m.index, m.logTerm) || this.mutations.ignoreLogUpToDate === true;
    const respType = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
    if (canVote && upToDate) {
      // A grant carries the request's term: for a pre-vote that is a term we are not in yet.
      this.send({ type: respType, to: m.from, term: m.term, reject: false });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: respType, to: m.from, reject: true });
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.heardFromLeader(m.from);
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.heardFromLeader(m.from);
        this.handleHeartbeat(m);
        break;
      case 'snap':
        this.heardFromLeader(m.from);
        this.handleSnapshot(m);
        break;
      case 'timeoutNow':
        this.hup(true);
        break;
      default:
        break; // responses meant for an earlier role of ours
    }
  }

  private heardFromLeader(from: NodeId): void {
    this.electionElapsed = 0;
    this.ticksSinceLeaderContact = 0;
    this.lead = from;
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'app':
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        break;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        break;
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        break;
      case 'voteResp':
      case 'preVoteResp':
        this.handleVoteResponse(m);
        break;
      default:
        break;
    }
  }

  private handleVoteResponse(m: VoteResponse): void {
    const mine = this.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
    if (m.type !== mine) return;
    this.tracker.recordVote(m.from, !m.reject);
    const result = this.tracker.tallyVotes();
    if (result === 'won') {
      if (this.role === 'preCandidate') this.campaign('election');
      else this.becomeLeader();
    } else if (result === 'lost') {
      this.becomeFollower(this.term, NONE);
    }
  }

  private handleAppend(m: AppendMessage): void {
    if (m.index < this.log.committed) {
      this.send({ type: 'appResp', to: m.from, index: this.log.committed, reject: false, rejectHint: 0, logTerm: 0 });
      return;
    }
    const skip = this.mutations.skipLogMatchCheck === true && m.index <= this.log.lastIndex();
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries, skip);
    if (lastNew !== undefined) {
      this.send({ type: 'appResp', to: m.from, index: lastNew, reject: false, rejectHint: 0, logTerm: 0 });
      return;
    }
    // Tell the leader where our log could still match: the last entry at or before m.index
    // with a term <= m.logTerm. It then skips every entry of a conflicting term at once.
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.send({ type: 'appResp', to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term });
  }

  private handleHeartbeat(m: HeartbeatMessage): void {
    this.log.commitTo(m.commit);
    this.send({ type: 'heartbeatResp', to: m.from, round: m.round, sentTick: m.sentTick });
  }

  private handleSnapshot(m: SnapshotMessage): void {
    const { meta } = m.snapshot;
    if (meta.index <= this.log.committed) {
      this.send({ type: 'appResp', to: m.from, index: this.log.committed, reject: false, rejectHint: 0, logTerm: 0 });
      return;
    }
    if (this.log.matchTerm(meta.index, meta.term)) {
      // We already have the entries: fast-forward the commit index instead of replacing the log.
      this.log.commitTo(meta.index);
    } else {
      this.log.restore(m.snapshot);
      this.tracker.setConf(meta.confState, this.log.lastIndex() + 1);
    }
    this.send({ type: 'appResp', to: m.from, index: this.log.lastIndex(), reject: false, rejectHint: 0, logTerm: 0 });
  }

  private stepLeader(m: Message): void {
    const pr = this.tracker.progress.get(m.from);
    if (pr === undefined) return;
    switch (m.type) {
      case 'appResp':
        pr.recentActive = true;
        this.handleAppendResponse(m);
        break;
      case 'heartbeatResp':
        pr.recentActive = true;
        this.handleHeartbeatResponse(m);
        break;
      default:
        break;
    }
  }

  private handleAppendResponse(m: AppendResponse): void {
    const pr = this.tracker.progress.get(m.from);
    assert.ok(pr !== undefined);
    if (m.reject) {
      let nextProbe = m.rejectHint;
      if (m.logTerm > 0) nextProbe = this.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match + 1 >= this.log.firstIndex()) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
    if (this.maybeCommit()) this.appendPending = true;
    else if (wasPaused) this.sendAppend(m.from);
    // Pipelining: fill the in-flight window (bounded by its capacity).
    for (let i = 0; i < pr.inflights.capacity && this.maybeSendAppend(m.from, false); i++);
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.send({ type: 'timeoutNow', to: m.from });
  }

  private handleHeartbeatResponse(m: HeartbeatResponse): void {
    const pr = this.tracker.progress.get(m.from);
    assert.ok(pr !== undefined);
    pr.probeSent = false;
    // A full window of lost appends would otherwise stall this follower for good.
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (m.round > pr.ackedRound) {
      pr.ackedRound = m.round;
      pr.ackedSentTick = Math.max(pr.ackedSentTick, m.sentTick);
    }
    if (pr.match < this.log.lastIndex()) this.sendAppend(m.from);
    this.releaseReads();
  }

  // ---- leader: replication ------------------------------------------------------------------

  private appendEntry(type: EntryType, data: Uint8Array): Entry {
    const entry: Entry = { term: this.term, index: this.log.lastIndex() + 1, type, data };
    this.log.append([entry]);
    return entry;
  }

  private maybeCommit(): boolean {
    const before = this.log.committed;
    const committed = this.log.maybeCommit(this.tracker.committed(), this.term, this.mutations.commitOldTermByCounting === true);
    if (committed && this.log.term(this.log.committed) === this.term && this.log.term(before) !== this.term) this.serveReadsBeforeCommit();
    return committed;
  }

  private sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  private maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.tracker.progress.get(to);
    if (pr === undefined || to === this.id || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    const entries = prevTerm === undefined ? undefined : this.log.entriesAfter(prevIndex, this.maxSizePerMsgBytes);
    if (prevTerm === undefined || entries === undefined) {
      // The entries were compacted away: send the snapshot that replaced them.
      const snapshot = this.log.snapshotToSend();
      if (snapshot === undefined) return false; // none yet: the next heartbeat response retries
      assert.ok(snapshot.meta.index > 0, `entries after ${prevIndex} compacted without a snapshot`);
      this.send({ type: 'snap', to, snapshot });
      pr.becomeSnapshot(snapshot.meta.index);
      return true;
    }
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed });
    if (entries.length > 0 && pr.state === 'replicate') {
      const last = entries[entries.length - 1].index;
      pr.optimisticUpdate(last);
      pr.inflights.add(last);
    } else if (pr.state === 'probe') {
      pr.probeSent = true;
    }
    return true;
  }

  private bcastAppend(): void {
    for (const id of this.tracker.progress.keys()) {
      if (id !== this.id) this.sendAppend(id);
    }
  }

  private bcastHeartbeat(): void {
    this.round++;
    const self = this.tracker.progress.get(this.id);
    if (self !== undefined) {
      self.ackedRound = this.round;
      self.ackedSentTick = this.tickCount;
    }
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      this.send({ type: 'heartbeat', to: id, commit: Math.min(pr.match, this.log.committed), round: this.round, sentTick: this.tickCount });
    }
    this.releaseReads(); // a one-voter group acknowledges its own round
  }

  /** The host made everything of the last Ready durable: the leader counts itself now. */
  onPersisted(): void {
    if (this.role !== 'leader') return;
    const self = this.tracker.progress.get(this.id);
    if (self === undefined) return;
    if (self.maybeUpdate(this.log.stableLastIndex()) && this.maybeCommit()) this.appendPending = true;
  }

  // ---- local requests -----------------------------------------------------------------------

  private refuse(reason: 'notLeader' | 'transferring' | 'confChangePending' | 'tooManyPending' | 'notMember'): { accepted: false; reason: typeof reason; leader: NodeId } {
    return { accepted: false, reason, leader: this.lead };
  }

  propose(data: Uint8Array): ProposeResult {
    return this.proposeEntry('normal', data);
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    const next = applyToConfState(this.tracker.confState(), change);
    if (next.voters.length === 0) return this.refuse('notMember');
    return this.proposeEntry('confChange', encodeConfChange(change));
  }

  private proposeEntry(type: EntryType, data: Uint8Array): ProposeResult {
    if (this.role !== 'leader') return this.refuse('notLeader');
    if (this.leadTransferee !== NONE) return { accepted: false, reason: 'transferring', leader: this.leadTransferee }; // where leadership is going
    if (!this.tracker.isVoter(this.id)) return this.refuse('notMember');
    if (this.log.lastIndex() - this.log.committed >= this.maxUncommittedEntries) return this.refuse('tooManyPending');
    if (type === 'confChange') {
      // One change at a time, and only after an entry of this term committed and applied.
      if (this.pendingConfIndex > this.log.applied) return this.refuse('confChangePending');
      this.pendingConfIndex = this.log.lastIndex() + 1;
    }
    const entry = this.appendEntry(type, data);
    this.appendPending = true;
    return { accepted: true, index: entry.index, term: entry.term };
  }

  readIndex(context: number): RequestResult {
    if (this.role !== 'leader') return this.refuse('notLeader');
    if (this.mutations.readWithoutQuorum === true) {
      this.readStates.push({ index: this.log.committed, context });
      return { accepted: true };
    }
    if (this.readOnly.size() + this.readsBeforeCommit.length >= this.readOnly.maxPending) return this.refuse('tooManyPending');
    if (this.log.term(this.log.committed) !== this.term && this.mutations.readBeforeOwnTermCommit !== true) {
      this.readsBeforeCommit.push(context);
      return { accepted: true };
    }
    this.serveRead(context);
    return { accepted: true };
  }

  private serveReadsBeforeCommit(): void {
    const waiting = this.readsBeforeCommit;
    this.readsBeforeCommit = [];
    for (const context of waiting) this.serveRead(context);
  }

  private serveRead(context: number): void {
    if (this.tracker.voters.length === 1 && this.tracker.isVoter(this.id)) {
      this.readStates.push({ index: this.log.committed, context });
      return;
    }
    if (this.readOnlyOption === 'leaseBased' && this.leaseValid()) {
      this.readStates.push({ index: this.log.committed, context });
      return;
    }
    this.readOnly.add({ context, index: this.log.committed, round: this.round + 1 });
    this.readRoundPending = true;
  }

  /** Whether lease reads may be served now (see read-only.ts for the conditions). */
  leaseValid(): boolean {
    if (this.role !== 'leader') return false;
    if ((this.leadTransferee !== NONE || this.transferStarted) && this.mutations.leaseDuringTransfer !== true) return false;
    if (this.log.term(this.log.committed) !== this.term && this.mutations.readBeforeOwnTermCommit !== true) return false;
    return leaseHolds(this.tickCount, this.tracker.quorumAckedSentTick(), this.leaseTicks);
  }

  private releaseReads(): void {
    for (const read of this.readOnly.release(this.tracker.quorumAckedRound())) {
      this.readStates.push({ index: read.index, context: read.context });
    }
  }

  transferLeadership(to: NodeId): RequestResult {
    if (this.role !== 'leader') return this.refuse('notLeader');
    if (to === this.id || !this.tracker.isVoter(to)) return this.refuse('notMember');
    if (this.leadTransferee === to) return { accepted: true };
    this.leadTransferee = to;
    this.transferStarted = true;
    this.electionElapsed = 0; // the transfer must finish within an election timeout
    const pr = this.tracker.progress.get(to);
    assert.ok(pr !== undefined);
    if (pr.match === this.log.lastIndex()) this.send({ type: 'timeoutNow', to });
    else this.sendAppend(to);
    return { accepted: true };
  }

  /**
   * A leader no longer among the voters transfers leadership to a voter it hears from with the
   * longest match (once the transfer completes, our next heartbeat is answered with the new term
   * and we step down).
   */
  private handOff(): void {
    let best: NodeId = NONE;
    let bestScore = -1;
    for (const id of this.tracker.voters) {
      const pr = this.tracker.progress.get(id);
      if (id === this.id || pr === undefined) continue;
      const score = pr.match + (pr.recentActive ? Number.MAX_SAFE_INTEGER / 2 : 0);
      if (score > bestScore) {
        best = id;
        bestScore = score;
      }
    }
    if (best === NONE) {
      this.becomeFollower(this.term, NONE);
      return;
    }
    this.leadTransferee = NONE;
    this.transferLeadership(best);
  }

  /** The host could not deliver to `id`: stop pipelining to it and probe again. */
  reportUnreachable(id: NodeId): void {
    const pr = this.tracker.progress.get(id);
    if (this.role === 'leader' && pr !== undefined && pr.state === 'replicate') pr.becomeProbe();
  }

  // ---- applying -----------------------------------------------------------------------------

  /** A committed conf change entry was handed to the host for applying: it takes effect now. */
  applyConfChange(entry: Entry): void {
    assert.equal(entry.type, 'confChange');
    const next = applyToConfState(this.tracker.confState(), decodeConfChange(entry.data));
    if (next.voters.length === 0) return; // refused at proposal; a no-op if one slipped in
    this.tracker.setConf(next, this.log.lastIndex() + 1);
    if (this.role !== 'leader') return;
    if (!this.tracker.isVoter(this.id)) {
      // Removed: hand leadership to the most up-to-date voter rather than just stepping down.
      // Stepping down at once can leave the others unaware that the removal committed (they
      // still count us, and our longer log makes us refuse their candidates: no quorum).
      this.handOff();
      return;
    }
    if (this.leadTransferee !== NONE && !this.tracker.isVoter(this.leadTransferee)) this.leadTransferee = NONE;
    if (this.maybeCommit()) this.appendPending = true; // the quorum may have shrunk
    this.appendPending = true; // new members start receiving the log
  }
}
