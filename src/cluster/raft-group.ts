// One member of one Raft group, hosted on this node: the host loop around a RawNode (see
// raft/index.ts). Proposals made during one event-loop turn go into the log together; every
// Ready is persisted through the node's shared write-ahead log (entries and hard state fsynced
// before the messages that depend on them are sent); committed entries are applied in order to
// the group's machine, and each proposer's callback runs synchronously right after its own
// entry is applied, before the next entry: a connection can run the commands it pipelined
// behind a write against exactly the state that write produced — on any replica.
//
// On a follower, proposals are forwarded to the leader, which answers where in its log they
// went; the follower then waits to apply that entry itself, so its reply is computed from its
// own replica like the leader's. A write whose entry was overwritten at its index definitely
// failed; one whose fate is not known by the request timeout gets an UNCERTAIN error.
//
// Reads: `read()` calls back once local state is linearizable — at once on a leader holding
// its lease (or a single voter), after a ReadIndex round otherwise, and on a follower after the
// leader's read index has been applied locally.

import assert from 'node:assert/strict';
import { RawNode } from '../raft/index.js';
import type { ConfChange, Entry, GroupId, Message, MemoryStorage, NodeId, Ready, ReadState, RefusalReason, Snapshot } from '../raft/index.js';
import { encodeEntryData, encodeSnapshotPayload } from '../raft/index.js';
import { ErrorReply } from '../protocol/values.js';
import { clusterDown, notMember, tryAgain, uncertain } from '../commands/errors.js';
import { decodeLogCommand, encodeLogCommand, logCommandStampMs } from '../commands/log-entry.js';
import type { LogCommand, LogCommandKind } from '../commands/log-entry.js';
import type { ApplyResult } from '../commands/command-spec.js';
import type { WriteAheadLog } from '../storage/wal.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';
import type { Logger } from '../logger.js';
import type { ReplicatedMachine } from './replicated-machine.js';
import { IndexQueue } from './index-queue.js';
import { sleep } from './scheduler.js';
import type { Scheduler } from './scheduler.js';
import type { ForwardedItem, ProposeOutcome, WireMessage } from './wire.js';

/** Runs right after the entry is applied, with the reply and how long apply took. */
export type ApplyCallback = (result: ApplyResult, applyMicros: number) => void;
/** Runs when local state may be read linearizably, or with the reason it may not. */
export type ReadCallback = (refusal: ErrorReply | undefined) => void;

/**
 * Decides, when the proposal takes its place in the log, whether it goes in at all: a reply
 * means "answer this instead and log nothing" (an EXEC whose watched keys changed).
 */
export type ProposalGate = () => ApplyResult | undefined;

export interface ProposeOptions {
  /** Go ahead of the proposals waiting for the next write (serving blocked clients). */
  readonly urgent?: boolean;
  readonly gate?: ProposalGate;
  /** The client connection that asked, for hooks that care (tracking's NOLOOP). */
  readonly origin?: number;
  /**
   * WATCHed keys of an EXEC, and the reply that aborts it: on a follower the gate can judge only
   * what this replica received, so the leader also checks the entries after that.
   */
  readonly watch?: { readonly keys: readonly string[]; readonly abortReply: ApplyResult };
}

interface Proposal {
  readonly kind: LogCommandKind;
  readonly args: readonly string[];
  readonly onApplied: ApplyCallback;
  readonly gate: ProposalGate | undefined;
  readonly origin: number | undefined;
  /** Set once it was held back between leaders: given up on after this. */
  readonly holdUntilMs?: number;
  readonly watch: ProposeOptions['watch'];
}

/** A proposal placed at an (index, term) of the log, waiting for that index to be applied. */
interface Waiter {
  readonly term: number;
  /** What this leader proposed, applied as it is: its entry holds the same, and need not be decoded. */
  readonly command: LogCommand | undefined;
  readonly onApplied: ApplyCallback;
  readonly origin: number | undefined;
  readonly deadlineMs: number;
}

interface PendingRead {
  readonly callback: ReadCallback;
  readonly deadlineMs: number;
}

export interface GroupTiming {
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly electionTimeoutMs: number;
  /** How long a request may wait for its outcome before the client is told it is unknown. */
  readonly requestTimeoutMs: number;
}

export interface RaftGroupOptions<M extends ReplicatedMachine> {
  readonly groupId: GroupId;
  /** `meta`, `data-0`, ...: how INFO and errors name the group. */
  readonly name: string;
  readonly nodeId: NodeId;
  /** The recovered log (snapshot + WAL tail); the machine is already restored from its snapshot. */
  readonly storage: MemoryStorage;
  readonly machine: M;
  readonly wal: WriteAheadLog;
  readonly snapshots: SnapshotStore;
  readonly timing: GroupTiming;
  /** Take a snapshot (and compact the WAL) once this many log bytes accumulated. */
  readonly snapshotAfterLogBytes: () => number;
  /** How many applied entries stay in memory for lagging followers (DEFAULT_CATCH_UP_ENTRIES). */
  readonly catchUpEntries: number;
  readonly send: (to: NodeId, message: WireMessage) => void;
  /** Whether the transport has a live connection to a peer (forwarding fails fast otherwise). */
  readonly isConnected: (peer: NodeId) => boolean;
  /** Delivers the ticks due by now: a lease must never be judged on a clock that stood still. */
  readonly catchUpTicks: () => void;
  readonly logger: Logger;
  /** Clocks, timers and randomness: the process's own, or the simulator's. */
  readonly scheduler: Scheduler;
}

/** Applied entries (at most so many, of at most so many bytes) kept in memory, so a slightly
 * lagging follower still gets appends rather than a snapshot; the log is compacted to that tail
 * whenever twice as much accumulated. Older entries live on only in the write-ahead log. As
 * many entries as etcd keeps for catching up (SnapshotCatchUpEntries): a follower back from a
 * short restart should not cost the leader a serialization of the whole keyspace. */
export const DEFAULT_CATCH_UP_ENTRIES = 5000;
const CATCH_UP_BYTES = 4 * 1024 * 1024;
/** How soon proposals held back during a leadership hand-off are tried again. */
const HOLD_BACK_RETRY_MS = 10;

export class RaftGroup<M extends ReplicatedMachine = ReplicatedMachine> {
  readonly groupId: GroupId;
  readonly name: string;
  readonly nodeId: NodeId;
  readonly machine: M;
  readonly raw: RawNode;
  private readonly storage: MemoryStorage;
  private readonly options: RaftGroupOptions<M>;
  private readonly scheduler: Scheduler;
  private pending: Proposal[] = [];
  private urgent: Proposal[] = [];
  private flushScheduled = false;
  private readonly waiters = new IndexQueue<Waiter>();
  private readonly forwarded = new IndexQueue<{ readonly to: NodeId; readonly proposals: readonly Proposal[]; readonly deadlineMs: number }>();
  /** Reads waiting for a read index: local ReadIndex contexts and requests sent to the leader. */
  private readonly pendingReads = new IndexQueue<PendingRead & { readonly leader?: NodeId }>();
  /** On the leader: read-index contexts asked by followers → who asked, under which id. */
  private readonly remoteReads = new IndexQueue<{ readonly from: NodeId; readonly id: number }>();
  /** Reads whose index is known, waiting for it to be applied (in index order). */
  private readsAwaitingApply: Array<{ readonly index: number; readonly callback: ReadCallback; readonly deadlineMs: number }> = [];
  private nextRequestId = 1;
  private applying = false;
  private processing = false;
  private processAgain = false;
  /** A Ready's fsync is in flight: early work (raw-node.ts) may run meanwhile. */
  private persisting = false;
  private inEarlyWork = false;
  private lastStampMs = 0;
  private failure: ErrorReply | undefined;
  /** The node is shutting down: no more log writes. */
  private stopped = false;
  private snapshotIndex: number;
  private snapshotWrite: Promise<void> = Promise.resolve();
  private snapshotInProgress = false;
  /** Entry bytes this group logged since its last snapshot (what a snapshot would free). */
  private logBytesSinceSnapshot = 0;
  /** Entry bytes appended to the in-memory log since it was last compacted. */
  private logBytesSinceCompaction = 0;
  private lastSnapshotAtMs = 0;
  /** Told, after each applied entry, which keys it signalled ready for blocked clients. */
  onKeysReady: ((keys: ReadonlySet<string>) => void) | undefined;
  /** Told of every command entry right after it is applied (client-side caching invalidation). */
  onApplied: ((index: number, kind: LogCommandKind, args: readonly string[], origin: number | undefined) => void) | undefined;
  /** Whether a command entry touches any of `keys` (a follower's WATCH, checked on the leader). */
  touches: ((kind: LogCommandKind, args: readonly string[], keys: readonly string[]) => boolean) | undefined;
  /** Told when a snapshot from the leader replaced the whole state. */
  onRestored: (() => void) | undefined;

  constructor(options: RaftGroupOptions<M>) {
    this.options = options;
    this.groupId = options.groupId;
    this.name = options.name;
    this.nodeId = options.nodeId;
    this.machine = options.machine;
    this.storage = options.storage;
    this.scheduler = options.scheduler;
    this.snapshotIndex = options.storage.snapshot().meta.index;
    this.raw = new RawNode({
      id: options.nodeId, group: options.groupId, storage: options.storage,
      random: { nextInt: (bound) => Math.floor(options.scheduler.random() * bound) },
      electionTicks: options.timing.electionTicks, heartbeatTicks: options.timing.heartbeatTicks,
      readOnly: 'leaseBased', preVote: true, checkQuorum: true,
      // All of it, every time: see readableNow().
      maxApplyBytesPerReady: Infinity,
    });
    this.storage.makeSnapshotsWith(() => this.snapshotForFollower());
  }

  /**
   * A snapshot of the applied state for a follower whose entries left memory; not while a
   * membership change is applied to the machine but not yet to Raft (its conf state would lag).
   */
  private snapshotForFollower(): Snapshot | undefined {
    if (!this.raw.membershipSettled()) return undefined;
    const { index, chunks } = this.machine.snapshot();
    const term = this.raw.raft.log.term(index);
    if (term === undefined) return undefined;
    this.options.logger.info({ group: this.name, index }, 'snapshot made for a lagging follower');
    return { meta: { index, term, confState: this.raw.status().confState }, data: Buffer.concat(chunks) };
  }

  /**
   * Drops applied entries from memory down to the catch-up tail (see DEFAULT_CATCH_UP_ENTRIES);
   * all of them, after every Ready, in a group of one: no follower can lag (a node added later
   * needs a snapshot anyway), and entries that die young cost the garbage collector less.
   */
  private compactMemoryLog(): void {
    const alone = this.raw.raft.tracker.progress.size === 1;
    const inMemory = this.storage.lastIndex() - this.storage.firstIndex() + 1;
    if (!alone && inMemory <= 2 * this.options.catchUpEntries && this.logBytesSinceCompaction <= 2 * CATCH_UP_BYTES) return;
    const applied = Math.min(this.raw.raft.log.applied, this.storage.lastIndex());
    this.storage.compact(alone ? applied : this.catchUpStart(applied));
    this.logBytesSinceCompaction = 0;
  }

  /** A lone voter need not wait for an election timeout to lead its own group. */
  private campaignIfAlone(): void {
    const raft = this.raw.raft;
    if (raft.role === 'follower' && raft.tracker.voters.length === 1 && raft.tracker.voters[0] === this.nodeId) this.raw.campaign();
  }

  get isLeader(): boolean {
    return this.raw.raft.role === 'leader';
  }

  get leaderId(): NodeId {
    return this.raw.raft.lead;
  }

  get appliedIndex(): number {
    return this.machine.appliedIndex;
  }

  /** Entries proposed here or forwarded from here and not yet answered. */
  get pendingCount(): number {
    let forwarded = 0;
    for (const { proposals } of this.forwarded.values()) forwarded += proposals.length;
    return this.waiters.size + forwarded + this.pending.length + this.urgent.length;
  }

  get lastSaveMs(): number {
    return this.lastSnapshotAtMs;
  }

  /** The time reads are served at: never behind the stamp of an entry in the log. */
  nowMs(): number {
    const now = this.scheduler.wallClockMs();
    return now > this.lastStampMs ? now : this.lastStampMs;
  }

  /**
   * Appends a command to the group's log (through the leader); `onApplied` runs right after it
   * is applied here. Indexes and stamps are assigned when the batch goes into the log, so an
   * `urgent` proposal can still go ahead of the proposals waiting for the next write.
   */
  propose(kind: LogCommandKind, args: readonly string[], onApplied: ApplyCallback, options: ProposeOptions = {}): void {
    if (this.failure !== undefined) return onApplied(this.failure, 0);
    if (this.stopped) return onApplied(this.shuttingDown(), 0);
    (options.urgent === true ? this.urgent : this.pending).push({ kind, args, onApplied, gate: options.gate, origin: options.origin, watch: options.watch });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.scheduler.soon(() => this.flushProposals());
    }
  }

  /**
   * Whether local state may be read linearizably right now (no round trip needed): a leader
   * holding its lease that applied everything committed — or that is applying a batch now (a
   * read pipelined behind a write runs right after it). The latter is safe because a Ready's
   * committed entries are all applied synchronously, before the messages announcing that
   * commit leave this process: no replica can have acknowledged a later entry yet.
   */
  readableNow(): boolean {
    return this.leaseHolds() && (this.applying || this.raw.raft.log.committed <= this.machine.appliedIndex);
  }

  /** Whether this leader may answer reads at its commit index without a quorum round. */
  private leaseHolds(): boolean {
    const raft = this.raw.raft;
    if (raft.role !== 'leader') return false;
    if (raft.tracker.voters.length === 1) return true;
    this.options.catchUpTicks();
    return raft.leaseValid();
  }

  /** Whether this node is (still, or already) a member of the group. */
  get isMember(): boolean {
    return this.raw.raft.tracker.isMember(this.nodeId);
  }

  /** Calls back once local state reflects every write acknowledged before this call. */
  read(callback: ReadCallback): void {
    const raft = this.raw.raft;
    if (this.stopped) return callback(this.shuttingDown());
    if (!this.isMember) return callback(notMember(this.name));
    // A write may be committed (and acknowledged by another replica) before this leader has
    // applied it: the read waits for the commit index, not just the lease.
    if (this.leaseHolds()) return this.awaitApplied(raft.log.committed, callback);
    const leader = raft.lead;
    if (raft.role !== 'leader' && (leader === 0 || !this.options.isConnected(leader))) return this.retryRead(callback);
    const context = this.nextRequestId++;
    const deadlineMs = this.scheduler.monotonicMs() + this.options.timing.requestTimeoutMs;
    if (raft.role === 'leader') {
      const result = this.raw.readIndex(context);
      if (!result.accepted) return callback(this.refusal(result.reason));
      this.pendingReads.set(context, { callback, deadlineMs });
      return this.processReady();
    }
    this.pendingReads.set(context, { callback, deadlineMs, leader });
    this.options.send(leader, { t: 'readIndex', g: this.groupId, id: context });
  }

  /**
   * No leader to ask right now (an election, a reconnect): ask again shortly, for at most one
   * election timeout — without a quorum reads must fail fast, not hang.
   */
  private retryRead(callback: ReadCallback, giveUpAtMs = this.scheduler.monotonicMs() + this.options.timing.electionTimeoutMs): void {
    if (this.scheduler.monotonicMs() >= giveUpAtMs) {
      const leader = this.raw.raft.lead;
      return callback(leader === 0 ? clusterDown(this.name) : tryAgain(this.name, `the leader (node ${leader}) is unreachable`));
    }
    this.scheduler.after(HOLD_BACK_RETRY_MS, () => {
      const leader = this.raw.raft.lead;
      if (this.readableNow() || this.isLeader || (leader !== 0 && this.options.isConnected(leader))) return this.read(callback);
      this.retryRead(callback, giveUpAtMs);
    });
  }

  /** A message for this group from a peer. */
  receive(from: NodeId, message: WireMessage): void {
    if (this.stopped) return;
    switch (message.t) {
      case 'raft':
        this.raw.step(message.m);
        break;
      case 'propose':
        this.options.send(from, { t: 'proposed', g: this.groupId, id: message.id, outcomes: this.proposeForwarded(message.items) });
        break;
      case 'proposed':
        this.forwardAnswered(message.id, message.outcomes);
        break;
      case 'readIndex': {
        const context = this.nextRequestId++;
        const result = this.raw.readIndex(context);
        if (result.accepted) this.remoteReads.set(context, { from, id: message.id });
        else this.options.send(from, { t: 'readIndexed', g: this.groupId, id: message.id, index: 0, refused: result.reason });
        break;
      }
      case 'readIndexed': {
        const read = this.pendingReads.take(message.id);
        if (read === undefined) break;
        if (message.refused !== undefined) read.callback(this.refusal(message.refused as RefusalReason));
        else this.awaitApplied(message.index, read.callback);
        break;
      }
    }
    this.processReady();
  }

  tick(): void {
    if (this.stopped) return;
    this.raw.tick();
    this.expireRequests();
    this.processReady();
    this.maybeSnapshot();
  }

  /**
   * On the leader: one step towards the membership the cluster map asks for — add a missing
   * node as a learner, promote a learner that caught up, remove a node the map no longer has
   * (handing leadership over first when that is this node). One change at a time. Removals
   * only when `mayRemove`: the map read here is known to be current.
   */
  reconcileMembers(wanted: readonly NodeId[], mayRemove: boolean): void {
    const raft = this.raw.raft;
    if (raft.role !== 'leader' || wanted.length === 0) return;
    const { voters, learners } = raft.tracker.confState();
    const change = membershipStep(wanted, voters, learners, (id) => raft.tracker.progress.get(id)?.match ?? 0, raft.log.lastIndex());
    if (change === undefined || (change.type === 'removeNode' && !mayRemove)) return;
    if (change.type === 'removeNode' && change.nodeId === this.nodeId) {
      void this.transferLeadership(4 * this.options.timing.electionTimeoutMs);
      return;
    }
    const result = this.raw.proposeConfChange(change);
    if (result.accepted) {
      this.options.logger.info({ group: this.name, change }, 'membership change proposed');
      this.processReady();
    }
  }

  /** Hands leadership to the most caught-up other voter; resolves once it is gone (or on timeout). */
  async transferLeadership(timeoutMs: number): Promise<void> {
    const raft = this.raw.raft;
    if (raft.role !== 'leader') return;
    const candidates = raft.tracker.voters.filter((id) => id !== this.nodeId && this.options.isConnected(id));
    if (candidates.length === 0) return;
    const match = (id: NodeId) => raft.tracker.progress.get(id)?.match ?? 0;
    const target = candidates.reduce((best, id) => (match(id) > match(best) ? id : best));
    this.raw.transferLeadership(target);
    this.processReady();
    const deadline = this.scheduler.monotonicMs() + timeoutMs;
    while (this.isLeader && this.scheduler.monotonicMs() < deadline) await sleep(this.scheduler, 10);
  }

  private flushProposals(): void {
    this.flushScheduled = false;
    const proposals = this.urgent.length === 0 ? this.pending : [...this.urgent, ...this.pending];
    this.urgent = [];
    this.pending = [];
    if (this.failure !== undefined || this.stopped) {
      const refusal = this.failure ?? this.shuttingDown();
      for (const proposal of proposals) proposal.onApplied(refusal, 0);
      return;
    }
    const raft = this.raw.raft;
    if (!this.isMember) {
      for (const proposal of proposals) proposal.onApplied(notMember(this.name), 0);
      return;
    }
    if (raft.role === 'leader' && raft.leadTransferee !== 0) {
      // Handing leadership over: hold on until there is a new leader to forward to.
      return this.holdBack(proposals);
    }
    if (raft.role === 'leader') {
      const stampMs = this.nextStampMs();
      for (const proposal of proposals) {
        const refusal = proposal.gate?.();
        if (refusal !== undefined) {
          proposal.onApplied(refusal, 0);
          continue;
        }
        const command: LogCommand = { kind: proposal.kind, stampMs, args: proposal.args };
        const outcome = this.proposeEntry(command);
        if ('refused' in outcome) proposal.onApplied(this.refusal(outcome.refused as RefusalReason), 0);
        else this.await(outcome, proposal, command);
      }
      return this.processReady();
    }
    this.forward(proposals);
  }

  /** The stamp of the next entries: never behind an entry already in the log. */
  private nextStampMs(): number {
    this.lastStampMs = this.nowMs();
    return this.lastStampMs;
  }

  private proposeEntry(command: LogCommand): ProposeOutcome {
    const result = this.raw.propose(encodeLogCommand(command));
    if (!result.accepted) return { refused: result.reason };
    return { index: result.index, term: result.term };
  }

  private proposeForwarded(items: readonly ForwardedItem[]): ProposeOutcome[] {
    if (!this.isLeader) return items.map(() => ({ refused: 'notLeader' }));
    const stampMs = this.nextStampMs();
    return items.map(([kind, args, watch]) => {
      if (watch !== undefined && this.logTouches(watch.after, watch.keys)) return { refused: 'watch' };
      return this.proposeEntry({ kind, stampMs, args });
    });
  }

  /** Whether an entry after `after` in this replica's log touches any of `keys` (WATCH). */
  logTouches(after: number, keys: readonly string[]): boolean {
    const log = this.raw.raft.log;
    // Compacted away: it cannot be shown untouched, and aborting too often is allowed.
    if (after + 1 < log.firstIndex()) return true;
    for (const entry of log.slice(after + 1, log.lastIndex() + 1, Infinity)) {
      if (entry.type !== 'normal' || entry.data.length === 0) continue;
      const command = decodeLogCommand(entry.data);
      if (this.touches?.(command.kind, command.args, keys) !== false) return true;
    }
    return false;
  }

  private forward(proposals: readonly Proposal[]): void {
    const leader = this.raw.raft.lead;
    // No leader known (an election may be about to end) or none reachable (a reconnect): wait
    // one election timeout, no more (without a quorum writes must fail fast, not hang).
    if (leader === 0) return this.holdBack(proposals, this.options.timing.electionTimeoutMs, () => clusterDown(this.name));
    if (!this.options.isConnected(leader)) {
      return this.holdBack(proposals, this.options.timing.electionTimeoutMs, () => tryAgain(this.name, `the leader (node ${leader}) is unreachable`));
    }
    const sendable: Proposal[] = [];
    for (const proposal of proposals) {
      // Judged against what this replica has seen: see ARCHITECTURE.md on WATCH in a cluster.
      const refusal = proposal.gate?.();
      if (refusal !== undefined) proposal.onApplied(refusal, 0);
      else sendable.push(proposal);
    }
    if (sendable.length === 0) return;
    const id = this.nextRequestId++;
    this.forwarded.set(id, { to: leader, proposals: sendable, deadlineMs: this.scheduler.monotonicMs() + this.options.timing.requestTimeoutMs });
    // Entries up to here were judged by the gates above; the leader judges the ones after.
    const seen = this.raw.raft.log.lastIndex();
    const items = sendable.map((p): ForwardedItem => (p.watch === undefined ? [p.kind, p.args] : [p.kind, p.args, { keys: p.watch.keys, after: seen }]));
    this.options.send(leader, { t: 'propose', g: this.groupId, id, items });
  }

  /**
   * Proposals that were not proposed anywhere and whose group is between leaders: tried again
   * shortly (a planned hand-off then costs clients a pause, not an error), until their deadline.
   */
  private holdBack(proposals: readonly Proposal[], windowMs = this.options.timing.requestTimeoutMs, refusal = (): ErrorReply => tryAgain(this.name, 'leadership is being transferred')): void {
    const now = this.scheduler.monotonicMs();
    for (const proposal of proposals) {
      const deadlineMs = proposal.holdUntilMs ?? now + windowMs;
      if (deadlineMs <= now) proposal.onApplied(refusal(), 0);
      else this.pending.push({ ...proposal, holdUntilMs: deadlineMs });
    }
    if (this.pending.length === 0 || this.flushScheduled) return;
    this.flushScheduled = true;
    this.scheduler.after(HOLD_BACK_RETRY_MS, () => this.flushProposals());
  }

  private forwardAnswered(id: number, outcomes: readonly ProposeOutcome[]): void {
    const request = this.forwarded.take(id);
    if (request === undefined) return; // already timed out and answered
    assert.equal(outcomes.length, request.proposals.length, 'one outcome per forwarded proposal');
    const between = outcomes.filter((outcome) => 'refused' in outcome && (outcome.refused === 'transferring' || outcome.refused === 'notLeader'));
    if (between.length > 0) {
      this.holdBack(request.proposals.filter((_, i) => between.includes(outcomes[i])));
    }
    request.proposals.forEach((proposal, i) => {
      const outcome = outcomes[i];
      if (between.includes(outcome)) return;
      if ('refused' in outcome && outcome.refused === 'watch' && proposal.watch !== undefined) return proposal.onApplied(proposal.watch.abortReply, 0);
      if ('refused' in outcome) return proposal.onApplied(this.refusal(outcome.refused as RefusalReason), 0);
      // Applied before the answer came back: it happened, but its reply was not kept.
      if (outcome.index <= this.machine.appliedIndex) return proposal.onApplied(uncertain(this.name, 'it was applied before the leader said where it went'), 0);
      this.await(outcome, proposal);
    });
  }

  private await(placed: { readonly index: number; readonly term: number }, proposal: Proposal, command?: LogCommand): void {
    const previous = this.waiters.get(placed.index);
    if (previous !== undefined) {
      // Two proposals at one index: only the later term's can commit there (a leader appends
      // at an index only when its log has no entry there, and it holds every committed one).
      const [loser, winner] = previous.term < placed.term ? [previous, undefined] : [undefined, previous];
      if (winner !== undefined) return proposal.onApplied(tryAgain(this.name, 'the write was overwritten by a newer leader'), 0);
      loser?.onApplied(tryAgain(this.name, 'the write was overwritten by a newer leader'), 0);
    }
    this.waiters.set(placed.index, {
      term: placed.term, command, onApplied: proposal.onApplied, origin: proposal.origin,
      deadlineMs: this.scheduler.monotonicMs() + this.options.timing.requestTimeoutMs,
    });
  }

  private refusal(reason: RefusalReason | string): ErrorReply {
    switch (reason) {
      case 'notLeader':
        return this.raw.raft.lead === 0 ? clusterDown(this.name) : tryAgain(this.name, 'leadership moved');
      case 'transferring':
        return tryAgain(this.name, 'leadership is being transferred');
      case 'tooManyPending':
        return tryAgain(this.name, 'too many writes are waiting to commit');
      case 'notMember':
        return tryAgain(this.name, 'this node is not a voter of the group');
      default:
        return tryAgain(this.name, String(reason));
    }
  }

  /**
   * The connection to `peer` dropped: requests it never answered will not be answered (an old
   * leader that is still connected answers them, with a refusal if it no longer leads). Forwarded writes may have reached its log (uncertain);
   * reads had no effect (retry).
   */
  peerLost(peer: NodeId): void {
    for (const request of this.forwarded.removeIf((forwarded) => forwarded.to === peer)) {
      for (const proposal of request.proposals) proposal.onApplied(uncertain(this.name, 'the leader went away before answering'), 0);
    }
    for (const read of this.pendingReads.removeIf((pending) => pending.leader === peer)) {
      read.callback(tryAgain(this.name, 'the leader went away before confirming the read'));
    }
  }

  /** Answers requests whose outcome did not arrive in time. */
  private expireRequests(): void {
    const now = this.scheduler.monotonicMs();
    for (const waiter of this.waiters.removeIf((waiting) => waiting.deadlineMs <= now)) {
      waiter.onApplied(uncertain(this.name, 'no outcome within the request timeout'), 0);
    }
    for (const request of this.forwarded.removeIf((forwarded) => forwarded.deadlineMs <= now)) {
      for (const proposal of request.proposals) proposal.onApplied(uncertain(this.name, 'the leader did not answer within the request timeout'), 0);
    }
    for (const read of this.pendingReads.removeIf((pending) => pending.deadlineMs <= now)) {
      read.callback(tryAgain(this.name, 'the read could not be confirmed by a quorum in time'));
    }
    if (this.readsAwaitingApply.some((read) => read.deadlineMs <= now)) {
      // This replica stopped catching up (cut off, or removed from the group).
      const late = this.readsAwaitingApply.filter((read) => read.deadlineMs <= now);
      this.readsAwaitingApply = this.readsAwaitingApply.filter((read) => read.deadlineMs > now);
      for (const read of late) read.callback(tryAgain(this.name, 'this replica did not catch up with the leader in time'));
    }
  }

  private awaitApplied(index: number, callback: ReadCallback): void {
    if (index <= this.machine.appliedIndex) return callback(undefined);
    const waiting = this.readsAwaitingApply;
    waiting.push({ index, callback, deadlineMs: this.scheduler.monotonicMs() + this.options.timing.requestTimeoutMs });
    // Read indexes mostly arrive in order: sort only when one does not.
    if (waiting.length > 1 && waiting[waiting.length - 2].index > index) waiting.sort((a, b) => a.index - b.index);
  }

  /** Runs the host loop: one Ready at a time, the next only after the previous is persisted. */
  processReady(): void {
    if (this.stopped) return;
    if (this.processing) {
      this.processAgain = true;
      if (this.persisting) this.processEarlyWork();
      return;
    }
    if (this.failure !== undefined || !this.raw.hasReady()) return;
    this.processing = true;
    void this.drainReadies().finally(() => {
      this.processing = false;
      this.maybeSnapshot();
      if (this.processAgain) {
        this.processAgain = false;
        this.processReady();
      }
    });
  }

  private async drainReadies(): Promise<void> {
    try {
      while (this.failure === undefined && this.raw.hasReady()) {
        const rd = this.raw.ready();
        if (rd.softState !== undefined) this.roleChanged(rd.softState.role, rd.softState.lead);
        this.sendAll(rd.messages);
        if (rd.snapshot !== undefined) await this.installSnapshot(rd.snapshot);
        this.appendToWal(rd);
        // Committed entries are durable on a quorum already: they apply (and their clients get
        // answers) while this Ready's own entries are being fsynced.
        this.applyCommitted(rd.committedEntries);
        this.takeReadStates(rd.readStates);
        this.serveAppliedReads();
        if (rd.mustSync) {
          this.persisting = true;
          try {
            // A leader with followers has work to overlap with its own fsync (early work);
            // a follower or a group of one has none.
            await this.options.wal.flush(!(this.isLeader && this.raw.raft.tracker.voters.length > 1));
          } finally {
            this.persisting = false;
          }
        }
        this.storage.append(rd.entries);
        if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState);
        this.sendAll(rd.messagesAfterPersist);
        this.raw.advance();
        this.compactMemoryLog();
        this.serveAppliedReads();
        // The membership is known once its entries are applied (in advance()).
        this.campaignIfAlone();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * While this node's fsync is in flight: entries a quorum committed meanwhile are applied (and
   * their clients answered), and messages that need nothing durable leave — the next appends
   * reach followers without waiting for this disk, so the leader's fsync is off the write path.
   */
  private processEarlyWork(): void {
    if (this.inEarlyWork || this.failure !== undefined) return;
    this.inEarlyWork = true;
    try {
      for (let round = 0; round < 100 && this.persisting && this.raw.hasEarlyWork(); round++) {
        const early = this.raw.takeEarlyWork();
        this.sendAll(early.messages);
        this.applyCommitted(early.committedEntries);
        this.takeReadStates(early.readStates);
        this.serveAppliedReads();
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.inEarlyWork = false;
    }
  }

  private roleChanged(role: string, leader: NodeId): void {
    this.options.logger.info({ group: this.name, role, leader, term: this.raw.raft.term }, 'raft role changed');
    if (role !== 'leader') {
      // Reads have no effect: refusing them now is safe, and better than waiting to time out.
      for (const read of this.pendingReads.removeIf(() => true)) read.callback(tryAgain(this.name, 'leadership moved'));
      for (const { from, id } of this.remoteReads.removeIf(() => true)) {
        this.options.send(from, { t: 'readIndexed', g: this.groupId, id, index: 0, refused: 'notLeader' });
      }
    }
  }

  private sendAll(messages: readonly Message[]): void {
    for (const m of messages) this.options.send(m.to, { t: 'raft', m });
  }

  private appendToWal(rd: Ready): void {
    const { wal } = this.options;
    const leader = this.isLeader;
    for (const entry of rd.entries) {
      wal.append({ kind: 'entry', group: this.groupId, term: entry.term, index: entry.index, data: encodeEntryData(entry) });
      this.logBytesSinceSnapshot += entry.data.length;
      this.logBytesSinceCompaction += entry.data.length;
      // A leader stamped its own entries when proposing them; replicated ones count here.
      if (leader || entry.type !== 'normal' || entry.data.length === 0) continue;
      const stampMs = logCommandStampMs(entry.data);
      if (stampMs > this.lastStampMs) this.lastStampMs = stampMs;
    }
    const hard = rd.hardState;
    if (hard !== undefined) wal.append({ kind: 'hardState', group: this.groupId, term: hard.term, vote: hard.vote, commit: hard.commit });
  }

  private applyCommitted(entries: readonly Entry[]): void {
    this.applying = true;
    try {
      this.applyEach(entries);
    } finally {
      this.applying = false;
    }
  }

  private applyEach(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.index <= this.machine.appliedIndex) continue; // covered by a restored snapshot
      const waiter = this.waiters.take(entry.index);
      const ours = waiter !== undefined && waiter.term === entry.term;
      if (entry.type !== 'normal' || entry.data.length === 0) {
        this.machine.skip(entry.index);
        if (waiter !== undefined) waiter.onApplied(tryAgain(this.name, 'the write was overwritten by a newer leader'), 0);
        continue;
      }
      // Same index and term: the very entry this leader proposed (Raft's log matching).
      const command = ours && waiter.command !== undefined ? waiter.command : decodeLogCommand(entry.data);
      const startedMs = this.scheduler.monotonicMs();
      const result = this.machine.apply(entry.index, command);
      const applyMicros = (this.scheduler.monotonicMs() - startedMs) * 1000;
      // Group-wide hooks first: the proposer's callback may run its next commands (a WATCH
      // pipelined behind this write must not be broken by this very write).
      this.onApplied?.(entry.index, command.kind, command.args, ours ? waiter.origin : undefined);
      if (waiter !== undefined) {
        if (ours) waiter.onApplied(result, applyMicros);
        else waiter.onApplied(tryAgain(this.name, 'the write was overwritten by a newer leader'), 0);
      }
      const ready = this.machine.takeReadyKeys?.();
      if (ready !== undefined) this.onKeysReady?.(ready);
    }
  }

  private takeReadStates(readStates: readonly ReadState[]): void {
    for (const state of readStates) {
      const remote = this.remoteReads.take(state.context);
      if (remote !== undefined) {
        this.options.send(remote.from, { t: 'readIndexed', g: this.groupId, id: remote.id, index: state.index });
        continue;
      }
      const read = this.pendingReads.take(state.context);
      if (read === undefined) continue;
      this.awaitApplied(state.index, read.callback);
    }
  }

  private serveAppliedReads(): void {
    if (this.readsAwaitingApply.length === 0) return;
    const applied = this.machine.appliedIndex;
    let served = 0;
    while (served < this.readsAwaitingApply.length && this.readsAwaitingApply[served].index <= applied) served++;
    const ready = this.readsAwaitingApply.splice(0, served);
    for (const read of ready) read.callback(undefined);
  }

  /** A snapshot from the leader: durable first, then it replaces the log and the state. */
  private async installSnapshot(snapshot: Snapshot): Promise<void> {
    const { index, term } = snapshot.meta;
    await this.writeSnapshotFile(snapshot);
    this.storage.applySnapshot(snapshot);
    this.machine.restore(index, Buffer.from(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength));
    this.snapshotIndex = index;
    if (term > 0) this.lastStampMs = Math.max(this.lastStampMs, this.scheduler.wallClockMs());
    for (const waiter of this.waiters.removeIf((_, waiting) => waiting <= index)) {
      waiter.onApplied(uncertain(this.name, 'a snapshot replaced the log before it was applied'), 0);
    }
    this.onRestored?.();
    this.options.logger.info({ group: this.name, index, term }, 'installed a snapshot from the leader');
    await this.options.wal.compact(this.groupId, index);
  }

  private writeSnapshotFile(snapshot: Snapshot): Promise<void> {
    const payload = encodeSnapshotPayload(snapshot);
    const run = this.snapshotWrite.then(() => this.options.snapshots.write(
      { group: this.groupId, index: snapshot.meta.index, term: snapshot.meta.term }, [payload],
    ));
    this.snapshotWrite = run.catch(() => undefined);
    return run;
  }

  private maybeSnapshot(): void {
    if (this.snapshotInProgress || this.processing || this.failure !== undefined) return;
    if (this.machine.appliedIndex <= this.snapshotIndex) return;
    const threshold = this.options.snapshotAfterLogBytes();
    // A quiet group (meta) also snapshots once the shared log is long: its old entries would
    // otherwise keep every segment, and the other groups' snapshots could delete none.
    if (this.logBytesSinceSnapshot < threshold && this.options.wal.stats.bytesSinceCompaction < 2 * threshold) return;
    // A snapshot that cannot be written (or a log that cannot be compacted) stops this group's
    // writes, as Redis stops them when a background save fails: nothing is silently kept unsaved.
    this.snapshot().catch((error: unknown) => this.fail(error));
  }

  /** Where the in-memory log may start once a snapshot covers `index`. */
  private catchUpStart(index: number): number {
    const first = this.storage.firstIndex();
    let keptBytes = 0;
    let start = index;
    while (start > first && index - start < this.options.catchUpEntries) {
      const [entry] = this.storage.entries(start, start + 1, Infinity);
      keptBytes += entry.data.length;
      if (keptBytes > CATCH_UP_BYTES) break;
      start--;
    }
    return start;
  }

  /**
   * Writes a snapshot of the applied state, then drops the log it covers (in memory at once,
   * keeping a tail for lagging followers; in the WAL once the file is durable).
   */
  async snapshot(): Promise<void> {
    if (this.snapshotInProgress) return this.snapshotWrite;
    // Between advance() and the next ready() (raft/index.ts): wait for the Ready in flight.
    for (let round = 0; round < 1000 && this.processing; round++) await sleep(this.scheduler, 1);
    const applied = this.machine.appliedIndex;
    // Applied early (before this node's own log has it): a snapshot waits until the log does.
    if (applied <= this.snapshotIndex || applied > this.storage.lastIndex()) return;
    const { index, chunks } = this.machine.snapshot();
    this.snapshotInProgress = true;
    const startedMs = this.scheduler.wallClockMs();
    try {
      const snapshot = this.storage.createSnapshot(index, this.raw.status().confState, Buffer.concat(chunks));
      this.storage.compact(this.catchUpStart(index));
      this.snapshotIndex = index;
      this.logBytesSinceSnapshot = 0;
      await this.writeSnapshotFile(snapshot);
      await this.options.wal.compact(this.groupId, index);
      this.lastSnapshotAtMs = this.scheduler.wallClockMs();
      this.options.logger.info({ group: this.name, index, durationMs: this.lastSnapshotAtMs - startedMs }, 'snapshot written');
    } finally {
      this.snapshotInProgress = false;
    }
  }

  /**
   * A failed log write leaves us unsure what reached the disk: stop taking part (the node stays
   * readable) rather than acknowledge or vote on anything we cannot promise to keep.
   */
  private fail(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.options.logger.error({ group: this.name, err: reason }, 'write-ahead log write failed; group is read-only until restart');
    this.failure = new ErrorReply(`ERR write-ahead log failure, writes refused until restart: ${reason}`);
    // Writes already in a log (here or at the leader) may still commit through the others.
    const placed = this.waiters.removeIf(() => true).map((waiter) => waiter.onApplied);
    for (const { proposals } of this.forwarded.removeIf(() => true)) placed.push(...proposals.map((p) => p.onApplied));
    const notProposed = [...this.urgent, ...this.pending].map((p) => p.onApplied);
    this.urgent = [];
    this.pending = [];
    const fate = uncertain(this.name, `this node's write-ahead log failed: ${reason}`);
    for (const onApplied of placed) onApplied(fate, 0);
    for (const onApplied of notProposed) onApplied(this.failure, 0);
  }

  private shuttingDown(): ErrorReply {
    return tryAgain(this.name, 'this node is shutting down');
  }

  /**
   * Stops taking part (the node is shutting down): what arrives from now on is refused or
   * ignored; resolves once the Ready in flight, if any, is done with the log.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (let round = 0; round < 10_000 && this.processing; round++) await sleep(this.scheduler, 1);
    assert.ok(!this.processing, 'a Ready was still in flight after stop()');
  }

  /**
   * Waits until the proposals made so far are answered (applied, refused, or timed out) — for
   * at most a request timeout and an election: a leader cut off from its quorum, with peers
   * still forwarding to it, would otherwise never finish shutting down.
   */
  async drain(): Promise<void> {
    const deadlineMs = this.scheduler.monotonicMs() + this.options.timing.requestTimeoutMs + this.options.timing.electionTimeoutMs;
    const busy = (): boolean => this.flushScheduled || this.processing || this.pendingCount > 0;
    while (busy() && this.scheduler.monotonicMs() < deadlineMs) await sleep(this.scheduler, 1);
    if (this.pendingCount > 0) this.options.logger.warn({ group: this.name, pending: this.pendingCount }, 'shutting down with writes still waiting for their outcome');
  }
}

/** A learner this close to the leader's last index is promoted to voter. */
const PROMOTE_WITHIN_ENTRIES = 100;

/** The next membership change towards `wanted`, or undefined when there is none to make. */
export function membershipStep(
  wanted: readonly NodeId[], voters: readonly NodeId[], learners: readonly NodeId[], match: (id: NodeId) => number, lastIndex: number,
): ConfChange | undefined {
  const members = new Set([...voters, ...learners]);
  const missing = wanted.find((id) => !members.has(id));
  if (missing !== undefined) return { type: 'addLearner', nodeId: missing };
  // A learner that never acknowledged anything is not caught up, however short the log: a
  // voter that does not exist would count against every quorum.
  const caughtUp = learners.find((id) => wanted.includes(id) && match(id) > 0 && match(id) >= lastIndex - PROMOTE_WITHIN_ENTRIES);
  if (caughtUp !== undefined) return { type: 'addVoter', nodeId: caughtUp };
  const unwanted = [...members].find((id) => !wanted.includes(id));
  if (unwanted !== undefined && (voters.length > 1 || !voters.includes(unwanted))) return { type: 'removeNode', nodeId: unwanted };
  return undefined;
}
