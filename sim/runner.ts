// Runs many seeds and summarises them; knows the catalogue of mutations and what each needs.

import type { RaftMutations } from '../src/raft/index.js';
import { FAULT_KINDS, runSeed } from './simulation.js';
import type { FaultKind, RunResult } from './simulation.js';
import { addSeedResult, emptySummary } from './seed-summary.js';
import type { SeedSummary } from './seed-summary.js';

export type MutationName = keyof RaftMutations;

/** Every test-only mutation, with whether the seeds that may catch it must use lease reads. */
export const MUTATIONS: Readonly<Record<MutationName, { readonly leaseReads?: boolean; readonly rule: string }>> = {
  voteTwice: { rule: 'a voter grants at most one vote per term' },
  ignoreLogUpToDate: { rule: 'votes only for a candidate whose log is at least as up to date (§5.4.1)' },
  commitOldTermByCounting: { rule: 'only entries of the current term are committed by counting (§5.4.2)' },
  readWithoutQuorum: { rule: 'a ReadIndex read waits for a quorum to confirm leadership' },
  readBeforeOwnTermCommit: { rule: 'no read before an entry of the leader\'s term is committed' },
  leaseTooLong: { leaseReads: true, rule: 'the lease is shorter than the election timeout / drift bound' },
  leaseDuringTransfer: { leaseReads: true, rule: 'no lease reads once a leadership transfer starts' },
  voteWhileInLease: { leaseReads: true, rule: 'voters refuse votes while they hear from a leader' },
  ackBeforePersist: { rule: 'entries and votes are durable before they are acknowledged' },
  skipLogMatchCheck: { rule: 'an append is accepted only if the previous entry matches (§5.3)' },
};

export interface Summary extends SeedSummary<RunResult> {
  committed: number;
}

export function parseFaults(spec: string): Set<FaultKind> {
  if (spec === 'all') return new Set(FAULT_KINDS);
  if (spec === 'none') return new Set();
  const kinds = spec.split(',').map((k) => k.trim());
  for (const k of kinds) if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`unknown fault kind ${k} (known: ${FAULT_KINDS.join(', ')}, all, none)`);
  return new Set(kinds as FaultKind[]);
}

export function replayCommand(seed: number, faults: string, mutation?: string): string {
  return `npm run sim -- --seeds 1 --start-seed ${seed} --faults ${faults}${mutation !== undefined ? ` --mutation ${mutation}` : ''}`;
}

export interface SeedRange {
  readonly startSeed: number;
  readonly seeds: number;
  readonly faults: ReadonlySet<FaultKind>;
  readonly mutation?: MutationName;
  /** Stop at the first failure (mutation hunting). */
  readonly stopAtFirstFailure?: boolean;
  readonly onResult?: (result: RunResult) => void;
}

export function runSeeds(range: SeedRange): Summary {
  const started = performance.now();
  const summary: Summary = { ...emptySummary<RunResult>(), committed: 0 };
  const mutation = range.mutation;
  for (let seed = range.startSeed; seed < range.startSeed + range.seeds; seed++) {
    const result = runSeed({
      seed, faults: range.faults,
      mutations: mutation === undefined ? undefined : { [mutation]: true },
      leaseReads: mutation !== undefined && MUTATIONS[mutation].leaseReads === true ? true : undefined,
    });
    addSeedResult(summary, result);
    summary.committed += result.committed;
    range.onResult?.(result);
    if (!result.ok && range.stopAtFirstFailure === true) break;
  }
  summary.wallMs = performance.now() - started;
  return summary;
}
