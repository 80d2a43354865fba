// One deterministic run of real Shoal hosts from a seed: each node is the real `Host` (its
// recovery, groups, batching, forwarding, reads, snapshots and write-ahead log), on a simulated
// process (clock, timers, crash, pause), a simulated disk and a simulated cluster bus. Faults
// run for a while, then a liveness phase must commit a write, every replica must converge to
// identical state, and the clients' history must be linearizable.

import { pino } from 'pino';
import { MapCommand } from '../../src/cluster/cluster-map.js';
import { Host } from '../../src/cluster/host.js';
import type { HostOptions } from '../../src/cluster/host.js';
import type { RaftGroup } from '../../src/cluster/raft-group.js';
import type { NodeId } from '../../src/raft/index.js';
import { ErrorReply } from '../../src/protocol/values.js';
import { runUntil } from '../async-loop.js';
import { checkHistory } from '../check/linearizability.js';
import { EventQueue } from '../event-queue.js';
import { Prng } from '../prng.js';
import { SimFileSystem } from '../sim-file-system.js';
import { Workload } from '../workload.js';
import { HostMonitor } from './host-monitor.js';
import { HostSubmitter } from './host-submitter.js';
import type { HostWorkloadNode } from './host-submitter.js';
import { SimBus } from './sim-bus.js';
import { SimProcess } from './sim-process.js';
import type { SeedResult } from '../seed-summary.js';

export const HOST_FAULT_KINDS = ['crash', 'pause', 'partition', 'bus', 'transfer', 'restart', 'membership', 'disk'] as const;
export type HostFaultKind = (typeof HOST_FAULT_KINDS)[number];

export interface HostRunOptions {
  readonly seed: number;
  readonly faults: ReadonlySet<HostFaultKind>;
  readonly chaosMs?: number;
  /** Print the nodes' warnings and errors as they happen. */
  readonly verbose?: boolean;
}

export interface HostRunResult extends SeedResult {
  readonly appliedEntries: number;
  readonly events: number;
}

const HEARTBEAT_MS = 50;
const ELECTION_TIMEOUT_MS = 300;
const REQUEST_TIMEOUT_MS = 1000;
const LIVENESS_BOUND_MS = 20 * ELECTION_TIMEOUT_MS;
/** Node ids given out to nodes added during a run stop here. */
const MAX_NODE_ID = 12;

const GROUPS: ReadonlyArray<(host: Host) => RaftGroup> = [(host) => host.metaGroup, (host) => host.dataGroup];

class SimHostNode implements HostWorkloadNode {
  host: Host | undefined;
  /** Bumped at every (re)start: an open that finishes for an earlier life is dropped. */
  life = 0;
  closing = false;
  /** Being taken out of the cluster: stopped once no group has it as a member. */
  leaving = false;
  /** Its disk fails fsyncs now: its groups going read-only (and saying so) is expected. */
  diskFailing = false;

  constructor(readonly id: NodeId, readonly process: SimProcess, readonly disk: SimFileSystem, readonly joins: boolean) {}

  get dataDir(): string {
    return `/node-${this.id}`;
  }

  get alive(): boolean {
    return this.process.alive && this.host !== undefined && !this.closing;
  }

  whenRunning(work: () => void): void {
    this.process.run(work);
  }
}

export class HostSimulation {
  readonly queue = new EventQueue();
  readonly prng: Prng;
  readonly bus: SimBus;
  readonly monitor = new HostMonitor();
  readonly nodes: SimHostNode[] = [];
  readonly workload: Workload<SimHostNode>;
  readonly submitter = new HostSubmitter();
  readonly faultsInjected: Record<string, number> = {};
  private readonly faultPrng: Prng;
  private readonly failures: string[] = [];
  private readonly fsyncMaxMs: number;
  private readonly snapshotAfterLogBytes: number;
  /** Short tails make followers that lag need snapshots made on demand (raft-group.ts). */
  private readonly catchUpEntries: number;
  private readonly founders: number;
  private readonly founderIds: readonly NodeId[];
  private nextNodeId: NodeId;
  private readonly config: Prng;
  events = 0;

  constructor(readonly options: HostRunOptions) {
    this.prng = new Prng(options.seed);
    const config = this.prng.fork();
    this.faultPrng = this.prng.fork();
    this.bus = new SimBus(this.queue, this.prng.fork());
    this.snapshotAfterLogBytes = config.pick([2048, 16 * 1024, 1024 * 1024]);
    // Its own stream, so that adding it left every other choice of a seed as it was.
    this.catchUpEntries = new Prng(options.seed ^ 0xca7c).pick([2, 16, 1000]);
    this.fsyncMaxMs = config.pick([0.5, 2, 8]);
    this.config = config;
    this.founders = config.pick([3, 3, 5]);
    this.founderIds = Array.from({ length: this.founders }, (_, i) => i + 1);
    for (const id of this.founderIds) this.nodes.push(this.newNode(id, false));
    this.nextNodeId = this.founders + 1;
    this.workload = new Workload<SimHostNode>(
      { clients: config.between(2, 6), keys: ['a', 'b', 'c', 'd'].slice(0, config.between(1, 4)), thinkMaxMs: 20, opTimeoutMs: 2 * REQUEST_TIMEOUT_MS, clientDelayMaxMs: 3, readShare: 0.4, casShare: 0 },
      this.queue, this.prng.fork(), () => this.nodes, this.submitter,
    );
  }

  private newNode(id: NodeId, joins: boolean): SimHostNode {
    const skew = 1 + (this.config.next() * 2 - 1) * 0.01;
    const process = new SimProcess(this.queue, this.prng.fork(), skew, this.config.next() * 200);
    const disk = new SimFileSystem((delayMs, run) => this.queue.after(delayMs, run), this.prng.fork(), { fsyncMinMs: 0.05, fsyncMaxMs: this.fsyncMaxMs });
    return new SimHostNode(id, process, disk, joins);
  }

  private hostOptions(node: SimHostNode): HostOptions {
    const logger = pino({ level: this.options.verbose === true ? 'info' : 'warn', base: { node: node.id } }, { write: (line: string) => this.logged(node, line) });
    return {
      dataDir: node.dataDir, fsync: 'always', snapshotAfterLogBytes: () => this.snapshotAfterLogBytes, catchUpEntries: this.catchUpEntries, walPreallocateBytes: 4096, activeExpireIntervalMs: 100,
      // As in a real deployment, a node's --peers stay what they were when it was first started.
      nodeId: node.id, peers: [...new Set([...this.founderIds, node.id])].map((id) => ({ id, host: 'sim', port: id })),
      clusterBind: { host: 'sim', port: node.id }, clusterSecret: 'sim', join: node.joins, heartbeatMs: HEARTBEAT_MS, electionTimeoutMs: ELECTION_TIMEOUT_MS, requestTimeoutMs: () => REQUEST_TIMEOUT_MS,
      logger,
      environment: {
        scheduler: node.process.start(),
        fs: node.process.fileSystem(node.disk),
        listen: (transportOptions) => this.bus.listen(node.process, transportOptions),
        lockDataDir: async () => async () => {},
      },
    };
  }

  private logged(node: SimHostNode, line: string): void {
    const record = JSON.parse(line) as { level: number; msg: string };
    if (this.options.verbose === true) console.log(`${this.queue.nowMs.toFixed(1)} node ${node.id}: ${line.trim()}`);
    // Errors are bug reports, but for a log write failing on a disk made to fail; warnings (a
    // torn log tail after a crash) are expected.
    if (record.level >= 50 && !(node.diskFailing && record.msg.startsWith('write-ahead log'))) this.fail(`node ${node.id} logged an error: ${line.trim()}`);
  }

  private fail(what: string): void {
    if (this.failures.length < 10) this.failures.push(what);
  }

  private open(node: SimHostNode): void {
    const life = ++node.life;
    node.closing = false;
    node.diskFailing = false;
    const options = this.hostOptions(node);
    Host.open(options).then((host) => {
      if (life !== node.life) return;
      node.host = host;
      this.monitor.watch(host);
      host.announce(`sim:${7000 + node.id}`);
    }, (error: unknown) => {
      if (life !== node.life) return;
      // A disk made to fail may fail the start too: the process exits, and its supervisor starts it again.
      if (node.diskFailing || node.disk.faults.syncFailureProbability > 0) {
        this.crash(node, false);
        this.queue.after(50, () => this.restart(node));
        return;
      }
      this.fail(`node ${node.id} failed to open: ${error instanceof Error ? error.stack : String(error)}`);
    });
  }

  private count(kind: string, node?: NodeId): void {
    this.faultsInjected[kind] = (this.faultsInjected[kind] ?? 0) + 1;
    if (this.options.verbose === true) console.log(`${this.queue.nowMs.toFixed(1)} fault ${kind}${node === undefined ? '' : ` on node ${node}`}`);
  }

  private running(): SimHostNode[] {
    return this.nodes.filter((n) => n.alive);
  }

  private leader(): SimHostNode | undefined {
    return this.running().find((n) => n.host?.dataGroup.isLeader === true);
  }

  /** kill -9 of the process, and with `powerLoss` of the machine (the disk keeps only what was synced). */
  crash(node: SimHostNode, powerLoss = true): void {
    if (!node.process.alive) return;
    node.process.crash();
    node.life++;
    node.host = undefined;
    this.bus.drop(node.id);
    if (powerLoss) node.disk.crash();
    this.count(powerLoss ? 'crash' : 'kill', node.id);
  }

  restart(node: SimHostNode): void {
    if (node.process.alive) return;
    this.open(node);
  }

  /** A planned restart: hand leadership over, close cleanly (snapshot), start again. */
  private gracefulRestart(node: SimHostNode): void {
    const host = node.host;
    if (host === undefined || node.closing) return;
    node.closing = true;
    const life = node.life;
    void host.transferLeadership().then(() => host.close({ snapshot: true })).then(() => {
      if (life !== node.life) return;
      node.process.crash();
      node.host = undefined;
      this.bus.drop(node.id);
      this.open(node);
    }, (error: unknown) => this.fail(`node ${node.id} failed to close: ${error instanceof Error ? error.stack : String(error)}`));
    this.count('restart', node.id);
  }

  private scheduleFaults(untilMs: number): void {
    const kinds = [...this.options.faults];
    if (kinds.length === 0) return;
    const next = (): void => {
      if (this.queue.nowMs >= untilMs) return;
      this.injectFault(this.faultPrng.pick(kinds));
      this.queue.after(100 + this.faultPrng.next() * 500, next);
    };
    this.queue.after(300 + this.faultPrng.next() * 300, next);
  }

  private injectFault(kind: HostFaultKind): void {
    const p = this.faultPrng;
    const ids = this.nodes.map((n) => n.id);
    const leader = this.leader();
    const victim = (): SimHostNode | undefined => {
      const running = this.running();
      if (running.length === 0) return undefined;
      return leader !== undefined && p.chance(0.5) ? leader : p.pick(running);
    };
    switch (kind) {
      case 'crash': {
        const node = victim();
        if (node === undefined) break;
        this.crash(node);
        this.queue.after(50 + p.next() * 1500, () => this.restart(node));
        break;
      }
      case 'pause': {
        const node = victim();
        if (node === undefined) break;
        node.process.pause(20 + p.next() * 800);
        this.count('pause', node.id);
        break;
      }
      case 'partition': {
        if (leader !== undefined && p.chance(0.4)) this.bus.isolate(leader.id, ids);
        else if (p.chance(0.5)) this.bus.isolate(p.pick(ids), ids);
        else {
          const a = p.pick(ids);
          this.bus.separate(a, p.pick(ids.filter((id) => id !== a)));
        }
        this.count('partition');
        this.queue.after(100 + p.next() * 1500, () => this.bus.heal());
        break;
      }
      case 'bus': {
        this.bus.weather = p.pick([{ delayMinMs: 0.1, delayMaxMs: 1 }, { delayMinMs: 1, delayMaxMs: 10 }, { delayMinMs: 5, delayMaxMs: 60 }]);
        this.count('bus');
        break;
      }
      case 'transfer': {
        if (leader?.host === undefined) break;
        void leader.host.transferLeadership();
        this.count('transfer');
        break;
      }
      case 'restart': {
        const node = victim();
        if (node !== undefined) this.gracefulRestart(node);
        break;
      }
      case 'membership':
        this.changeMembership(leader);
        break;
      case 'disk': {
        // fsyncs fail for a moment (EIO, and what they covered never becomes durable); the
        // node's groups stop writing, and a supervisor restarts the process a little later —
        // the machine keeping its page cache, which still serves what never reached the disk,
        // or after a power loss.
        const node = victim();
        if (node === undefined) break;
        node.diskFailing = true;
        node.disk.faults.syncFailureProbability = 1;
        this.queue.after(2 + p.next() * 30, () => {
          node.disk.faults.syncFailureProbability = 0;
        });
        const life = node.life;
        this.queue.after(100 + p.next() * 700, () => {
          if (node.life !== life || !this.nodes.includes(node)) return;
          this.crash(node, p.chance(0.5));
          this.queue.after(50, () => this.restart(node));
        });
        this.count('disk', node.id);
        break;
      }
    }
  }

  /** CLUSTER ADDNODE of a new node while the cluster has its founding size, else FORGET of one. */
  private changeMembership(leader: SimHostNode | undefined): void {
    const host = leader?.host;
    if (host === undefined) return;
    const p = this.faultPrng;
    const staying = this.nodes.filter((n) => !n.leaving);
    if (staying.length <= this.founders) {
      // Ids are never reused (cluster-map.ts): a removed node's id is retired.
      const id = this.nextNodeId;
      if (id > MAX_NODE_ID) return;
      this.nextNodeId++;
      const node = this.newNode(id, true);
      this.nodes.push(node);
      this.open(node);
      this.addToMap(node);
      this.count('add-node', id);
      return;
    }
    // Only a node that fully joined: a FORGET racing the ADDNODE of the same node is another test.
    const joined = staying.filter((n) => this.isVoterEverywhere(n.id) && host.clusterMap.node(n.id) !== undefined);
    if (joined.length <= 3) return;
    const node = p.chance(0.3) && joined.includes(leader as SimHostNode) ? leader as SimHostNode : p.pick(joined);
    node.leaving = true;
    host.changeMap(MapCommand.removeNode(node.id), () => {});
    this.count('remove-node', node.id);
    const stopOnceOut = (): void => {
      if (!this.nodes.includes(node)) return;
      const out = GROUPS.every((pick) => {
        const group = this.groupLeader(pick);
        return group !== undefined && group.nodeId !== node.id && !group.raw.raft.tracker.isMember(node.id);
      }) && this.groupLeader((h) => h.metaGroup)?.machine.node(node.id) === undefined;
      if (!out) {
        this.queue.after(100, stopOnceOut);
        // The removal may have been lost with a leader: ask again.
        if (p.chance(0.2)) this.leader()?.host?.changeMap(MapCommand.removeNode(node.id), () => {});
        return;
      }
      this.crash(node);
      this.nodes.splice(this.nodes.indexOf(node), 1);
    };
    this.queue.after(100, stopOnceOut);
  }

  /** The leader of a group with the highest term among running nodes. */
  private groupLeader<G extends RaftGroup>(pick: (host: Host) => G): G | undefined {
    let best: G | undefined;
    for (const node of this.running()) {
      const group = node.host === undefined ? undefined : pick(node.host);
      if (group?.isLeader === true && (best === undefined || group.raw.raft.term > best.raw.raft.term)) best = group;
    }
    return best;
  }

  private isVoterEverywhere(id: NodeId): boolean {
    return GROUPS.every((pick) => this.groupLeader(pick)?.raw.raft.tracker.voters.includes(id) === true);
  }

  /** Proposes the new node to the map (again, until it is there: a proposal can be lost). */
  private addToMap(node: SimHostNode): void {
    const inMap = (): boolean => this.running().some((n) => n.host?.clusterMap.node(node.id) !== undefined);
    const attempt = (): void => {
      if (!this.nodes.includes(node) || inMap()) return;
      this.leader()?.host?.changeMap(MapCommand.addNode(node.id, `sim:${node.id}`), () => {});
      this.queue.after(300, attempt);
    };
    attempt();
  }

  /** Runs events until `untilMs` or until `done()`, letting promise continuations settle after each. */
  private async runUntil(untilMs: number, done: () => boolean = () => false): Promise<void> {
    this.events += await runUntil(this.queue, untilMs, () => {
      this.monitor.observe(this.running().map((n) => n.host as Host));
      return done() || this.failures.length > 0 || this.monitor.violations.length > 0;
    });
  }

  /** After the faults: the healed cluster must commit a new write within the bound. */
  private async liveness(): Promise<boolean> {
    this.bus.heal();
    this.bus.weather = { delayMinMs: 0.1, delayMaxMs: 1 };
    for (const node of this.nodes) this.restart(node);
    let committed = false;
    let attempt = 0;
    const probe = (): void => {
      if (committed) return;
      const running = this.running();
      if (running.length > 0) {
        const node = running[attempt++ % running.length];
        node.host?.dataGroup.propose('command', ['SET', '__liveness', String(attempt)], (result) => {
          if (!(result instanceof ErrorReply)) committed = true;
        });
      }
      this.queue.after(50, probe);
    };
    probe();
    await this.runUntil(this.queue.nowMs + LIVENESS_BOUND_MS, () => committed);
    return committed;
  }

  /** Every member catches up with its group leader's commit index; then their states are compared. */
  private async converge(): Promise<number> {
    const members = (): Host[] | undefined => {
      const hosts = this.running().map((n) => n.host as Host);
      const all = new Set<Host>();
      for (const groupId of hosts[0]?.groups.keys() ?? []) {
        const leader = hosts.find((h) => h.groups.get(groupId)?.isLeader === true)?.groups.get(groupId);
        if (leader === undefined) return undefined;
        const { voters, learners } = leader.raw.raft.tracker.confState();
        for (const id of [...voters, ...learners]) {
          const group = hosts.find((h) => h.nodeId === id)?.groups.get(groupId);
          if (group === undefined || group.appliedIndex < leader.raw.raft.log.committed || group.appliedIndex !== leader.appliedIndex) return undefined;
          all.add(hosts.find((h) => h.nodeId === id) as Host);
        }
      }
      return [...all];
    };
    await this.runUntil(this.queue.nowMs + LIVENESS_BOUND_MS, () => members() !== undefined);
    const converged = members();
    if (converged === undefined) {
      this.fail(`the members did not converge to their leaders' applied index after the faults healed: ${this.describe()} — bus: ${this.bus.describe()}`);
      return 0;
    }
    return this.monitor.compareStates(converged).compared;
  }

  /** Every node's view of every group, for failure reports. */
  private describe(): string {
    return this.nodes.map((node) => {
      if (node.host === undefined) return `node ${node.id}: down`;
      const groups = [...node.host.groups.values()].map((g) => {
        const { voters, learners } = g.raw.raft.tracker.confState();
        return `${g.name} ${g.raw.raft.role} term=${g.raw.raft.term} lead=${g.leaderId} commit=${g.raw.raft.log.committed} applied=${g.appliedIndex} last=${g.raw.raft.log.lastIndex()} voters=${voters} learners=${learners}`;
      });
      const links = this.nodes.filter((other) => other !== node).map((other) => `${other.id}${node.host?.isPeerConnected(other.id) === true ? '+' : '-'}`);
      return `node ${node.id}${node.leaving ? ' (leaving)' : ''} [links ${links.join(' ')}]: ${groups.join('; ')}`;
    }).join(' | ');
  }

  async run(): Promise<HostRunResult> {
    const chaosMs = this.options.chaosMs ?? 4000;
    let inconclusive = false;
    try {
      for (const node of this.nodes) this.open(node);
      this.workload.start();
      this.scheduleFaults(chaosMs);
      await this.runUntil(chaosMs);
      if (this.failures.length === 0 && !(await this.liveness())) this.fail(`liveness: no write committed within ${LIVENESS_BOUND_MS} ms after the faults healed`);
      if (this.failures.length === 0) {
        // Let clients finish in calm weather, then stop them.
        this.workload.stopAtMs = this.queue.nowMs + 300;
        await this.runUntil(this.workload.stopAtMs + 3 * REQUEST_TIMEOUT_MS);
        await this.converge();
      }
    } catch (error) {
      this.fail(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    this.workload.finish();
    const failures = [...this.failures, ...this.monitor.violations.map((v) => `safety: ${v}`), ...this.submitter.unexpected.map((e) => `unexpected reply: ${e}`)];
    if (failures.length === 0) {
      const check = checkHistory(this.workload.history);
      if (check.result === 'illegal') failures.push(`linearizability: history of key ${check.key} is not linearizable (${check.operations.length} operations)`);
      else if (check.result === 'timeout') inconclusive = true;
    }
    return {
      seed: this.options.seed, ok: failures.length === 0, failure: failures.length === 0 ? undefined : failures.join('\n'),
      operations: this.workload.history.length, okOps: this.workload.okOps, unknownOps: this.workload.unknownOps,
      faultsInjected: this.faultsInjected, appliedEntries: this.monitor.appliedEntries, leaders: this.monitor.leadersElected,
      inconclusive, events: this.events,
    };
  }
}

export function runHostSeed(options: HostRunOptions): Promise<HostRunResult> {
  return new HostSimulation(options).run();
}
