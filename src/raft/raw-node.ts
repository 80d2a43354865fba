// The host's handle on one group member: feed it ticks, messages and requests, then collect
// what to do as a Ready and acknowledge it with advance().

import assert from 'node:assert/strict';
import { Raft } from './raft.js';
import type { RaftConfig } from './raft.js';
import type {
  ConfChange, ConfState, Entry, HardState, Message, NodeId, ProposeResult, ReadState,
  RequestResult, Role, Snapshot,
} from './types.js';

export interface SoftState {
  readonly lead: NodeId;
  readonly role: Role;
}

export interface Ready {
  /** Set when the leader or our role changed (volatile: nothing to persist). */
  readonly softState?: SoftState;
  /** Set when term, vote or commit changed: persist it (a `hardState` WAL record). */
  readonly hardState?: HardState;
  /**
   * Entries to append to the log. An entry at an index the log already has replaces it and
   * every later one (a leader overwrote a conflicting suffix).
   */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader: persist it, then restore the state machine from it. */
  readonly snapshot?: Snapshot;
  /** Committed entries to apply, in order, after this Ready's persistence. */
  readonly committedEntries: readonly Entry[];
  /** Messages the host may send at once, while it persists this Ready. */
  readonly messages: readonly Message[];
  /**
   * Messages that must wait until this Ready's entries, hard state and snapshot are durable
   * (fsynced): acknowledgements of appends, votes and vote requests, heartbeat answers.
   */
  readonly messagesAfterPersist: readonly Message[];
  /** Reads that became safe: serve each once the applied index reaches its `index`. */
  readonly readStates: readonly ReadState[];
  /** Whether persisting this Ready needs an fsync (new entries, a term or vote change, a snapshot). */
  readonly mustSync: boolean;
}

/**
 * What may happen while a Ready is being persisted, without waiting for it: messages that
 * depend on nothing durable (appends of newer entries, heartbeats, the commit index) and
 * entries committed meanwhile — a quorum holds them durably already (Raft thesis §10.2.1), so
 * applying them need not wait for this node's own fsync.
 */
export interface EarlyWork {
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
}

export interface Status {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly lead: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly leadTransferee: NodeId;
  readonly confState: ConfState;
}

export class RawNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private inFlight: Ready | undefined = undefined;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoft = { lead: this.raft.lead, role: this.raft.role };
    this.prevHard = this.raft.hardState();
  }

  tick(): void {
    this.raft.tick();
  }

  step(message: Message): void {
    this.raft.step(message);
  }

  /** Starts an election now (tests and bootstrap); normally ticks do it. */
  campaign(): void {
    this.raft.hup(false);
  }

  propose(data: Uint8Array): ProposeResult {
    return this.raft.propose(data);
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    return this.raft.proposeConfChange(change);
  }

  readIndex(context: number): RequestResult {
    return this.raft.readIndex(context);
  }

  transferLeadership(to: NodeId): RequestResult {
    return this.raft.transferLeadership(to);
  }

  reportUnreachable(id: NodeId): void {
    this.raft.reportUnreachable(id);
  }

  status(): Status {
    const r = this.raft;
    return {
      id: r.id, role: r.role, term: r.term, lead: r.lead, commit: r.log.committed, applied: r.log.applied,
      lastIndex: r.log.lastIndex(), leadTransferee: r.leadTransferee, confState: r.confState(),
    };
  }

  hasReady(): boolean {
    if (this.inFlight !== undefined) return false;
    this.raft.flush();
    const r = this.raft;
    const hard = r.hardState();
    return r.lead !== this.prevSoft.lead || r.role !== this.prevSoft.role || !sameHardState(hard, this.prevHard)
      || r.log.unstableEntries().length > 0 || r.log.unstable.snapshot !== undefined
      || r.log.hasNextCommittedEntries() || r.hasPendingOutput();
  }

  /** What the host must do now. Call advance() when done before the next ready(). */
  ready(): Ready {
    assert.ok(this.inFlight === undefined, 'ready() again before advance()');
    this.raft.flush();
    const r = this.raft;
    const soft: SoftState = { lead: r.lead, role: r.role };
    const hard = r.hardState();
    const entries = r.log.unstableEntries().slice();
    const snapshot = r.log.unstable.snapshot;
    const { now, afterPersist } = r.takeMessages();
    const hardChanged = !sameHardState(hard, this.prevHard);
    const rd: Ready = {
      softState: soft.lead !== this.prevSoft.lead || soft.role !== this.prevSoft.role ? soft : undefined,
      hardState: hardChanged ? hard : undefined,
      entries,
      snapshot,
      committedEntries: r.log.nextCommittedEntries(),
      messages: now,
      messagesAfterPersist: afterPersist,
      readStates: r.takeReadStates(),
      mustSync: entries.length > 0 || snapshot !== undefined || hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote,
    };
    this.prevSoft = soft;
    if (hardChanged) this.prevHard = hard;
    this.inFlight = rd;
    return rd;
  }

  /**
   * Whether the membership (status().confState) is that of the entries handed out to apply: not
   * so between ready() and advance() when the Ready carries a membership change.
   */
  membershipSettled(): boolean {
    return this.inFlight === undefined || !this.inFlight.committedEntries.some((entry) => entry.type === 'confChange');
  }

  /** Whether, while the last Ready is persisted, there is early work (see EarlyWork). */
  hasEarlyWork(): boolean {
    if (this.inFlight === undefined) return false;
    this.raft.flush();
    return this.raft.hasMessagesNow() || this.earlyCommittedRange() !== undefined;
  }

  /**
   * Takes the early work. Its committed entries follow the in-flight Ready's, which the host
   * must have applied already; they count as applied once returned.
   */
  takeEarlyWork(): EarlyWork {
    assert.ok(this.inFlight !== undefined, 'early work only while a Ready is in flight');
    this.raft.flush();
    const range = this.earlyCommittedRange();
    let committedEntries: Entry[] = [];
    if (range !== undefined) {
      committedEntries = this.raft.log.slice(range.from, range.to + 1, Infinity);
      // A membership change takes effect in advance(): it and what follows wait for the Ready.
      const confChange = committedEntries.findIndex((entry) => entry.type === 'confChange');
      if (confChange >= 0) committedEntries = committedEntries.slice(0, confChange);
      if (committedEntries.length > 0) this.raft.log.appliedTo(committedEntries[committedEntries.length - 1].index);
    }
    return { messages: this.raft.takeMessagesNow(), committedEntries, readStates: this.raft.takeReadStates() };
  }

  /** Committed entries past those of the Ready in flight, if they may be applied early. */
  private earlyCommittedRange(): { from: number; to: number } | undefined {
    const rd = this.inFlight;
    const log = this.raft.log;
    if (rd === undefined || rd.snapshot !== undefined || log.unstable.snapshot !== undefined) return undefined;
    const handedOut = rd.committedEntries.length > 0 ? rd.committedEntries[rd.committedEntries.length - 1].index : 0;
    // The in-flight Ready's membership change is applied in advance(): nothing overtakes it.
    if (rd.committedEntries.some((entry) => entry.type === 'confChange')) return undefined;
    const from = Math.max(log.applied, handedOut, log.firstIndex() - 1) + 1;
    if (from > log.committed) return undefined;
    // A membership change next: nothing to do before the Ready (see takeEarlyWork).
    if (log.slice(from, from + 1, Infinity)[0]?.type === 'confChange') return undefined;
    return { from, to: log.committed };
  }

  /**
   * The host persisted the last Ready (entries, hard state, snapshot), sent its messages and
   * applied its committed entries (a conf change among them takes effect here).
   */
  advance(): void {
    const rd = this.inFlight;
    assert.ok(rd !== undefined, 'advance() without ready()');
    this.inFlight = undefined;
    const log = this.raft.log;
    if (rd.snapshot !== undefined) {
      log.stableSnapTo(rd.snapshot.meta.index);
      if (rd.snapshot.meta.index > log.applied) log.applied = rd.snapshot.meta.index;
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1];
      log.stableTo(last.index, last.term);
    }
    this.raft.onPersisted();
    for (const entry of rd.committedEntries) {
      if (entry.type === 'confChange') this.raft.applyConfChange(entry);
    }
    // Early work may have applied past this Ready's entries already.
    if (rd.committedEntries.length > 0) log.appliedTo(Math.max(log.applied, rd.committedEntries[rd.committedEntries.length - 1].index));
  }
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
