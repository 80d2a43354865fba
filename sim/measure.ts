// Measurements in the simulator: time to elect a new leader after the leader crashes, and the
// cost of replication (messages and fsyncs per committed entry) under batching load.

import type { NodeSettings } from './sim-node.js';
import { Simulation } from './simulation.js';

export interface ElectionStats {
  readonly electionTimeoutMs: number;
  readonly trials: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Crash the leader of a calm 3-node cluster once per trial; time until a new leader is elected. */
export function measureElection(electionTimeoutMs: number, trials: number, voters = 3): ElectionStats {
  const tickMs = 10;
  const electionTicks = electionTimeoutMs / tickMs;
  const settings: Partial<NodeSettings> = { tickMs, electionTicks, heartbeatTicks: Math.max(1, Math.round(electionTicks / 10)), fsyncMinMs: 0.5, fsyncMaxMs: 2 };
  const times: number[] = [];
  for (let trial = 1; trial <= trials; trial++) {
    const sim = new Simulation({ seed: 1_000_000 + trial, faults: new Set(), settings, voters, workload: { clients: 1, thinkMaxMs: 50 } });
    sim.workload.start();
    // Steady state first: a leader, then a random extra while so the crash falls at any phase.
    const warmMs = 4 * electionTimeoutMs + sim.prng.next() * electionTimeoutMs;
    while (sim.queue.runNext(warmMs));
    const old = sim.leader();
    if (old === undefined) continue;
    const oldTerm = old.raw.status().term;
    const crashedAt = sim.queue.nowMs;
    let electedAt: number | undefined;
    sim.leaderListener = (node, term) => {
      if (electedAt === undefined && node.id !== old.id && term > oldTerm) electedAt = sim.queue.nowMs;
    };
    sim.crash(old);
    while (electedAt === undefined && sim.queue.runNext(crashedAt + 20 * electionTimeoutMs));
    if (electedAt !== undefined) times.push(electedAt - crashedAt);
  }
  times.sort((a, b) => a - b);
  return { electionTimeoutMs, trials: times.length, p50Ms: percentile(times, 0.5), p99Ms: percentile(times, 0.99), maxMs: times[times.length - 1] };
}

export interface ReplicationCost {
  readonly clients: number;
  readonly committedEntries: number;
  readonly messagesPerEntry: number;
  readonly fsyncsPerEntry: number;
  readonly entriesPerAppend: number;
}

/** A calm 3-node cluster under `clients` concurrent writers for `durationMs` of simulated time. */
export function measureReplication(clients: number, durationMs: number): ReplicationCost {
  const sim = new Simulation({
    seed: 42, faults: new Set(), voters: 3,
    settings: { tickMs: 10, electionTicks: 100, heartbeatTicks: 10, fsyncMinMs: 1, fsyncMaxMs: 2, maxInflightMsgs: 256, maxSizePerMsgBytes: 1024 * 1024, snapshotEveryEntries: 100_000 },
    workload: { clients, thinkMaxMs: 0, readShare: 0, casShare: 0, opTimeoutMs: 5000, clientDelayMaxMs: 0.2, keys: ['a', 'b', 'c', 'd'] },
  });
  let appends = 0;
  let appendedEntries = 0;
  const send = sim.send.bind(sim);
  sim.send = (m) => {
    if (m.type === 'app' && m.entries.length > 0) {
      appends++;
      appendedEntries += m.entries.length;
    }
    send(m);
  };
  sim.workload.start();
  const warmMs = 2000;
  while (sim.queue.runNext(warmMs));
  const sent0 = sim.network.sent;
  const fsyncs0 = sim.fsyncs;
  const ok0 = sim.workload.okOps;
  appends = 0;
  appendedEntries = 0;
  while (sim.queue.runNext(warmMs + durationMs));
  const entries = sim.workload.okOps - ok0;
  return {
    clients, committedEntries: entries,
    messagesPerEntry: (sim.network.sent - sent0) / entries,
    fsyncsPerEntry: (sim.fsyncs - fsyncs0) / entries,
    entriesPerAppend: appends === 0 ? 0 : appendedEntries / appends,
  };
}
