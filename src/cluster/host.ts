// The node's host for its Raft groups (DESIGN.md, "The shape of a node"): owns the data
// directory, the write-ahead log shared by every group (one fsync per batch for all of them),
// the snapshot store and the peer transport; recovers each group (latest snapshot + log tail)
// at start; drives every group's ticks from a monotonic clock; routes peer messages to groups;
// and keeps the transport's address book in step with the cluster map.
//
// Groups: `meta` (id 0) holds the cluster map; `data-0` (id 1) holds the keyspace. Both are
// replicated on every founding member. A node started without peers is a one-node cluster:
// the same groups with one voter.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ErrorReply } from '../protocol/values.js';
import { KeyspaceStateMachine } from '../commands/state-machine.js';
import { encodeLogCommand } from '../commands/log-entry.js';
import { bootstrapStorage, decodeEntryData, decodeSnapshotPayload, encodeEntryData, MemoryStorage } from '../raft/index.js';
import type { Entry, GroupId, NodeId } from '../raft/index.js';
import { WriteAheadLog } from '../storage/wal.js';
import type { FsyncPolicy, RecoveryReport } from '../storage/wal.js';
import { SnapshotStore } from '../storage/snapshot-store.js';
import { ensureDirectory } from '../storage/fsync-directory.js';
import type { Logger } from '../logger.js';
import type { PeerAddress } from '../server/config.js';
import { ActiveExpiry } from './active-expiry.js';
import { processEnvironment } from './host-environment.js';
import type { HostEnvironment, HostTransport } from './host-environment.js';
import type { TransportStats } from '../transport/peer-transport.js';
import { every, sleep } from './scheduler.js';
import { ClusterMap, MapCommand } from './cluster-map.js';
import { DEFAULT_CATCH_UP_ENTRIES, RaftGroup } from './raft-group.js';
import type { GroupTiming } from './raft-group.js';
import type { ApplyResult } from '../commands/command-spec.js';
import type { ReplicatedMachine } from './replicated-machine.js';
import { BatchDecoder, encodeBatch } from './wire.js';
import type { WireMessage } from './wire.js';

export const META_GROUP_ID = 0;
export const DATA_GROUP_ID = 1;

export type DataGroup = RaftGroup<KeyspaceStateMachine>;
export type MetaGroup = RaftGroup<ClusterMap>;

export interface HostOptions {
  readonly dataDir: string;
  readonly fsync: FsyncPolicy;
  readonly snapshotAfterLogBytes: () => number;
  /** How far ahead of its records the WAL writes zeros; its default unless set (the simulator's disk is in memory). */
  readonly walPreallocateBytes?: number;
  /** Applied entries kept in memory for lagging followers; DEFAULT_CATCH_UP_ENTRIES unless set. */
  readonly catchUpEntries?: number;
  readonly activeExpireIntervalMs: number;
  readonly nodeId: NodeId;
  /** The founding members (this node among them); empty: a one-node cluster. */
  readonly peers: readonly PeerAddress[];
  /** Where this node's peer transport listens (when it has peers). */
  readonly clusterBind: { readonly host: string; readonly port: number };
  readonly clusterSecret: string;
  /** Join a running cluster (after CLUSTER ADDNODE there) instead of founding one with the peers. */
  readonly join: boolean;
  readonly heartbeatMs: number;
  readonly electionTimeoutMs: number;
  readonly requestTimeoutMs: () => number;
  readonly logger: Logger;
  /** Clocks, timers, file system, network and lock: the process's own unless the simulator passes its own. */
  readonly environment?: HostEnvironment;
}

/** What recovery found of one group on disk. */
interface RecoveredGroup {
  readonly storage: MemoryStorage;
  readonly snapshotIndex: number;
  readonly fresh: boolean;
}

/** Bound on ticks delivered at once after a stall: a lease needs only "long enough". */
const MAX_CATCH_UP_TICKS = 10_000;
/** How soon a node tries again to publish its client address after a failed attempt. */
const ANNOUNCE_RETRY_MS = 200;

export class Host {
  readonly groups = new Map<GroupId, RaftGroup>();
  private readonly decoders = new Map<NodeId, BatchDecoder>();
  private readonly outbox = new Map<NodeId, WireMessage[]>();
  private outboxScheduled = false;
  private transport: HostTransport | undefined;
  private stopTicking: (() => void) | undefined;
  private cancelAnnounceRetry: (() => void) | undefined;
  private lastTickAtMs: number;
  private respAddress = '';
  private announcing = false;
  /** Addresses given to the transport beyond the founders' (from the map, or told by peers). */
  private readonly knownAddresses = new Map<NodeId, string>();
  /** The members of the map as last seen: one that leaves is forgotten by the transport. */
  private mapMembers = new Set<NodeId>();
  /** Left the map; forgotten by the transport once no group has it (forgetDepartedPeers). */
  private readonly departing = new Set<NodeId>();
  /** close() began: nothing new is set up (the transport may already be closed). */
  private closing = false;

  private constructor(
    readonly nodeId: NodeId,
    readonly dataGroup: DataGroup,
    readonly metaGroup: MetaGroup,
    private readonly wal: WriteAheadLog,
    private readonly releaseLock: () => Promise<void>,
    private readonly expiry: ActiveExpiry,
    readonly recovery: RecoveryReport,
    private readonly options: HostOptions,
    private readonly environment: HostEnvironment,
  ) {
    this.lastTickAtMs = environment.scheduler.monotonicMs();
    this.groups.set(META_GROUP_ID, metaGroup);
    this.groups.set(DATA_GROUP_ID, dataGroup);
  }

  static async open(options: HostOptions): Promise<Host> {
    const { logger } = options;
    const environment = options.environment ?? processEnvironment;
    const { scheduler } = environment;
    await ensureDirectory(options.dataDir, environment.fs);
    const releaseLock = await environment.lockDataDir(options.dataDir);
    try {
      const snapshots = new SnapshotStore(join(options.dataDir, 'snapshots'), storageLog(logger), environment.fs);
      const startedMs = scheduler.monotonicMs();
      const machines = new Map<GroupId, ReplicatedMachine>([[META_GROUP_ID, new ClusterMap()], [DATA_GROUP_ID, new KeyspaceStateMachine()]]);
      const storages = new Map<GroupId, MemoryStorage>();
      const snapshotIndexes = new Map<GroupId, number>();
      for (const [groupId, machine] of machines) {
        const storage = new MemoryStorage({ voters: [], learners: [] });
        const file = await snapshots.recoverLatest(groupId);
        if (file !== null) {
          const snapshot = decodeSnapshotPayload(file.meta.index, file.meta.term, file.data);
          storage.applySnapshot(snapshot);
          machine.restore(snapshot.meta.index, Buffer.from(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength));
        }
        storages.set(groupId, storage);
        snapshotIndexes.set(groupId, file?.meta.index ?? 0);
      }
      const { wal, report } = await WriteAheadLog.open({
        dir: join(options.dataDir, 'wal'),
        fsync: options.fsync,
        fs: environment.fs,
        preallocateBytes: options.walPreallocateBytes,
        log: storageLog(logger),
        onRecord: (record) => {
          const storage = storages.get(record.group);
          if (storage === undefined) return;
          if (record.kind === 'hardState') return storage.setHardState({ term: record.term, vote: record.vote, commit: record.commit });
          if (record.index < storage.firstIndex()) return; // covered by the snapshot
          // Copied: the record's data is a view of a read buffer the log must not pin.
          storage.append([decodeEntryData(record.term, record.index, record.data.slice())]);
        },
      });
      const recovered = new Map<GroupId, RecoveredGroup>();
      for (const [groupId, storage] of storages) {
        // Entries are applied (and so may be snapshotted) before the hard state recording their
        // commit is durable: a snapshot is itself proof that everything it covers is committed.
        const { hardState } = storage.initialState();
        const snapshotIndex = storage.snapshot().meta.index;
        if (hardState.commit < snapshotIndex) storage.setHardState({ ...hardState, commit: snapshotIndex });
        const fresh = storage.lastIndex() === 0 && storage.initialState().hardState.term === 0;
        // A joining node starts empty: the leader sends it the log (or a snapshot) once the
        // cluster map lists it.
        const bootstrapped = fresh && !options.join ? bootstrap(groupId, options, wal) : storage;
        recovered.set(groupId, { storage: bootstrapped, snapshotIndex: snapshotIndexes.get(groupId) ?? 0, fresh });
      }
      if ([...recovered.values()].some((group) => group.fresh)) await wal.flush();
      // Which segments a snapshot covers is not stored: tell the log again, so segments left
      // over from before the restart are dropped now rather than after the next snapshot.
      for (const [groupId, group] of recovered) if (group.snapshotIndex > 0) await wal.compact(groupId, group.snapshotIndex);
      logger.info({
        nodeId: options.nodeId, walSegments: report.segments, walRecords: report.records, durationMs: Math.round(scheduler.monotonicMs() - startedMs),
        groups: Object.fromEntries([...recovered].map(([id, g]) => [id, { snapshotIndex: g.snapshotIndex, lastIndex: g.storage.lastIndex(), fresh: g.fresh }])),
      }, 'recovered groups');
      // The groups' callbacks reach the host, which exists only once the groups do.
      const late: { host?: Host } = {};
      const timing: GroupTiming = {
        heartbeatTicks: 1,
        electionTimeoutMs: options.electionTimeoutMs,
        electionTicks: Math.max(2, Math.round(options.electionTimeoutMs / options.heartbeatMs)),
        get requestTimeoutMs() { return options.requestTimeoutMs(); },
      };
      const makeGroup = <M extends ReplicatedMachine>(groupId: GroupId, name: string, machine: M): RaftGroup<M> => new RaftGroup<M>({
        groupId, name, nodeId: options.nodeId, storage: (recovered.get(groupId) as RecoveredGroup).storage, machine, wal, snapshots, timing,
        scheduler,
        snapshotAfterLogBytes: options.snapshotAfterLogBytes,
        catchUpEntries: options.catchUpEntries ?? DEFAULT_CATCH_UP_ENTRIES,
        send: (to, message) => late.host?.send(to, message),
        isConnected: (peer) => late.host?.transport?.isConnected(peer) ?? false,
        catchUpTicks: () => late.host?.catchUpTicks(),
        logger,
      });
      const metaGroup = makeGroup(META_GROUP_ID, 'meta', machines.get(META_GROUP_ID) as ClusterMap);
      const dataGroup = makeGroup(DATA_GROUP_ID, 'data-0', machines.get(DATA_GROUP_ID) as KeyspaceStateMachine);
      const expiry = new ActiveExpiry(dataGroup, scheduler);
      const host = new Host(options.nodeId, dataGroup, metaGroup, wal, releaseLock, expiry, report, options, environment);
      late.host = host;
      await host.start();
      return host;
    } catch (error) {
      await releaseLock();
      throw error;
    }
  }

  private async start(): Promise<void> {
    const { options } = this;
    if (options.peers.length > 1 || options.join) {
      this.transport = await this.environment.listen({
        nodeId: this.nodeId, host: options.clusterBind.host, port: options.clusterBind.port, secret: options.clusterSecret,
        onPayload: (from, payload) => this.received(from, payload),
        onPeerConnected: (peer) => {
          this.options.logger.info({ peer }, 'peer connected');
          this.shareAddresses([peer]);
        },
        onPeerDisconnected: (peer) => {
          this.options.logger.info({ peer }, 'peer disconnected');
          for (const group of this.groups.values()) group.peerLost(peer);
        },
        log: storageLog(options.logger),
      });
      for (const peer of options.peers) if (peer.id !== this.nodeId) this.transport.setPeer(peer.id, peer.host, peer.port);
    }
    this.metaGroup.onApplied = () => this.mapChanged();
    // A map that arrived whole, as a snapshot from the leader, lists members no entry announced.
    this.metaGroup.onRestored = () => this.mapChanged();
    // Members that joined after the founders are known from the recovered map only: a restarted
    // node must reach them (it dials the higher ids) before it hears of any change.
    this.mapChanged();
    const { scheduler } = this.environment;
    this.stopTicking = every(scheduler, Math.max(1, Math.floor(this.options.heartbeatMs / 2)), () => this.catchUpTicks());
    for (const group of this.groups.values()) group.processReady();
    this.expiry.setInterval(options.activeExpireIntervalMs);
    // A one-node cluster leads its groups at once: wait for that before serving clients.
    if (options.peers.length <= 1 && !options.join) {
      const deadline = scheduler.monotonicMs() + 10_000;
      while ([...this.groups.values()].some((group) => !group.isLeader) && scheduler.monotonicMs() < deadline) await sleep(scheduler, 1);
    }
  }

  get clusterMap(): ClusterMap {
    return this.metaGroup.machine;
  }

  /** The peer transport's counters, when this node has peers and a transport that keeps them. */
  get transportStats(): TransportStats | undefined {
    return this.transport?.stats;
  }

  get transportPort(): number | undefined {
    return this.transport?.port;
  }

  isPeerConnected(id: NodeId): boolean {
    return this.transport?.isConnected(id) ?? false;
  }

  get walStats(): WriteAheadLog['stats'] {
    return this.wal.stats;
  }

  setActiveExpireInterval(intervalMs: number): void {
    this.expiry.setInterval(intervalMs);
  }

  /** Publishes where clients reach this node, in the cluster map (CLUSTER NODES, redirects). */
  announce(respAddress: string): void {
    this.respAddress = respAddress;
    this.mapChanged();
  }

  /** Delivers every tick due by now (after a stall, all the missed ones, bounded). */
  catchUpTicks(): void {
    const now = this.environment.scheduler.monotonicMs();
    const due = Math.min(MAX_CATCH_UP_TICKS, Math.floor((now - this.lastTickAtMs) / this.options.heartbeatMs));
    if (due <= 0) return;
    this.lastTickAtMs = due === MAX_CATCH_UP_TICKS ? now : this.lastTickAtMs + due * this.options.heartbeatMs;
    for (let i = 0; i < due; i++) for (const group of this.groups.values()) group.tick();
    // The members every group should have are the map's nodes (the map knows them once the
    // meta group applied its bootstrap entries).
    // Members are removed only by a map that has applied everything its leader said was
    // committed (a replica far behind may not list a node added a moment ago).
    const meta = this.metaGroup;
    const mapIsCurrent = meta.leaderId !== 0 && meta.appliedIndex >= meta.raw.raft.log.committed;
    const wanted = this.clusterMap.nodes.map((node) => node.id);
    this.dataGroup.reconcileMembers(wanted, mapIsCurrent);
    // The meta group lets a node go only once the data groups did: a removed node hears no more
    // of the map, and were it still a data leader it would wait for a map it never gets.
    const dataMembers = this.dataGroup.raw.raft.tracker.confState();
    // Except that a meta leader the map dropped does not wait on its own data replica: removed,
    // that replica may never hear the commit of its own removal (the data leader stops sending
    // to it). Seeing itself unwanted, the leader hands meta leadership to a member that will.
    const leaving = wanted.length > 0 && !wanted.includes(this.nodeId);
    const stillInData = [...dataMembers.voters, ...dataMembers.learners].filter((id) => !(leaving && id === this.nodeId));
    meta.reconcileMembers([...new Set([...wanted, ...stillInData])], mapIsCurrent);
    this.forgetDepartedPeers();
  }

  /** Closes the transport to nodes gone from the map and from every group (see mapChanged). */
  private forgetDepartedPeers(): void {
    if (this.departing.size === 0 || this.transport === undefined) return;
    for (const id of this.departing) {
      if ([...this.groups.values()].some((group) => group.raw.raft.tracker.isMember(id))) continue;
      if (this.clusterMap.node(id) !== undefined) {
        this.departing.delete(id);
        continue;
      }
      // What is queued for it must never reach a node later added under the same id (retired
      // ids make that unlikely, a peer entry that outlives its node makes it possible).
      this.transport.removePeer(id);
      this.knownAddresses.delete(id);
      this.departing.delete(id);
    }
  }

  private send(to: NodeId, message: WireMessage): void {
    if (this.transport === undefined || to === this.nodeId) return;
    let queue = this.outbox.get(to);
    if (queue === undefined) {
      queue = [];
      this.outbox.set(to, queue);
    }
    queue.push(message);
    if (this.outboxScheduled) return;
    this.outboxScheduled = true;
    // Everything for one peer in one turn, all groups together, travels as one payload.
    this.environment.scheduler.soon(() => {
      this.outboxScheduled = false;
      for (const [peer, batch] of this.outbox) for (const payload of encodeBatch(batch)) this.transport?.send(peer, payload);
      this.outbox.clear();
    });
  }

  private received(from: NodeId, payload: Uint8Array): void {
    let decoder = this.decoders.get(from);
    if (decoder === undefined) {
      decoder = new BatchDecoder();
      this.decoders.set(from, decoder);
    }
    let batch: readonly WireMessage[] | undefined;
    try {
      batch = decoder.decode(payload);
    } catch (error) {
      this.options.logger.warn({ peer: from, err: error instanceof Error ? error.message : String(error) }, 'undecodable payload from peer dropped');
      return;
    }
    if (batch === undefined) return;
    // Ticks first: a message must never be judged on a clock that stood still (a stall).
    this.catchUpTicks();
    for (const message of batch) {
      if (message.t === 'addresses') this.learnAddresses(message.nodes);
      else this.groups.get(message.t === 'raft' ? message.m.group : message.g)?.receive(from, message);
    }
  }

  /** The map changed (or we just learned our address): reach new members, announce ourselves. */
  private mapChanged(): void {
    if (this.closing) return;
    const map = this.clusterMap;
    if (this.transport !== undefined) {
      const members = new Set(map.nodes.map((node) => node.id));
      // Gone from the map, but maybe still in a group (leaving takes a few changes): forgotten
      // by the transport once it is in none.
      for (const id of this.mapMembers) if (!members.has(id) && id !== this.nodeId) this.departing.add(id);
      this.mapMembers = members;
      const before = this.knownAddresses.size;
      this.learnAddresses(map.nodes.map((node) => [node.id, node.bus] as const));
      if (this.knownAddresses.size > before) this.shareAddresses(map.nodes.map((node) => node.id));
    }
    if (this.respAddress === '' || this.announcing || map.node(this.nodeId)?.resp === this.respAddress) return;
    this.announcing = true;
    this.metaGroup.propose('command', MapCommand.announceResp(this.nodeId, this.respAddress), (result) => {
      this.announcing = false;
      // Not committed (no leader yet, an election): try again shortly.
      if (result instanceof ErrorReply && !this.closing) {
        this.cancelAnnounceRetry = this.environment.scheduler.after(ANNOUNCE_RETRY_MS, () => this.mapChanged());
      }
    });
  }

  /** Dials members the founders' list does not name, once their address is known (map or peers). */
  private learnAddresses(nodes: ReadonlyArray<readonly [number, string]>): void {
    if (this.transport === undefined || this.closing) return;
    // A founder is reached at the address its --peers give (a proxy, a NAT), never the map's.
    const founders = new Set(this.options.peers.map((peer) => peer.id));
    for (const [id, bus] of nodes) {
      if (id === this.nodeId || founders.has(id) || this.knownAddresses.get(id) === bus) continue;
      this.knownAddresses.set(id, bus);
      const [host, port] = splitAddress(bus);
      this.transport.setPeer(id, host, port);
    }
  }

  /** Tells connected peers every address in this node's map (cheap: a few bytes per member). */
  private shareAddresses(peers: readonly NodeId[]): void {
    const nodes = this.clusterMap.nodes.map((node) => [node.id, node.bus] as const);
    if (nodes.length === 0) return;
    for (const peer of peers) if (peer !== this.nodeId && this.isPeerConnected(peer)) this.send(peer, { t: 'addresses', nodes });
  }

  /** Proposes a change of the cluster map (CLUSTER ADDNODE / FORGET); the reconcilers follow it. */
  changeMap(args: readonly string[], onDone: (result: ApplyResult) => void): void {
    this.metaGroup.propose('command', args, (result) => onDone(result));
  }

  /** Hands off leadership of every group this node leads (a planned restart causes no errors). */
  async transferLeadership(): Promise<void> {
    const timeoutMs = 4 * this.options.electionTimeoutMs;
    await Promise.all([...this.groups.values()].map((group) => group.transferLeadership(timeoutMs)));
  }

  /** Finishes in-flight writes, writes a snapshot (unless told not to), closes the log. */
  async close(options: { snapshot: boolean }): Promise<void> {
    this.closing = true;
    this.cancelAnnounceRetry?.();
    this.expiry.stop();
    await this.dataGroup.drain();
    if (this.transport !== undefined) {
      // Answer what peers forwarded to us while we were handing leadership over (they retry
      // elsewhere) before the connections go: an unanswered forward is an UNCERTAIN error.
      await sleep(this.environment.scheduler, 3 * this.options.heartbeatMs);
    }
    this.stopTicking?.();
    this.stopTicking = undefined;
    await this.transport?.close();
    // Nothing may reach the log once it closes: groups refuse what still arrives.
    for (const group of this.groups.values()) await group.stop();
    // A log that failed earlier (its group stopped writing then, and acknowledged nothing it
    // could not make durable) fails again here: shutting down still finishes.
    const failed = (error: unknown): void => this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'closing with a failed write-ahead log');
    try {
      if (options.snapshot) for (const group of this.groups.values()) await group.snapshot();
    } catch (error) {
      failed(error);
    }
    await this.wal.close().catch(failed);
    await this.releaseLock();
    this.options.logger.info('host closed');
  }
}

/**
 * The log a founding member starts from: its membership as conf-change entries (the same on
 * every founder) and, for the meta group, the founders' addresses as the first map entries.
 */
function bootstrap(groupId: GroupId, options: HostOptions, wal: WriteAheadLog): MemoryStorage {
  const founders = options.peers.length > 0 ? options.peers : [{ id: options.nodeId, host: options.clusterBind.host, port: options.clusterBind.port }];
  assert.ok(founders.some((peer) => peer.id === options.nodeId), 'a founding member is among the peers');
  const storage = bootstrapStorage(founders.map((peer) => peer.id));
  if (groupId === META_GROUP_ID) {
    const first = storage.lastIndex() + 1;
    const entries: Entry[] = founders.map((peer, i) => ({
      term: 1, index: first + i, type: 'normal',
      data: encodeLogCommand({ kind: 'command', stampMs: 0, args: MapCommand.addNode(peer.id, `${peer.host}:${peer.port}`) }),
    }));
    storage.append(entries);
    storage.setHardState({ term: 1, vote: 0, commit: storage.lastIndex() });
  }
  for (const entry of storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Infinity)) {
    wal.append({ kind: 'entry', group: groupId, term: entry.term, index: entry.index, data: encodeEntryData(entry) });
  }
  const hard = storage.initialState().hardState;
  wal.append({ kind: 'hardState', group: groupId, term: hard.term, vote: hard.vote, commit: hard.commit });
  return storage;
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

function storageLog(logger: Logger) {
  return (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => logger[level](fields ?? {}, message);
}
