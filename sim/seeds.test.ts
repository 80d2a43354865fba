// The simulator in the test suite: 300 seeds with every fault kind must pass every safety
// check, the liveness phase and the linearizability check. A failure names its replay command.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replayCommand, runSeeds } from './runner.js';
import { FAULT_KINDS } from './simulation.js';

test('300 seeds with all faults: safe, live and linearizable', () => {
  const summary = runSeeds({ startSeed: 1, seeds: 300, faults: new Set(FAULT_KINDS) });
  const failures = summary.failures.map((f) => `seed ${f.seed}: ${f.failure}\n  replay: ${replayCommand(f.seed, 'all')}`);
  assert.deepEqual(failures, []);
  assert.equal(summary.seeds, 300);
  assert.ok(summary.operations > 10_000, 'the workload ran');
  for (const kind of ['crash', 'partition', 'network', 'pause', 'transfer', 'add-learner']) assert.ok((summary.faults[kind] ?? 0) > 0, `fault ${kind} was injected`);
});

test('the same seed replays the same run exactly', () => {
  const a = runSeeds({ startSeed: 4242, seeds: 1, faults: new Set(FAULT_KINDS) });
  const b = runSeeds({ startSeed: 4242, seeds: 1, faults: new Set(FAULT_KINDS) });
  assert.deepEqual({ ...a, wallMs: 0 }, { ...b, wallMs: 0 });
});

test('seeds that once failed pass: 89820 and 95531 (the checker pruned unknown writes that unknown cas operations needed)', () => {
  for (const seed of [89820, 95531]) {
    const summary = runSeeds({ startSeed: seed, seeds: 1, faults: new Set(FAULT_KINDS) });
    assert.deepEqual(summary.failures.map((f) => f.failure), [], replayCommand(seed, 'all'));
  }
});
