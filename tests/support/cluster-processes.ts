// A 3-node Shoal cluster of real processes on loopback for fault tests: fresh data directories,
// fixed ports (so a restarted node is found where it was), a random cluster secret, and one
// fault proxy per pair of nodes on the cluster bus, so any node can be cut off from the others
// while clients still reach it. Faults: SIGKILL, SIGTERM, SIGSTOP/SIGCONT, isolation, restart.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ClientPool } from './client-pool.js';
import { FaultProxy } from './fault-proxy.js';
import type { CutMode } from './fault-proxy.js';
import { freePorts, freshDataDir, removeDir, restartNodeProcess, startNodeProcess } from './node-process.js';
import type { NodeProcess } from './node-process.js';
import { waitUntil } from './wait.js';

export type NodeId = number;

/** One group's line of INFO raft: `role=leader,leader=1,term=3,commit=10,applied=10`. */
export interface GroupStatus {
  readonly role: string;
  readonly leader: NodeId;
  readonly term: number;
  readonly commit: number;
  readonly applied: number;
}

export interface ProcessClusterOptions {
  readonly size?: number;
  readonly heartbeatMs?: number;
  readonly electionTimeoutMs?: number;
  /** Each client command's timeout: past it the outcome is unknown. */
  readonly commandTimeoutMs?: number;
  /** More arguments for every node. */
  readonly args?: readonly string[];
}

type MemberState = 'running' | 'paused' | 'exited';

interface Member {
  readonly id: NodeId;
  process: NodeProcess;
  state: MemberState;
  /** What the node's earlier processes printed (before restarts). */
  earlierOutput: string;
}

const STOP_TIMEOUT_MS = 20_000;
const LEADER_TIMEOUT_MS = 20_000;

/** Parses INFO raft's group lines (`meta:...`, `data-0:...`) into group name → status. */
export function parseRaftInfo(info: string): Map<string, GroupStatus> {
  const groups = new Map<string, GroupStatus>();
  for (const line of info.split(/\r?\n/)) {
    const match = /^(meta|data-\d+):(.*)$/.exec(line);
    if (match === null) continue;
    const fields = new Map(match[2].split(',').map((pair) => pair.split('=') as [string, string]));
    groups.set(match[1], {
      role: fields.get('role') ?? '',
      leader: Number(fields.get('leader') ?? 0),
      term: Number(fields.get('term') ?? 0),
      commit: Number(fields.get('commit') ?? 0),
      applied: Number(fields.get('applied') ?? 0),
    });
  }
  return groups;
}

export class ProcessCluster {
  readonly ids: readonly NodeId[];
  /** One client per node (short command timeout, no retries, no offline queue, reconnecting). */
  readonly clients = new Map<NodeId, Redis>();
  private readonly members = new Map<NodeId, Member>();
  /** The proxy in front of the higher id of each pair, keyed `low-high`: the lower id dials it. */
  private readonly proxies = new Map<string, FaultProxy>();
  private readonly isolated = new Set<NodeId>();
  private readonly pool = new ClientPool();
  private readonly dataDirs: string[] = [];

  private constructor(size: number, private readonly commandTimeoutMs: number) {
    this.ids = Array.from({ length: size }, (_, i) => i + 1);
  }

  static async start(options: ProcessClusterOptions = {}): Promise<ProcessCluster> {
    const cluster = new ProcessCluster(options.size ?? 3, options.commandTimeoutMs ?? 1000);
    try {
      await cluster.launch(options);
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  private async launch(options: ProcessClusterOptions): Promise<void> {
    const secret = randomBytes(16).toString('hex');
    const pairs = this.ids.flatMap((low) => this.ids.filter((high) => high > low).map((high) => [low, high] as const));
    // One batch, so no port is handed out twice (a proxy's port 0 could pick a node's port).
    const ports = await freePorts(2 * this.ids.length + pairs.length);
    const respPorts = new Map(this.ids.map((id, i) => [id, ports[i]]));
    const busPorts = new Map(this.ids.map((id, i) => [id, ports[this.ids.length + i]]));
    for (const [i, [low, high]] of pairs.entries()) {
      this.proxies.set(`${low}-${high}`, await FaultProxy.start({ port: busPorts.get(high) ?? 0 }, ports[2 * this.ids.length + i]));
    }
    // Only the lower id of a pair dials, so only its list needs the proxy's address; the rest
    // are the real addresses (the ids are the same in every list).
    const peersOf = (self: NodeId) => this.ids.map((id) => {
      const port = id > self ? this.proxy(self, id).port : busPorts.get(id);
      return `${id}=127.0.0.1:${port}`;
    }).join(',');
    const started = await Promise.allSettled(this.ids.map(async (id) => {
      const dataDir = freshDataDir(`shoal-cluster-n${id}`);
      this.dataDirs.push(dataDir);
      const process = await startNodeProcess({
        dataDir,
        port: respPorts.get(id),
        args: [
          '--node-id', String(id),
          '--cluster-port', String(busPorts.get(id)),
          '--peers', peersOf(id),
          '--cluster-secret', secret,
          '--heartbeat-ms', String(options.heartbeatMs ?? 50),
          '--election-timeout-ms', String(options.electionTimeoutMs ?? 300),
          ...(options.args ?? []),
        ],
      });
      this.members.set(id, { id, process, state: 'running', earlierOutput: '' });
      this.clients.set(id, this.openClient(id));
    }));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }

  /** Another client of node `id` with the same settings as `clients`; closed by `close`. */
  openClient(id: NodeId): Redis {
    return this.pool.open(this.member(id).process.port, {
      commandTimeout: this.commandTimeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      // A command that was sent before a disconnect has an unknown outcome; sending it again
      // behind the caller's back would make it a different operation than the one recorded.
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times) => Math.min(10 * times, 100),
    });
  }

  port(id: NodeId): number {
    return this.member(id).process.port;
  }

  /** What the node printed (JSON log lines) in every process it ran as, for failure reports. */
  output(id: NodeId): string {
    const member = this.member(id);
    return member.earlierOutput + member.process.output();
  }

  /** Nodes whose process exists (running or paused): clients may still send to them. */
  liveIds(): NodeId[] {
    return this.ids.filter((id) => this.member(id).state !== 'exited');
  }

  /** Nodes that run and are connected to the others: the ones that can know the leader. */
  reachableIds(): NodeId[] {
    return this.ids.filter((id) => this.member(id).state === 'running' && !this.isolated.has(id));
  }

  /** The node's status of `group` from INFO raft, or why there is none. */
  async raftStatus(id: NodeId, group = 'data-0'): Promise<GroupStatus | string> {
    const client = this.clients.get(id);
    assert.ok(client !== undefined);
    try {
      return parseRaftInfo(await client.info('raft')).get(group) ?? `no ${group} line in INFO raft`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /**
   * The leader of data-0 once every reachable node names the same one, in the same term, and it
   * says it leads; throws after `timeoutMs` with what each node said last.
   */
  async leaderId(timeoutMs = LEADER_TIMEOUT_MS): Promise<NodeId> {
    let last = new Map<NodeId, GroupStatus | string>();
    let leader = 0;
    const agreed = await waitUntil(async () => {
      const among = this.reachableIds();
      last = new Map(await Promise.all(among.map(async (id) => [id, await this.raftStatus(id)] as const)));
      const statuses = [...last.values()];
      const first = statuses[0];
      if (first === undefined || typeof first === 'string' || first.leader === 0 || !among.includes(first.leader)) return false;
      if (!statuses.every((s) => typeof s !== 'string' && s.leader === first.leader && s.term === first.term)) return false;
      const own = last.get(first.leader);
      if (typeof own === 'string' || own?.role !== 'leader') return false;
      leader = first.leader;
      return true;
    }, timeoutMs, 25);
    if (!agreed) assert.fail(`no agreed data-0 leader among ${this.reachableIds().join(',')} within ${timeoutMs} ms: ${JSON.stringify([...last])}`);
    return leader;
  }

  /** The running, connected nodes other than the leader. */
  async followerIds(): Promise<NodeId[]> {
    const leader = await this.leaderId();
    return this.reachableIds().filter((id) => id !== leader);
  }

  /** SIGKILL: a crash, losing nothing that was fsynced. */
  async kill(id: NodeId): Promise<void> {
    const member = this.member(id);
    if (member.state !== 'exited') member.process.child.kill('SIGKILL');
    await member.process.exited;
    member.state = 'exited';
  }

  /** SIGTERM (the node hands over leadership first) and its exit code; SIGKILL if it hangs. */
  async stop(id: NodeId): Promise<number | string> {
    const member = this.member(id);
    if (member.state === 'exited') return member.process.exited;
    if (member.state === 'paused') this.resume(id);
    member.process.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), STOP_TIMEOUT_MS)));
    const code = await Promise.race([member.process.exited, hung]);
    clearTimeout(timer);
    if (code === 'hung') {
      await this.kill(id);
      assert.fail(`node ${id} did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
    }
    member.state = 'exited';
    return code;
  }

  pause(id: NodeId): void {
    const member = this.member(id);
    assert.equal(member.state, 'running', `pause a running node (${id} is ${member.state})`);
    member.process.child.kill('SIGSTOP');
    member.state = 'paused';
  }

  resume(id: NodeId): void {
    const member = this.member(id);
    assert.equal(member.state, 'paused', `resume a paused node (${id} is ${member.state})`);
    member.process.child.kill('SIGCONT');
    member.state = 'running';
  }

  /** Same port, data directory and arguments as before; the node must have exited. */
  async restart(id: NodeId): Promise<void> {
    const member = this.member(id);
    assert.equal(member.state, 'exited', `restart an exited node (${id} is ${member.state})`);
    member.earlierOutput += `${member.process.output()}--- restarted\n`;
    member.process = await restartNodeProcess(member.process);
    member.state = 'running';
  }

  /** Cuts node `id` off the cluster bus (clients still reach it). */
  isolate(id: NodeId, mode: CutMode = 'blackhole'): void {
    this.isolated.add(id);
    for (const [pair, proxy] of this.proxies) if (pair.split('-').map(Number).includes(id)) proxy.cut({ mode });
  }

  /** Reconnects node `id` to every node that is not isolated itself. */
  heal(id: NodeId): void {
    this.isolated.delete(id);
    for (const [pair, proxy] of this.proxies) {
      const ends = pair.split('-').map(Number);
      if (ends.includes(id) && !ends.some((end) => this.isolated.has(end))) proxy.heal();
    }
  }

  /** Holds every cluster-bus chunk between every pair for `ms` (0: none). */
  setBusDelay(ms: number): void {
    for (const proxy of this.proxies.values()) proxy.setDelay(ms);
  }

  /** Holds every cluster-bus chunk to and from node `id` for `ms` (0: none): a slow replica. */
  setNodeDelay(id: NodeId, ms: number): void {
    for (const other of this.ids) if (other !== id) this.proxy(Math.min(id, other), Math.max(id, other)).setDelay(ms);
  }

  healAll(): void {
    for (const id of [...this.isolated]) this.heal(id);
  }

  /** Kills every process, closes proxies and clients, removes the data; never throws. */
  async close(): Promise<void> {
    this.pool.closeAll();
    this.clients.clear();
    await Promise.allSettled([...this.members.keys()].map((id) => this.kill(id)));
    await Promise.allSettled([...this.proxies.values()].map((proxy) => proxy.close()));
    for (const dir of this.dataDirs) removeDir(dir);
  }

  private proxy(low: NodeId, high: NodeId): FaultProxy {
    const proxy = this.proxies.get(`${low}-${high}`);
    assert.ok(proxy !== undefined, `no proxy for ${low}-${high}`);
    return proxy;
  }

  private member(id: NodeId): Member {
    const member = this.members.get(id);
    assert.ok(member !== undefined, `no node ${id}`);
    return member;
  }
}
