// The data Raft exchanges with its host: entries, persistent state, snapshots and messages.
// Everything here is plain readonly data, so the host can serialise it however it likes.

/** A node's id within a group. 0 means "nobody" (no vote, no known leader). */
export type NodeId = number;
/** A Raft group's id: one node can host many groups, and every message names its group. */
export type GroupId = number;

export const NONE: NodeId = 0;

export type EntryType = 'normal' | 'confChange';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** A normal entry's command (may be empty: a new leader's no-op), or an encoded ConfChange. */
  readonly data: Uint8Array;
}

/** What must survive a crash besides the log: the term, who we voted for in it, and commit. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

/** The membership of a group. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** One membership change at a time (see conf-change.ts for why that is safe here). */
export interface ConfChange {
  readonly type: 'addVoter' | 'addLearner' | 'removeNode';
  readonly nodeId: NodeId;
}

export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  /** The membership as of `index`: a snapshot replaces the log entries that defined it. */
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The application's state machine at `meta.index`, opaque to Raft. */
  readonly data: Uint8Array;
}

/** A read that became safe to serve once the local state machine has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: number;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

interface MessageBase {
  readonly group: GroupId;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** Append entries after (index, logTerm); also carries the leader's commit index. */
export interface AppendMessage extends MessageBase {
  readonly type: 'app';
  readonly index: number;
  readonly logTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * The answer to an append. Accepted: `index` is the follower's last index matching the leader.
 * Rejected: `index` is the rejected append's index, and (`rejectHint`, `logTerm`) is the
 * follower's last entry at or before it, so the leader can skip a whole conflicting term.
 */
export interface AppendResponse extends MessageBase {
  readonly type: 'appResp';
  readonly index: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  readonly logTerm: number;
}

export interface VoteRequest extends MessageBase {
  readonly type: 'vote' | 'preVote';
  /** The candidate's last log index and term. */
  readonly index: number;
  readonly logTerm: number;
  /** Sent because of a leadership transfer: voters may not ignore it for being in a lease. */
  readonly transfer: boolean;
}

export interface VoteResponse extends MessageBase {
  readonly type: 'voteResp' | 'preVoteResp';
  readonly reject: boolean;
}

/**
 * The leader's heartbeat. `round` numbers the leader's heartbeat broadcasts in its term (a
 * ReadIndex waits for a quorum to acknowledge a round started after the read arrived), and
 * `sentTick` is the leader's tick count when it sent the round (its lease runs from there).
 */
export interface HeartbeatMessage extends MessageBase {
  readonly type: 'heartbeat';
  readonly commit: number;
  readonly round: number;
  readonly sentTick: number;
}

export interface HeartbeatResponse extends MessageBase {
  readonly type: 'heartbeatResp';
  readonly round: number;
  readonly sentTick: number;
}

export interface SnapshotMessage extends MessageBase {
  readonly type: 'snap';
  readonly snapshot: Snapshot;
}

/** Leadership transfer: the target starts an election at once, bypassing leases. */
export interface TimeoutNowMessage extends MessageBase {
  readonly type: 'timeoutNow';
}

export type Message =
  | AppendMessage
  | AppendResponse
  | VoteRequest
  | VoteResponse
  | HeartbeatMessage
  | HeartbeatResponse
  | SnapshotMessage
  | TimeoutNowMessage;

export type MessageType = Message['type'];

/** A deterministic source of randomness the host seeds (election timeouts only). */
export interface RandomSource {
  /** An integer in [0, bound). */
  nextInt(bound: number): number;
}

/** Why a proposal, read or transfer was refused; the host retries or redirects. */
export type RefusalReason =
  | 'notLeader'
  | 'transferring'
  | 'confChangePending'
  | 'tooManyPending'
  | 'notMember';

export type ProposeResult =
  | { readonly accepted: true; readonly index: number; readonly term: number }
  | { readonly accepted: false; readonly reason: RefusalReason; readonly leader: NodeId };

export type RequestResult =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: RefusalReason; readonly leader: NodeId };
