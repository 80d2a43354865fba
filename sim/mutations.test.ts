// Each mutation the simulator catches, replayed from the first seed that caught it in
// `npm run sim -- --mutations all --seeds 5000 --faults all` (see the closing note):
// the seed fails with the mutation. seeds.test.ts shows the same seeds pass without it.
// commitOldTermByCounting and voteWhileInLease were not caught within 5000 seeds, and
// leaseTooLong not within 20000 since leases also stop at a leadership transfer (a75838b took
// away the schedule seed 1934 caught it with); their rule tests in src/raft/mutations.test.ts
// and raft-paper.test.ts catch them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSeed, FAULT_KINDS } from './simulation.js';
import { MUTATIONS } from './runner.js';
import type { MutationName } from './runner.js';

const CAUGHT: readonly (readonly [MutationName, number])[] = [
  ['voteTwice', 22],
  ['ignoreLogUpToDate', 1],
  ['readWithoutQuorum', 12],
  ['readBeforeOwnTermCommit', 73],
  ['leaseDuringTransfer', 33],
  ['ackBeforePersist', 2],
  ['skipLogMatchCheck', 40],
];

for (const [mutation, seed] of CAUGHT) {
  test(`mutation ${mutation} is caught by seed ${seed}, which passes without it`, () => {
    const leaseReads = MUTATIONS[mutation].leaseReads === true ? true : undefined;
    const faults = new Set(FAULT_KINDS);
    const mutated = runSeed({ seed, faults, leaseReads, mutations: { [mutation]: true } });
    assert.equal(mutated.ok, false, `seed ${seed} should catch ${mutation}`);
    const clean = runSeed({ seed, faults, leaseReads });
    assert.equal(clean.ok, true, clean.failure);
  });
}
