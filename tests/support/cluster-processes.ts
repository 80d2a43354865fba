// A 3-node Shoal cluster of real processes on loopback for fault tests: fresh data directories,
// fixed ports (so a restarted node is found where it was), a random cluster secret, and one
// fault proxy per pair of nodes on the cluster bus, so any node can be cut off from the others
// while clients still reach it. Faults: SIGKILL, SIGTERM, SIGSTOP/SIGCONT, isolation, restart,
// and membership: a node joins (CLUSTER ADDNODE) or leaves (CLUSTER FORGET) while it runs.
//
// Of each pair the lower id dials, so a proxy sits in front of the higher id and only the lower
// one is told its address. A node that joins learns the others' addresses from its --peers, but
// the members learn its address from the cluster map, the same one for all of them: if they
// dialed it, one proxy would carry every pair of the newcomer. So the founders get high ids and
// each newcomer the lowest id yet: it dials every member, each through a proxy of its own.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ClientPool } from './client-pool.js';
import { FaultProxy } from './fault-proxy.js';
import type { CutMode } from './fault-proxy.js';
import { freePorts, freshDataDir, removeDir, restartNodeProcess, startNodeProcess } from './node-process.js';
import type { NodeProcess } from './node-process.js';
import { waitUntil } from './wait.js';
import { clusterNodeId } from '../../src/server/cluster-commands.js';

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
/**
 * joining: started, not yet added; member: in the cluster map; leaving: forgotten but still
 * running until it knows it is out; gone: out and stopped.
 */
type Membership = 'joining' | 'member' | 'leaving' | 'gone';

interface Member {
  readonly id: NodeId;
  process: NodeProcess;
  state: MemberState;
  membership: Membership;
  /** What the node's earlier processes printed (before restarts). */
  earlierOutput: string;
}

const STOP_TIMEOUT_MS = 20_000;
const LEADER_TIMEOUT_MS = 20_000;
const MEMBERSHIP_TIMEOUT_MS = 20_000;
/** The founders' first id; every node added later takes the lowest id yet (see the top). */
const FIRST_FOUNDER_ID = 1001;
/** Replies to CLUSTER ADDNODE/FORGET that say nothing was done and it may be asked again. */
const RETRYABLE_REPLY = /^(CLUSTERDOWN|TRYAGAIN|UNCERTAIN) /;
const GROUPS = ['meta', 'data-0'] as const;
type Group = typeof GROUPS[number];
/** Refusals by `group` (commands/errors.ts notMember and clusterDown). */
const notMemberOf = (group: Group) => new RegExp(`^CLUSTERDOWN This node is not a member of group ${group} `);
const noLeaderOf = (group: Group) => new RegExp(`^CLUSTERDOWN The cluster is down: group ${group} has no leader`);

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
  /** One client per node (short command timeout, no retries, no offline queue, reconnecting). */
  readonly clients = new Map<NodeId, Redis>();
  /**
   * Forgotten nodes that did not exit cleanly when stopped, with their last lines: a bug to
   * report, but not one that should end a fault run before its history is checked.
   */
  readonly uncleanExits: string[] = [];
  /** Every node started, gone ones included (their logs are evidence too). */
  private readonly members = new Map<NodeId, Member>();
  private readonly busPorts = new Map<NodeId, number>();
  /** The proxy in front of the higher id of each pair, keyed `low-high`: the lower id dials it. */
  private readonly proxies = new Map<string, FaultProxy>();
  private readonly isolated = new Set<NodeId>();
  private readonly pool = new ClientPool();
  private readonly dataDirs: string[] = [];
  private readonly secret = randomBytes(16).toString('hex');
  private readonly commandTimeoutMs: number;

  private constructor(private readonly options: ProcessClusterOptions) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1000;
  }

  static async start(options: ProcessClusterOptions = {}): Promise<ProcessCluster> {
    const cluster = new ProcessCluster(options);
    try {
      await cluster.launch(options.size ?? 3);
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** The members of the cluster map (as far as this harness changed it), in id order. */
  get ids(): NodeId[] {
    return [...this.members.values()].filter((m) => m.membership === 'member').map((m) => m.id).sort((a, b) => a - b);
  }

  /** Every node ever started here, for logs and evidence; `removed: false` leaves out the ones gone. */
  allIds(options: { removed: boolean } = { removed: true }): NodeId[] {
    return [...this.members.values()].filter((m) => options.removed || m.membership !== 'gone').map((m) => m.id).sort((a, b) => a - b);
  }

  private async launch(size: number): Promise<void> {
    const ids = Array.from({ length: size }, (_, i) => FIRST_FOUNDER_ID + i);
    const pairs = ids.flatMap((low) => ids.filter((high) => high > low).map((high) => [low, high] as const));
    // One batch, so no port is handed out twice (a proxy's port 0 could pick a node's port).
    const ports = await freePorts(2 * size + pairs.length);
    for (const [i, id] of ids.entries()) this.busPorts.set(id, ports[size + i]);
    for (const [i, [low, high]] of pairs.entries()) await this.startProxy(low, high, ports[2 * size + i]);
    const started = await Promise.allSettled(ids.map((id, i) => this.startNode(id, ids, ports[i], 'member')));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }

  private async startProxy(low: NodeId, high: NodeId, port: number): Promise<void> {
    this.proxies.set(`${low}-${high}`, await FaultProxy.start({ port: this.busPorts.get(high) ?? 0 }, port));
  }

  /**
   * Spawns node `id` knowing the nodes `peers` (itself included): founders bootstrap the
   * cluster from them, a joiner only needs them to reach the members.
   */
  private async startNode(id: NodeId, peers: readonly NodeId[], respPort: number, membership: 'member' | 'joining'): Promise<void> {
    // Only the lower id of a pair dials, so only its list needs the proxy's address; the rest
    // are the real addresses.
    const peerList = peers.map((peer) => `${peer}=127.0.0.1:${peer > id ? this.proxy(id, peer).port : this.busPorts.get(peer)}`).join(',');
    const dataDir = freshDataDir(`shoal-cluster-n${id}`);
    this.dataDirs.push(dataDir);
    const process = await startNodeProcess({
      dataDir,
      port: respPort,
      args: [
        '--node-id', String(id),
        '--cluster-port', String(this.busPorts.get(id)),
        '--peers', peerList,
        '--cluster-secret', this.secret,
        '--heartbeat-ms', String(this.options.heartbeatMs ?? 50),
        '--election-timeout-ms', String(this.options.electionTimeoutMs ?? 300),
        ...(membership === 'joining' ? ['--join', 'yes'] : []),
        ...(this.options.args ?? []),
      ],
    });
    this.members.set(id, { id, process, state: 'running', membership, earlierOutput: '' });
    this.clients.set(id, this.openClient(id));
  }

  /**
   * Starts a fresh node with the next id, with a proxy to every member, and adds it (CLUSTER
   * ADDNODE). Clients may use it from then on: it serves as a learner too, once the leader
   * brought it in; `untilVoter` waits for more.
   */
  async addNode(): Promise<NodeId> {
    const members = this.ids;
    const id = Math.min(...this.members.keys()) - 1;
    assert.ok(id >= 1, 'no node id left below the members\' (FIRST_FOUNDER_ID bounds how many nodes can be added)');
    const ports = await freePorts(2 + members.length);
    this.busPorts.set(id, ports[1]);
    for (const [i, member] of members.entries()) await this.startProxy(id, member, ports[2 + i]);
    await this.startNode(id, [...members, id], ports[0], 'joining');
    await this.changeMap(['ADDNODE', String(id), `127.0.0.1:${ports[1]}`], /already a member/, members);
    this.member(id).membership = 'member';
    return id;
  }

  /**
   * CLUSTER FORGET on another member, then waits until the node is out (the others' maps no
   * longer list it, and in both groups it is refused as not a member or hears from no leader
   * while the others have one), and stops it (SIGTERM; an exit code other than 0 goes to
   * `uncleanExits`). Clients may use it until then.
   */
  async removeNode(id: NodeId): Promise<void> {
    const member = this.member(id);
    assert.equal(member.membership, 'member', `remove a member (${id} is ${member.membership})`);
    assert.ok(this.reachableIds().includes(id), `remove a node that runs and is connected (${id} is not)`);
    // A node removed while it was down or still reconnecting would never hear of it.
    for (const group of GROUPS) await this.leaderId(group);
    const others = this.ids.filter((other) => other !== id);
    await this.changeMap(['FORGET', String(id)], /Unknown node|is not a member/, others);
    member.membership = 'leaving';
    const client = this.clients.get(id);
    assert.ok(client !== undefined);
    const answer = (reply: unknown) => `answered ${String(reply)}`;
    const refusal = (error: Error) => error.message;
    // INFO raft does not say whether a node is still in a group; its commands do. For meta:
    // re-adding a node every map holds, a write that changes nothing.
    const probes: Record<Group, () => Promise<string>> = {
      'data-0': () => client.get('probe').then(answer, refusal),
      meta: () => client.call('CLUSTER', 'ADDNODE', String(others[0]), `127.0.0.1:${this.busPorts.get(others[0])}`).then(answer, refusal),
    };
    let last = '';
    const out = await waitUntil(async () => {
      const maps = await Promise.all(others.map(async (other) => String(await this.clients.get(other)?.cluster('NODES').catch(() => ''))));
      if (maps.some((map) => map === '' || map.includes(`${clusterNodeId(id)} `))) {
        last = 'a member still lists it in CLUSTER NODES';
        return false;
      }
      for (const group of GROUPS) {
        const reply = await probes[group]();
        last = `${group}: ${reply}`;
        // A node is not always told it was removed: the leader may drop it before it heard
        // the removal was committed. Then it hears from no leader at all (it says so after an
        // election timeout), while the others have one: that leader no longer counts it.
        if (!notMemberOf(group).test(reply) && !noLeaderOf(group).test(reply)) return false;
      }
      return true;
    }, MEMBERSHIP_TIMEOUT_MS);
    if (!out) assert.fail(`node ${id} was not out within ${MEMBERSHIP_TIMEOUT_MS} ms of CLUSTER FORGET: ${last}`);
    for (const group of GROUPS) await this.leaderId(group);
    // Before the stop: while it shuts down it drops its clients, and they would spin on it.
    member.membership = 'gone';
    const code = await this.stop(id);
    if (code !== 0) this.uncleanExits.push(`the forgotten node ${id} exited with ${code} on SIGTERM:\n${this.outputTail(id, 20)}`);
    this.clients.get(id)?.disconnect();
    this.clients.delete(id);
    this.isolated.delete(id);
    for (const { pair, proxy } of this.proxiesOf(id)) {
      this.proxies.delete(pair);
      await proxy.close();
    }
  }

  /**
   * Sends `CLUSTER <args>` to one of `via` (the first that is running and connected) until it
   * is acknowledged; a reply matching `done` says an earlier attempt whose answer was lost
   * already took effect.
   */
  private async changeMap(args: readonly string[], done: RegExp, via: readonly NodeId[]): Promise<void> {
    let last = '';
    const acknowledged = await waitUntil(async () => {
      const target = via.find((id) => this.reachableIds().includes(id));
      const client = target === undefined ? undefined : this.clients.get(target);
      if (client === undefined) return false;
      try {
        last = String(await client.call('CLUSTER', ...args));
        return true;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
        if (done.test(last)) return true;
        // Anything else the node refused is a mistake of the harness: say so now.
        if (error instanceof Error && error.name === 'ReplyError' && !RETRYABLE_REPLY.test(last)) assert.fail(`CLUSTER ${args.join(' ')} on node ${target}: ${last}`);
        return false;
      }
    }, MEMBERSHIP_TIMEOUT_MS);
    if (!acknowledged) assert.fail(`CLUSTER ${args.join(' ')} was not acknowledged within ${MEMBERSHIP_TIMEOUT_MS} ms: ${last}`);
  }

  /**
   * Resolves once node `id` votes in both groups. INFO raft calls a node outside the group a
   * follower too, so first it must show it is in: it serves a read (data-0) and its own map
   * holds the address it announced (through meta); from there its role only moves from learner
   * to voter.
   */
  async untilVoter(id: NodeId): Promise<void> {
    const client = this.clients.get(id);
    assert.ok(client !== undefined);
    let last = '';
    const voter = await waitUntil(async () => {
      try {
        await client.get('probe');
        const myself = String(await client.cluster('NODES')).split('\n').find((line) => line.includes('myself')) ?? '';
        if (!myself.includes(` 127.0.0.1:${this.port(id)}@`)) {
          last = `its own map does not hold its address yet: ${myself}`;
          return false;
        }
        const groups = [...parseRaftInfo(await client.info('raft'))];
        last = JSON.stringify(groups);
        return groups.length === 2 && groups.every(([, group]) => group.role !== 'learner' && group.leader !== 0);
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
        return false;
      }
    }, MEMBERSHIP_TIMEOUT_MS);
    if (!voter) assert.fail(`node ${id} did not become a voter of both groups within ${MEMBERSHIP_TIMEOUT_MS} ms: ${last}`);
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

  /** The last `lines` lines the node printed. */
  outputTail(id: NodeId, lines: number): string {
    return this.output(id).trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Nodes whose process exists (running or paused), members or leaving: clients may still send to them. */
  liveIds(): NodeId[] {
    return [...this.members.values()]
      .filter((m) => (m.membership === 'member' || m.membership === 'leaving') && m.state !== 'exited')
      .map((m) => m.id).sort((a, b) => a - b);
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
   * The leader of `group` once every reachable node names the same one, in the same term, and
   * it says it leads; throws after `timeoutMs` with what each node said last.
   */
  async leaderId(group: Group = 'data-0', timeoutMs = LEADER_TIMEOUT_MS): Promise<NodeId> {
    let last = new Map<NodeId, GroupStatus | string>();
    let leader = 0;
    const agreed = await waitUntil(async () => {
      const among = this.reachableIds();
      last = new Map(await Promise.all(among.map(async (id) => [id, await this.raftStatus(id, group)] as const)));
      const statuses = [...last.values()];
      const first = statuses[0];
      if (first === undefined || typeof first === 'string' || first.leader === 0 || !among.includes(first.leader)) return false;
      if (!statuses.every((s) => typeof s !== 'string' && s.leader === first.leader && s.term === first.term)) return false;
      const own = last.get(first.leader);
      if (typeof own === 'string' || own?.role !== 'leader') return false;
      leader = first.leader;
      return true;
    }, timeoutMs, 25);
    if (!agreed) assert.fail(`no agreed ${group} leader among ${this.reachableIds().join(',')} within ${timeoutMs} ms: ${JSON.stringify([...last])}`);
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
    assert.notEqual(member.membership, 'gone', `restart a node that was not removed (${id} was)`);
    member.earlierOutput += `${member.process.output()}--- restarted\n`;
    member.process = await restartNodeProcess(member.process);
    member.state = 'running';
  }

  /** Cuts node `id` off the cluster bus (clients still reach it). */
  isolate(id: NodeId, mode: CutMode = 'blackhole'): void {
    this.isolated.add(id);
    for (const { proxy } of this.proxiesOf(id)) proxy.cut({ mode });
  }

  /** Reconnects node `id` to every node that is not isolated itself. */
  heal(id: NodeId): void {
    this.isolated.delete(id);
    for (const { other, proxy } of this.proxiesOf(id)) if (!this.isolated.has(other)) proxy.heal();
  }

  /** Holds every cluster-bus chunk between every pair for `ms` (0: none). */
  setBusDelay(ms: number): void {
    for (const proxy of this.proxies.values()) proxy.setDelay(ms);
  }

  /** Holds every cluster-bus chunk to and from node `id` for `ms` (0: none): a slow replica. */
  setNodeDelay(id: NodeId, ms: number): void {
    for (const { proxy } of this.proxiesOf(id)) proxy.setDelay(ms);
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

  /** The proxies of the pairs node `id` is in, each with the pair's other node. */
  private proxiesOf(id: NodeId): { pair: string; other: NodeId; proxy: FaultProxy }[] {
    return [...this.proxies].flatMap(([pair, proxy]) => {
      const [low, high] = pair.split('-').map(Number);
      return low === id || high === id ? [{ pair, other: low === id ? high : low, proxy }] : [];
    });
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
