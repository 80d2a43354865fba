// Quorum arithmetic for a majority configuration and for a joint one (two majorities that
// must both agree, used while moving between configurations).

import type { NodeId } from './types.js';

export type VoteResult = 'pending' | 'lost' | 'won';

/**
 * The highest index acknowledged by a majority of `voters`. An empty configuration commits
 * everything (so that, in a joint configuration, it never holds the other half back).
 */
export function majorityCommitted(voters: readonly NodeId[], acked: (id: NodeId) => number): number {
  if (voters.length === 0) return Number.MAX_SAFE_INTEGER;
  const indexes = voters.map(acked).sort((a, b) => b - a);
  return indexes[Math.floor(voters.length / 2)];
}

export function majorityVoteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const quorum = Math.floor(voters.length / 2) + 1;
  if (granted >= quorum) return 'won';
  if (granted + missing >= quorum) return 'pending';
  return 'lost';
}

/** Two majority configurations, [incoming, outgoing]; outgoing is empty outside a joint change. */
export type JointConfig = readonly [readonly NodeId[], readonly NodeId[]];

export function jointCommitted(config: JointConfig, acked: (id: NodeId) => number): number {
  return Math.min(majorityCommitted(config[0], acked), majorityCommitted(config[1], acked));
}

export function jointVoteResult(config: JointConfig, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const a = majorityVoteResult(config[0], votes);
  const b = majorityVoteResult(config[1], votes);
  if (a === b) return a;
  if (a === 'lost' || b === 'lost') return 'lost';
  return 'pending';
}
