// Safety invariants, checked after every step of a run:
//  - election safety: at most one leader per term;
//  - leader completeness: a new leader's log holds every entry known committed;
//  - log matching up to commit: every node's log agrees with the committed entries up to its
//    commit index, and a committed entry never changes;
//  - state machine safety: every replica applies the same entries in the same order, with no
//    gaps, and replicas at the same applied index have the same state digest.
// A violation throws SafetyViolation; the run reports it with the seed.

import type { Entry, NodeId } from '../src/raft/index.js';
import type { SimNode } from './sim-node.js';

export class SafetyViolation extends Error {
  override readonly name = 'SafetyViolation';
}

interface Committed {
  readonly term: number;
  readonly fingerprint: string;
  /**
   * The lowest current term of a node that knew the entry committed: at least the term of the
   * leader that committed it. Leaders of later terms must hold it (leader completeness); a
   * leader of an earlier term may still be elected later in real time, on delayed votes.
   */
  knownInTerm: number;
}

export class SafetyMonitor {
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** Every entry known committed, by index (term + data fingerprint). */
  private readonly committed = new Map<number, Committed>();
  private maxCommitted = 0;
  /** Per node: the highest commit index already checked against `committed`. */
  private readonly checkedCommit = new Map<NodeId, number>();
  /** Digest of the state machine after applying each index (first replica to get there). */
  private readonly digestAt = new Map<number, number>();
  leadersElected = 0;

  onLeader(node: SimNode, term: number): void {
    const existing = this.leaderOfTerm.get(term);
    if (existing !== undefined && existing !== node.id) throw new SafetyViolation(`two leaders in term ${term}: ${existing} and ${node.id}`);
    this.leaderOfTerm.set(term, node.id);
    this.leadersElected++;
    const log = node.raw.raft.log;
    for (let i = Math.max(log.firstIndex(), 1); i <= this.maxCommitted; i++) {
      const c = this.committed.get(i);
      if (c === undefined || c.knownInTerm >= term) continue;
      const t = log.term(i);
      if (t !== c.term) throw new SafetyViolation(`leader ${node.id} of term ${term} lacks entry ${i} (term ${c.term}) committed by term ${c.knownInTerm}, has ${t}`);
    }
  }

  /** Commit advanced on a node: its log up to commit must agree with every committed entry. */
  onCommitAdvanced(node: SimNode): void {
    const log = node.raw.raft.log;
    const from = Math.max(this.checkedCommit.get(node.id) ?? 0, log.firstIndex() - 1) + 1;
    for (let i = from; i <= log.committed; i++) {
      const t = log.term(i);
      if (t === undefined) continue;
      const entries = log.slice(i, i + 1, Number.MAX_SAFE_INTEGER);
      this.record(node.id, entries[0], node.raw.raft.term);
    }
    this.checkedCommit.set(node.id, Math.max(this.checkedCommit.get(node.id) ?? 0, log.committed));
  }

  /** A node restarted: its commit is re-established from its own durable state. */
  onRestart(node: SimNode): void {
    this.checkedCommit.set(node.id, 0);
  }

  onApplied(node: SimNode, entry: Entry, lastApplied: number, digest: number): void {
    if (entry.index !== lastApplied) throw new SafetyViolation(`node ${node.id} applied ${entry.index} out of order (state machine at ${lastApplied})`);
    this.record(node.id, entry, node.raw.raft.term);
    const d = this.digestAt.get(entry.index);
    if (d === undefined) this.digestAt.set(entry.index, digest);
    else if (d !== digest) throw new SafetyViolation(`node ${node.id} state after applying ${entry.index} differs from another replica's`);
  }

  private record(node: NodeId, entry: Entry, currentTerm: number): void {
    const fingerprint = `${entry.type}:${fingerprintOf(entry.data)}`;
    const c = this.committed.get(entry.index);
    if (c !== undefined && currentTerm < c.knownInTerm) c.knownInTerm = currentTerm;
    if (c === undefined) {
      this.committed.set(entry.index, { term: entry.term, fingerprint, knownInTerm: currentTerm });
      if (entry.index > this.maxCommitted) this.maxCommitted = entry.index;
      return;
    }
    if (c.term !== entry.term || c.fingerprint !== fingerprint) {
      throw new SafetyViolation(`committed entry ${entry.index} changed: term ${c.term} → ${entry.term} on node ${node}`);
    }
  }

  committedCount(): number {
    return this.maxCommitted;
  }
}

function fingerprintOf(data: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193) >>> 0;
  return `${data.length}:${h}`;
}
