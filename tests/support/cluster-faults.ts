// The faults of the real-process tests and of `npm run chaos`, and the loop that runs them: a
// fresh 3-node cluster, the register workload running throughout, faults injected one after the
// other (each on its own keys), and after each the cluster must agree on a leader and serve
// again; at the end every key is read on every node and the whole history is checked.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../../src/engine/seeded-random.js';
import type { Operation } from '../../sim/check/history.js';
import type { CheckResult } from '../../sim/check/linearizability.js';
import { ProcessCluster } from './cluster-processes.js';
import type { NodeId, ProcessClusterOptions } from './cluster-processes.js';
import type { CutMode } from './fault-proxy.js';
import { RegisterWorkload } from './register-workload.js';
import { shrinkViolation } from './shrink-history.js';
import type { RegisterWorkloadOptions, WorkloadCounts } from './register-workload.js';
import { sleep, waitUntil } from './wait.js';

/** Acknowledged operations that count as "the cluster serves". */
const PROGRESS_OPS = 50;
const PROGRESS_TIMEOUT_MS = 20_000;
/** How long a SIGSTOPped leader stays stopped: well past an election timeout. */
const PAUSE_MS = 2000;

export interface FaultContext {
  readonly cluster: ProcessCluster;
  readonly random: () => number;
  /**
   * Waits until clients get acknowledgements for operations begun after the call (bounded);
   * a fault calls it where a majority should serve despite the fault.
   */
  progress(what: string): Promise<void>;
  /**
   * Reads every key used so far on `nodes`, into the history (the checker judges the values);
   * a node that gives no answer in time is a stall.
   */
  readAllKeys(nodes: readonly NodeId[], what: string): Promise<void>;
}

export interface Fault {
  readonly name: string;
  /**
   * Injects the fault and undoes it: when it resolves the cluster has as many members as
   * before, and every one runs and is connected again.
   */
  inject(context: FaultContext): Promise<void>;
}

export const killLeader: Fault = {
  name: 'kill -9 the leader, restart it',
  async inject({ cluster, progress }) {
    const leader = await cluster.leaderId();
    await cluster.kill(leader);
    await cluster.leaderId();
    await progress(`nodes ${cluster.reachableIds().join(',')} serve while ${leader} is dead`);
    await cluster.restart(leader);
  },
};

export const pauseLeader: Fault = {
  name: `SIGSTOP the leader ${PAUSE_MS} ms, SIGCONT`,
  async inject({ cluster, progress }) {
    const leader = await cluster.leaderId();
    cluster.pause(leader);
    try {
      const started = performance.now();
      await progress(`nodes ${cluster.reachableIds().join(',')} serve while ${leader} is stopped`);
      // The point is a leader that wakes up late, after the others moved on.
      await sleep(Math.max(0, PAUSE_MS - (performance.now() - started)));
    } finally {
      cluster.resume(leader);
    }
  },
};

export function isolateLeader(mode: CutMode): Fault {
  return {
    name: `isolate the leader (${mode}), heal`,
    async inject({ cluster, progress }) {
      const leader = await cluster.leaderId();
      cluster.isolate(leader, mode);
      try {
        const successor = await cluster.leaderId();
        assert.notEqual(successor, leader, 'the isolated leader is not the one the others agree on');
        await progress(`nodes ${cluster.reachableIds().join(',')} serve while ${leader} is isolated`);
      } finally {
        cluster.heal(leader);
      }
    },
  };
}

/** One of the followers, drawn at random among `among` (all of them by default). */
async function someFollower(cluster: ProcessCluster, random: () => number, among: readonly NodeId[] = cluster.ids): Promise<NodeId> {
  const followers = (await cluster.followerIds()).filter((id) => among.includes(id));
  assert.ok(followers.length > 0, `a follower among ${among.join(',')}`);
  return followers[Math.floor(random() * followers.length)];
}

export function isolateFollower(mode: CutMode): Fault {
  return {
    name: `isolate a follower (${mode}), heal`,
    async inject({ cluster, random, progress }) {
      const follower = await someFollower(cluster, random);
      cluster.isolate(follower, mode);
      try {
        await progress(`the leader and the other follower serve while ${follower} is isolated`);
      } finally {
        cluster.heal(follower);
      }
    },
  };
}

export const rollingRestart: Fault = {
  name: 'restart every node in turn (SIGTERM)',
  async inject({ cluster }) {
    for (const id of cluster.ids) {
      assert.equal(await cluster.stop(id), 0, `node ${id} exits cleanly on SIGTERM`);
      await cluster.restart(id);
      await cluster.leaderId();
    }
  },
};

export const killAll: Fault = {
  name: 'kill -9 every node, restart them',
  async inject({ cluster }) {
    await Promise.all(cluster.ids.map((id) => cluster.kill(id)));
    await Promise.all(cluster.ids.map((id) => cluster.restart(id)));
  },
};

/**
 * A slow network: every cluster-bus chunk held up to half the default election timeout (more
 * and elections never settle, which Raft does not promise to survive), then not.
 */
export const slowBus: Fault = {
  name: 'delay the cluster bus 10-150 ms',
  async inject({ cluster, random, progress }) {
    cluster.setBusDelay(10 + Math.floor(random() * 140));
    try {
      await progress('the cluster serves over a slow bus');
    } finally {
      cluster.setBusDelay(0);
    }
  },
};

/**
 * 3 → 4 → 3 members: a fresh node joins (as a learner that clients already use, then a
 * voter that must serve every earlier write), then one of the others leaves — the leader,
 * which hands leadership over first, or a follower.
 */
export function addThenRemove(leaving: 'leader' | 'follower'): Fault {
  return {
    name: `add a node, then remove ${leaving === 'leader' ? 'the leader' : 'a follower'}`,
    async inject({ cluster, random, progress, readAllKeys }) {
      const before = cluster.ids;
      const added = await cluster.addNode();
      await cluster.untilVoter(added);
      await progress(`nodes ${cluster.ids.join(',')} serve once ${added} votes`);
      await readAllKeys([added], `the new voter ${added} serves the earlier writes`);
      const removed = leaving === 'leader' ? await cluster.leaderId() : await someFollower(cluster, random, before);
      await cluster.removeNode(removed);
    },
  };
}

/** 3 → 2 → 3 members: a follower leaves and comes back as a new node with an empty data directory. */
export const replaceFollower: Fault = {
  name: 'remove a follower, add a fresh node',
  async inject({ cluster, random, progress, readAllKeys }) {
    const removed = await someFollower(cluster, random);
    await cluster.removeNode(removed);
    await progress(`nodes ${cluster.ids.join(',')} serve without ${removed}`);
    const added = await cluster.addNode();
    await cluster.untilVoter(added);
    await readAllKeys([added], `the new voter ${added} serves the earlier writes`);
  },
};

/**
 * A leader change in the middle of a membership change: the data-0 leader dies as soon as a
 * new node is added — as a rule before it proposed anything for it, sometimes with the node
 * proposed as a learner — so its successor does the job; then it comes back and is removed.
 */
export const killLeaderWhileAdding: Fault = {
  name: 'add a node, kill -9 the leader while it joins, restart and remove the old leader',
  async inject({ cluster, progress, readAllKeys }) {
    const leader = await cluster.leaderId();
    const added = await cluster.addNode();
    await cluster.kill(leader);
    await cluster.untilVoter(added);
    await progress(`nodes ${cluster.reachableIds().join(',')} serve while ${leader} is dead`);
    await readAllKeys([added], `the new voter ${added} serves the earlier writes`);
    await cluster.restart(leader);
    await cluster.removeNode(leader);
  },
};

/** Every fault `npm run chaos` draws from. */
export const ALL_FAULTS: readonly Fault[] = [
  killLeader, pauseLeader, isolateLeader('blackhole'), isolateLeader('refuse'),
  isolateFollower('blackhole'), isolateFollower('refuse'), rollingRestart, killAll, slowBus,
  addThenRemove('leader'), addThenRemove('follower'), replaceFollower, killLeaderWhileAdding,
];

export interface FaultRunOptions {
  readonly faults: readonly Fault[];
  /** Faults follow one another until this much time has passed (at least one runs). */
  readonly durationMs: number;
  readonly maxFaults?: number;
  readonly seed: number;
  readonly cluster?: ProcessClusterOptions;
  readonly workload?: RegisterWorkloadOptions;
  /** Progress lines (a fault starts, the cluster recovered). */
  readonly log?: (line: string) => void;
}

export interface FaultRunReport {
  readonly injected: ReadonlyMap<string, number>;
  readonly counts: WorkloadCounts;
  /** Where the cluster did not serve when it should have (during a fault or after it). */
  readonly stalls: readonly string[];
  /** Operations acknowledged after the last fault was undone and a leader agreed on. */
  readonly okAfterLastRecovery: number;
  readonly check: CheckResult;
  readonly lostAcknowledgedWrites: readonly string[];
  /** Values read whose writes were refused as having no effect (CLUSTERDOWN, TRYAGAIN). */
  readonly refusedWritesSeen: readonly string[];
  /** Nodes that exited uncleanly when stopped on purpose (ProcessCluster.uncleanExits). */
  readonly uncleanExits: readonly string[];
  readonly summary: string;
  /** The nodes' last log lines when something went wrong, else empty. */
  readonly logTails: string;
  /**
   * When something went wrong: a directory with every node's log and `history.json` (the
   * operations of the key that is not linearizable, or all of them, each with its node, and
   * the faults with their times).
   */
  readonly evidenceDir: string | undefined;
  /** For a key that is not linearizable: a few of its operations that already contradict each other. */
  readonly violation: string;
}

export async function runFaults(options: FaultRunOptions): Promise<FaultRunReport> {
  const random = seededRandom(options.seed);
  const log = options.log ?? (() => undefined);
  const cluster = await ProcessCluster.start(options.cluster);
  const workload = new RegisterWorkload(cluster, { seed: options.seed, ...options.workload });
  const stalls: string[] = [];
  const injected = new Map<string, number>();
  const timeline: { fault: string; start: number; end: number }[] = [];
  // Operation times are performance.now(); node logs carry Date.now(): this pair maps one to the other.
  const clock = { performanceNow: performance.now(), dateNow: Date.now() };
  try {
    await cluster.leaderId();
    workload.start();
    const progress = async (what: string) => {
      const since = performance.now();
      if (!(await waitUntil(() => workload.okSince(since) >= PROGRESS_OPS, PROGRESS_TIMEOUT_MS))) {
        stalls.push(`${what}: fewer than ${PROGRESS_OPS} acknowledgements in ${PROGRESS_TIMEOUT_MS} ms (${workload.summary()})`);
      }
    };
    const readAllKeys = async (nodes: readonly NodeId[], what: string) => {
      try {
        await workload.finalReads(PROGRESS_TIMEOUT_MS, nodes);
      } catch (error) {
        stalls.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    const context: FaultContext = { cluster, random, progress, readAllKeys };
    const started = performance.now();
    let okAfterLastRecovery = 0;
    const maxFaults = options.maxFaults ?? 10_000;
    for (let n = 0; n < maxFaults && (n === 0 || performance.now() - started < options.durationMs); n++) {
      if (n > 0) workload.nextEpoch();
      await progress('before the fault');
      const fault = options.faults[Math.floor(random() * options.faults.length)];
      log(`fault ${n + 1}: ${fault.name}`);
      const start = performance.now();
      await fault.inject(context);
      timeline.push({ fault: fault.name, start, end: performance.now() });
      injected.set(fault.name, (injected.get(fault.name) ?? 0) + 1);
      const leader = await cluster.leaderId();
      const recovered = performance.now();
      await progress(`after "${fault.name}" with leader ${leader}`);
      okAfterLastRecovery = workload.okSince(recovered);
      log(`  recovered, leader ${leader}: ${workload.summary()}`);
    }
    await workload.stop();
    const finals = await workload.finalReads();
    const check = workload.check();
    const lostAcknowledgedWrites = workload.lostAcknowledgedWrites(finals);
    const refusedWritesSeen = workload.refusedWritesSeen();
    const violation = check.result === 'illegal' ? describeOperations(shrinkViolation(check.operations), workload) : '';
    const uncleanExits = [...cluster.uncleanExits];
    const wrong = stalls.length > 0 || check.result !== 'ok' || lostAcknowledgedWrites.length > 0 || refusedWritesSeen.length > 0 || uncleanExits.length > 0;
    return {
      injected,
      counts: { ...workload.counts },
      stalls,
      okAfterLastRecovery,
      check,
      lostAcknowledgedWrites,
      refusedWritesSeen,
      uncleanExits,
      summary: workload.summary(),
      logTails: wrong ? logTailsOf(cluster) : '',
      evidenceDir: wrong ? saveEvidence(cluster, workload, { seed: options.seed, clock, timeline, violation }, check.result === 'illegal' ? check.operations : workload.history) : undefined,
      violation,
    };
  } catch (error) {
    // A fault that could not be undone: say what the nodes said, not only where it broke.
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${workload.summary()}\n${logTailsOf(cluster)}`, { cause: error });
  } finally {
    await workload.stop();
    await cluster.close();
  }
}

/** Writes the evidence of a failed run to a fresh directory (Infinity kept as a string in JSON). */
function saveEvidence(cluster: ProcessCluster, workload: RegisterWorkload, facts: { readonly seed: number; readonly [fact: string]: unknown }, operations: readonly Operation[]): string {
  const dir = mkdtempSync(join(tmpdir(), `shoal-faults-${facts.seed}-`));
  for (const id of cluster.allIds()) writeFileSync(join(dir, `node-${id}.log`), cluster.output(id));
  const annotated = operations.map((op) => ({ ...op, node: workload.nodeOf.get(op.id) }));
  writeFileSync(join(dir, 'history.json'), JSON.stringify({ ...facts, operations: annotated }, (_, value: unknown) => (value === Infinity ? 'Infinity' : value), 1));
  return dir;
}

/** One line per operation: client, node, what, result, call and return times. */
function describeOperations(operations: readonly Operation[], workload: RegisterWorkload): string {
  return operations.map((op) => {
    const what = op.input.kind === 'read' ? 'GET' : `SET ${op.input.value}`;
    const result = op.outcome.status === 'unknown' ? 'unknown' : op.input.kind === 'read' ? `-> ${String(op.outcome.value)}` : '-> OK';
    return `  client ${op.client} via node ${workload.nodeOf.get(op.id)}: ${op.key} ${what} ${result} [${op.callTime.toFixed(1)}, ${op.returnTime.toFixed(1)}] ms`;
  }).join('\n');
}

/** The last lines of the nodes not removed (a crash on the way out is in `uncleanExits`). */
function logTailsOf(cluster: ProcessCluster): string {
  return cluster.allIds({ removed: false }).map((id: NodeId) => `--- node ${id}\n${cluster.outputTail(id, 15)}`).join('\n');
}

/** The check result in a line: for an illegal key, its operations are too many to print. */
export function describeCheck(check: CheckResult): string {
  if (check.result === 'ok') return 'linearizable';
  if (check.result === 'timeout') return `checker gave up on key ${check.key}`;
  return `NOT linearizable on key ${check.key} (${check.operations.length} operations)`;
}
