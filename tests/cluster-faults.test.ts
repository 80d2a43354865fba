// Faults on a 3-node cluster of real processes (DESIGN.md, testing pyramid item 4): concurrent
// ioredis clients SET and GET a few keys on random nodes while a node is killed, stopped,
// paused or cut off the cluster bus by proxies, or while a node joins and another leaves
// (3 → 4 → 3 members, the leader leaving, or dying while the newcomer catches up; 3 → 2 → 3);
// afterwards the cluster serves again, the history (final reads on every node included) is
// linearizable and no acknowledged write is lost. One fault per scenario by default;
// SHOAL_CHAOS_MINUTES=<m> repeats each scenario's fault for m minutes. Reproduce the random
// choices with SHOAL_FAULTS_SEED=<seed>.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addThenRemove, describeCheck, isolateFollower, isolateLeader, killAll, killLeader, killLeaderWhileAdding, pauseLeader, replaceFollower, rollingRestart, runFaults } from './support/cluster-faults.js';
import type { Fault } from './support/cluster-faults.js';

const seed = Number(process.env.SHOAL_FAULTS_SEED ?? Date.now() % 1_000_000);
const minutes = Number(process.env.SHOAL_CHAOS_MINUTES ?? 0);
const durationMs = minutes * 60_000;

const scenarios: readonly Fault[] = [
  killLeader, pauseLeader, isolateLeader('blackhole'), isolateFollower('refuse'), rollingRestart, killAll,
  addThenRemove('leader'), replaceFollower, killLeaderWhileAdding,
];

describe(`cluster faults on real processes (seed ${seed})`, () => {
  for (const [i, fault] of scenarios.entries()) {
    test(fault.name, { timeout: durationMs + 90_000 }, async (t) => {
      const report = await runFaults({ faults: [fault], durationMs, seed: seed + i, workload: { maxDurationMs: durationMs + 80_000 } });
      t.diagnostic(`${[...report.injected.values()].reduce((a, b) => a + b, 0)} faults; ${report.summary}; ${describeCheck(report.check)}`);
      const context = `(seed ${seed + i}; node logs and history in ${report.evidenceDir})\n${report.logTails}`;
      assert.deepEqual(report.stalls, [], `the cluster served whenever a majority could ${context}`);
      assert.ok(report.okAfterLastRecovery > 0, `operations succeed after the fault ${context}`);
      assert.deepEqual(report.lostAcknowledgedWrites, [], `every acknowledged write survives ${context}`);
      assert.deepEqual(report.refusedWritesSeen, [], `a write refused with CLUSTERDOWN or TRYAGAIN never takes effect ${context}`);
      assert.equal(report.check.result, 'ok', `${describeCheck(report.check)}:\n${report.violation}\n${context}`);
      assert.deepEqual(report.uncleanExits, [], `a node stopped on purpose exits cleanly ${context}`);
    });
  }
});
