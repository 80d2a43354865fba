// The host simulator in the test suite: the real host code (groups, WAL on the simulated disk,
// recovery, forwarding, reads, snapshots, membership) under every host fault kind, for a few
// seeds — safe, live, convergent and linearizable; and a seed replays exactly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostReplayCommand, runHostSeeds } from './host/host-runner.js';
import { HOST_FAULT_KINDS, runHostSeed } from './host/host-simulation.js';

test('40 seeds of the real host with all faults: safe, live, convergent and linearizable', async () => {
  const summary = await runHostSeeds({ startSeed: 1, seeds: 40, faults: new Set(HOST_FAULT_KINDS) });
  const failures = summary.failures.map((f) => `seed ${f.seed}: ${f.failure}\n  replay: ${hostReplayCommand(f.seed, 'all')}`);
  assert.deepEqual(failures, []);
  assert.ok(summary.okOps > 5000, `the workload ran (${summary.okOps} acknowledged operations)`);
  for (const kind of ['crash', 'pause', 'partition', 'transfer', 'restart', 'add-node', 'remove-node']) {
    assert.ok((summary.faults[kind] ?? 0) > 0, `fault ${kind} was injected`);
  }
});

test('a host simulation seed replays exactly', async () => {
  const a = await runHostSeed({ seed: 7, faults: new Set(HOST_FAULT_KINDS) });
  const b = await runHostSeed({ seed: 7, faults: new Set(HOST_FAULT_KINDS) });
  assert.deepEqual(a, b);
});
