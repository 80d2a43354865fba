// One deterministic run of a whole cluster from a seed: nodes, network, disks, clocks, clients
// and faults, with the safety monitor after every step, a liveness phase once the faults heal,
// and the linearizability check of the client history at the end.

import type { Entry, Message, NodeId, RaftMutations, Snapshot } from '../src/raft/index.js';
import { checkHistory } from './check/linearizability.js';
import { EventQueue } from './event-queue.js';
import { encodeCommand } from './kv-machine.js';
import { CALM, SimNetwork } from './network.js';
import type { NetworkFaults } from './network.js';
import { Prng } from './prng.js';
import { SafetyMonitor, SafetyViolation } from './safety-monitor.js';
import { SimNode } from './sim-node.js';
import type { NodeObserver, NodeSettings } from './sim-node.js';
import { RawNodeSubmitter } from './raw-node-submitter.js';
import { Workload } from './workload.js';
import type { WorkloadSettings } from './workload.js';
import type { SeedResult } from './seed-summary.js';

export const FAULT_KINDS = ['network', 'partition', 'crash', 'pause', 'membership', 'transfer', 'skew'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface RunOptions {
  readonly seed: number;
  readonly faults: ReadonlySet<FaultKind>;
  readonly mutations?: RaftMutations;
  /** Force lease reads on (mutations of lease rules need them); otherwise the seed decides. */
  readonly leaseReads?: boolean;
  readonly chaosMs?: number;
  /** Overrides for measurements and focused tests. */
  readonly settings?: Partial<NodeSettings>;
  readonly voters?: number;
  readonly workload?: Partial<WorkloadSettings>;
}

export interface RunResult extends SeedResult {
  readonly committed: number;
  readonly simulatedMs: number;
}

const TICK_MS = 10;
const ELECTION_TICKS = 30;
const HEARTBEAT_TICKS = 5;
const MAX_NODE_ID = 8;

export class Simulation implements NodeObserver {
  readonly queue = new EventQueue();
  readonly prng: Prng;
  readonly network: SimNetwork;
  readonly monitor = new SafetyMonitor();
  readonly nodes: SimNode[] = [];
  readonly workload: Workload<SimNode>;
  private readonly submitter = new RawNodeSubmitter();
  readonly settings: NodeSettings;
  readonly faultsInjected: Record<string, number> = {};
  private readonly faultPrng: Prng;
  private nextNodeId: NodeId;
  private liveAtMs: number | undefined = undefined;
  private livenessProbe: { node: NodeId; index: number; term: number } | undefined = undefined;
  fsyncs = 0;
  /** True while faults are being injected. */
  private chaos = false;

  constructor(readonly options: RunOptions) {
    this.prng = new Prng(options.seed);
    const config = this.prng.fork();
    this.faultPrng = this.prng.fork();
    this.network = new SimNetwork(this.queue, this.prng.fork(), (m) => this.deliver(m));
    const leaseReads = options.leaseReads ?? config.chance(0.5);
    this.settings = {
      electionTicks: ELECTION_TICKS, heartbeatTicks: HEARTBEAT_TICKS, tickMs: TICK_MS,
      readOnly: leaseReads ? 'leaseBased' : 'safe',
      maxInflightMsgs: config.between(1, 16),
      maxSizePerMsgBytes: config.pick([64, 512, 1024 * 1024]),
      snapshotEveryEntries: config.between(8, 120),
      fsyncMinMs: 0.2, fsyncMaxMs: config.pick([1, 3, 8]),
      mutations: options.mutations ?? {},
      // Drawn apart from the seed's stream, so every other choice of a seed stays as it was.
      earlyWork: new Prng(options.seed ^ 0x5eed).chance(0.5),
      ...options.settings,
    };
    const n = options.voters ?? config.pick([3, 3, 5]);
    const founders = Array.from({ length: n }, (_, i) => i + 1);
    for (const id of founders) this.addNode(id, founders);
    this.nextNodeId = n + 1;
    this.workload = new Workload(
      { clients: config.between(2, 6), keys: ['a', 'b', 'c', 'd'].slice(0, config.between(1, 4)), thinkMaxMs: 20, opTimeoutMs: 600, clientDelayMaxMs: 3, readShare: 0.4, casShare: 0.2, ...options.workload },
      this.queue, this.prng.fork(), () => this.nodes, this.submitter,
    );
  }

  private addNode(id: NodeId, founders: readonly NodeId[]): SimNode {
    const skew = this.options.faults.has('skew') ? 1 + (this.prng.next() * 2 - 1) * 0.02 : 1;
    const node = new SimNode(id, founders, this.settings, this.queue, this.prng.fork(), this, skew);
    this.nodes.push(node);
    return node;
  }

  node(id: NodeId): SimNode | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  // ---- NodeObserver ----

  send(m: Message): void {
    this.network.send(m);
  }

  private deliver(m: Message): void {
    this.node(m.to)?.step(m);
  }

  /** Called on every leader change (measurements hook in here). */
  leaderListener: ((node: SimNode, term: number) => void) | undefined = undefined;

  onLeader(node: SimNode, term: number): void {
    this.monitor.onLeader(node, term);
    this.leaderListener?.(node, term);
    if (this.chaos && this.options.faults.has('partition') && this.faultPrng.chance(0.1)) {
      // A new leader cut off right after its election: its first entries reach nobody.
      const ids = this.nodes.map((n) => n.id);
      this.queue.after(this.faultPrng.next() * 10, () => {
        if (!this.chaos) return;
        this.network.isolate(node.id, ids);
        this.count('partition-new-leader');
      });
      this.queue.after(50 + this.faultPrng.next() * 600, () => this.network.heal());
    }
    if (this.chaos && this.options.faults.has('crash') && this.faultPrng.chance(0.15)) {
      // Leader churn: a new leader dies soon after its election, often with entries of its term
      // on a minority only (the Figure 8 pattern).
      const life = node.incarnation;
      this.queue.after(this.faultPrng.next() * 30, () => {
        if (!this.chaos || !node.alive || node.incarnation !== life) return;
        this.crash(node);
        this.count('crash-new-leader');
        this.queue.after(20 + this.faultPrng.next() * 400, () => this.restart(node));
      });
    }
  }

  onApplied(node: SimNode, entry: Entry, casSucceeded: boolean): void {
    this.monitor.onApplied(node, entry, node.kv.appliedIndex, node.kv.digest);
    this.submitter.onApplied(node, entry.index, entry.term, casSucceeded);
    const probe = this.livenessProbe;
    if (probe !== undefined && this.liveAtMs === undefined && probe.node === node.id && probe.index === entry.index && probe.term === entry.term) {
      this.liveAtMs = this.queue.nowMs;
    }
  }

  onSnapshotRestored(_node: SimNode, _snapshot: Snapshot): void {}

  onCommitAdvanced(node: SimNode): void {
    this.monitor.onCommitAdvanced(node);
  }

  onRead(node: SimNode, context: number, value: (key: string) => string | null): void {
    this.submitter.onRead(node, context, value);
  }

  onFsync(): void {
    this.fsyncs++;
  }

  // ---- faults ----

  private count(kind: string): void {
    this.faultsInjected[kind] = (this.faultsInjected[kind] ?? 0) + 1;
  }

  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.nodes) {
      if (!n.alive || n.raw.status().role !== 'leader') continue;
      if (best === undefined || n.raw.status().term > best.raw.status().term) best = n;
    }
    return best;
  }

  private members(): NodeId[] {
    const l = this.leader() ?? this.nodes.find((n) => n.alive) ?? this.nodes[0];
    const cs = l.raw.status().confState;
    return [...cs.voters, ...cs.learners];
  }

  private scheduleFaults(untilMs: number): void {
    const p = this.faultPrng;
    const kinds = [...this.options.faults].filter((k) => k !== 'skew');
    if (kinds.length === 0) return;
    const next = (): void => {
      if (this.queue.nowMs >= untilMs) return;
      this.injectFault(p.pick(kinds));
      this.queue.after(50 + p.next() * 400, next);
    };
    this.queue.after(200 + p.next() * 300, next);
  }

  private injectFault(kind: FaultKind): void {
    const p = this.faultPrng;
    const ids = this.nodes.map((n) => n.id);
    switch (kind) {
      case 'network': {
        const weather: NetworkFaults = {
          lossRate: p.pick([0, 0.01, 0.05, 0.2]), duplicateRate: p.pick([0, 0.02, 0.1]),
          delayMinMs: 0.5, delayMaxMs: p.pick([2, 10, 40]), spikeRate: p.pick([0, 0.02, 0.1]), spikeMaxMs: p.pick([50, 300, 1000]),
        };
        this.network.faults = weather;
        this.count('network');
        break;
      }
      case 'partition': {
        const shape = p.nextInt(6);
        const leader = this.leader();
        if (shape === 0) this.network.isolate(p.pick(ids), ids);
        else if (shape === 1 && leader !== undefined) this.network.isolate(leader.id, ids);
        else if (shape === 2) {
          // A random bipartition.
          const side = new Set(ids.filter(() => p.chance(0.5)));
          for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) this.network.cutLink(a, b);
        } else if (shape === 3) {
          // Asymmetric: some directed links only.
          for (let i = 0; i < 1 + p.nextInt(4); i++) this.network.cutLink(p.pick(ids), p.pick(ids));
        } else if (shape === 5 && leader !== undefined) {
          // Cascading: the leader loses one follower (which will campaign), and a while later
          // stops hearing from everyone (so it learns late that it was replaced).
          const follower = p.pick(ids.filter((id) => id !== leader.id));
          this.network.cutLink(leader.id, follower);
          this.network.cutLink(follower, leader.id);
          this.queue.after(p.next() * 2 * this.settings.electionTicks * this.settings.tickMs, () => {
            if (!this.chaos) return;
            for (const id of ids) if (id !== leader.id) this.network.cutLink(id, leader.id);
          });
        } else {
          // Partial: two nodes (often the leader and a follower) lose each other, both still
          // reach everyone else.
          const a = leader !== undefined && p.chance(0.7) ? leader.id : p.pick(ids);
          const b = p.pick(ids.filter((id) => id !== a));
          this.network.cutLink(a, b);
          this.network.cutLink(b, a);
        }
        this.count(['partition', 'partition', 'partition', 'partition-asymmetric', 'partition-partial', 'partition-cascade'][shape]);
        this.queue.after(100 + p.next() * 1500, () => this.network.heal());
        break;
      }
      case 'crash': {
        const alive = this.nodes.filter((n) => n.alive);
        if (alive.length === 0) break;
        const leader = this.leader();
        const victim = leader !== undefined && p.chance(0.4) ? leader : p.pick(alive);
        this.crash(victim);
        this.queue.after(50 + p.next() * 1500, () => this.restart(victim));
        break;
      }
      case 'membership':
        this.changeMembership();
        break;
      case 'transfer': {
        const leader = this.leader();
        if (leader === undefined) break;
        const voters = leader.raw.status().confState.voters.filter((id) => id !== leader.id);
        if (voters.length === 0) break;
        leader.raw.transferLeadership(p.pick(voters));
        leader.process();
        this.count('transfer');
        if (this.options.faults.has('partition') && p.chance(0.5)) {
          // The old leader stops hearing anyone for a while: it learns late that it was replaced.
          for (const id of ids) if (id !== leader.id) this.network.cutLink(id, leader.id);
          this.queue.after(50 + p.next() * 300, () => this.network.heal());
          this.count('partition-inbound-old-leader');
        }
        break;
      }
      case 'pause': {
        const alive = this.nodes.filter((n) => n.alive);
        if (alive.length === 0) break;
        const leader = this.leader();
        const victim = leader !== undefined && p.chance(0.5) ? leader : p.pick(alive);
        victim.pause(20 + p.next() * 600);
        this.count('pause');
        break;
      }
      case 'skew':
        break;
    }
  }

  crash(node: SimNode): void {
    if (!node.alive) return;
    node.crash();
    this.submitter.onCrash(node);
    this.count('crash');
  }

  restart(node: SimNode): void {
    if (node.alive) return;
    node.restart();
    this.monitor.onRestart(node);
  }

  private changeMembership(): void {
    const p = this.faultPrng;
    const leader = this.leader();
    if (leader === undefined) return;
    const { voters, learners } = leader.raw.status().confState;
    const roll = p.nextInt(3);
    if (roll === 0 && this.nextNodeId <= MAX_NODE_ID) {
      const id = this.nextNodeId++;
      this.addNode(id, []);
      if (leader.raw.proposeConfChange({ type: 'addLearner', nodeId: id }).accepted) this.count('add-learner');
    } else if (roll === 1 && learners.length > 0) {
      if (leader.raw.proposeConfChange({ type: 'addVoter', nodeId: p.pick(learners) }).accepted) this.count('promote');
    } else if (roll === 2 && voters.length > 3) {
      if (leader.raw.proposeConfChange({ type: 'removeNode', nodeId: p.pick(voters) }).accepted) this.count('remove');
    }
    leader.process();
  }

  // ---- phases ----

  /** After the faults: a healed majority must elect a leader and commit within the bound. */
  private startLiveness(): void {
    this.network.heal();
    this.network.faults = { ...CALM };
    for (const n of this.nodes) if (!n.alive) this.restart(n);
    // Leave one voter cut off in one direction in some seeds: the rest must not livelock.
    const voters = this.members().filter((id) => this.node(id)?.raw.status().confState.voters.includes(id) ?? false);
    if (this.options.faults.has('partition') && voters.length >= 3 && this.faultPrng.chance(0.5)) {
      const odd = this.faultPrng.pick(voters);
      const inbound = this.faultPrng.chance(0.5);
      for (const other of this.nodes) if (other.id !== odd) this.network.cutLink(inbound ? other.id : odd, inbound ? odd : other.id);
      this.count('liveness-asymmetric-minority');
    }
    const probe = (): void => {
      if (this.liveAtMs !== undefined) return;
      const leader = this.leader();
      if (leader !== undefined && (this.livenessProbe === undefined || this.livenessProbe.term !== leader.raw.status().term)) {
        const r = leader.raw.propose(encodeCommand({ t: 'w', k: '__liveness', v: String(this.queue.nowMs) }));
        if (r.accepted) this.livenessProbe = { node: leader.id, index: r.index, term: r.term };
        leader.process();
      }
      this.queue.after(20, probe);
    };
    probe();
  }

  run(): RunResult {
    const chaosMs = this.options.chaosMs ?? 3000;
    const livenessBoundMs = 20 * this.settings.electionTicks * this.settings.tickMs;
    this.workload.start();
    this.scheduleFaults(chaosMs);
    let failure: string | undefined;
    let inconclusive = false;
    try {
      this.chaos = true;
      while (this.queue.runNext(chaosMs));
      this.chaos = false;
      this.startLiveness();
      const deadline = chaosMs + livenessBoundMs;
      while (this.liveAtMs === undefined && this.queue.runNext(deadline));
      if (this.liveAtMs === undefined) {
        failure = `liveness: no leader committed a new proposal within ${livenessBoundMs} ms after the faults healed`;
      } else {
        // Let clients finish in calm weather, then stop.
        this.workload.stopAtMs = this.queue.nowMs + 300;
        while (this.queue.runNext(this.workload.stopAtMs + 1000));
      }
    } catch (error) {
      if (error instanceof SafetyViolation) failure = `safety: ${error.message}`;
      else failure = `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    }
    this.workload.finish();
    if (failure === undefined) {
      const check = checkHistory(this.workload.history);
      if (check.result === 'illegal') failure = `linearizability: history of key ${check.key} is not linearizable (${check.operations.length} operations)`;
      else if (check.result === 'timeout') inconclusive = true;
    }
    return {
      seed: this.options.seed, ok: failure === undefined, failure,
      operations: this.workload.history.length, okOps: this.workload.okOps, unknownOps: this.workload.unknownOps,
      faultsInjected: this.faultsInjected, committed: this.monitor.committedCount(), leaders: this.monitor.leadersElected,
      inconclusive, simulatedMs: this.queue.nowMs,
    };
  }
}

export function runSeed(options: RunOptions): RunResult {
  return new Simulation(options).run();
}
