// One simulated node hosting one group member: the host loop around a RawNode, with a disk
// that keeps only what was fsynced, a clock that ticks at the node's own (skewed) rate, the
// key/value state machine, and the requests of clients waiting on it.

import assert from 'node:assert/strict';
import { bootstrapStorage, MemoryStorage, RawNode } from '../src/raft/index.js';
import type { Entry, HardState, Message, NodeId, RaftMutations, Ready, ReadState, Snapshot } from '../src/raft/index.js';
import type { EventQueue } from './event-queue.js';
import { decodeCommand, KvMachine } from './kv-machine.js';
import type { Prng } from './prng.js';
import { SafetyViolation } from './safety-monitor.js';

export interface NodeSettings {
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly tickMs: number;
  readonly readOnly: 'safe' | 'leaseBased';
  readonly maxInflightMsgs: number;
  readonly maxSizePerMsgBytes: number;
  readonly snapshotEveryEntries: number;
  readonly fsyncMinMs: number;
  readonly fsyncMaxMs: number;
  readonly mutations: RaftMutations;
  /** Apply entries committed meanwhile and send what needs nothing durable during an fsync. */
  readonly earlyWork: boolean;
}

/** What the node reports to the simulation (safety monitor, clients, statistics). */
export interface NodeObserver {
  onLeader(node: SimNode, term: number): void;
  onApplied(node: SimNode, entry: Entry, casSucceeded: boolean): void;
  onSnapshotRestored(node: SimNode, snapshot: Snapshot): void;
  onCommitAdvanced(node: SimNode): void;
  onRead(node: SimNode, context: number, value: (key: string) => string | null): void;
  onFsync(node: SimNode): void;
  send(m: Message): void;
}

/** The disk: durable state is a MemoryStorage; a write becomes durable only when its fsync completes. */
class SimDisk {
  readonly storage: MemoryStorage;

  constructor(founders: readonly NodeId[]) {
    this.storage = founders.length > 0 ? bootstrapStorage(founders) : new MemoryStorage({ voters: [], learners: [] });
  }

  persist(snapshot: Snapshot | undefined, entries: readonly Entry[], hardState: HardState | undefined): void {
    if (snapshot !== undefined) this.storage.applySnapshot(snapshot);
    this.storage.append(entries);
    if (hardState !== undefined) this.storage.setHardState(hardState);
  }
}

export class SimNode {
  raw!: RawNode;
  kv = new KvMachine();
  alive = true;
  /** Bumped on every crash: callbacks of an earlier life are ignored. */
  incarnation = 0;
  private readonly disk: SimDisk;
  private fsyncPending = false;
  private readStates: ReadState[] = [];
  readonly tickPeriodMs: number;
  crashes = 0;

  constructor(
    readonly id: NodeId,
    /** The founding voters for a founding member; empty for a node added later. */
    founders: readonly NodeId[],
    private readonly settings: NodeSettings,
    private readonly queue: EventQueue,
    private readonly prng: Prng,
    private readonly observer: NodeObserver,
    clockSkew: number,
  ) {
    this.disk = new SimDisk(founders);
    this.tickPeriodMs = settings.tickMs * clockSkew;
    this.boot();
  }

  private boot(): void {
    this.raw = new RawNode({
      id: this.id, group: 1, storage: this.disk.storage, random: this.prng.fork(),
      electionTicks: this.settings.electionTicks, heartbeatTicks: this.settings.heartbeatTicks,
      readOnly: this.settings.readOnly, maxInflightMsgs: this.settings.maxInflightMsgs,
      maxSizePerMsgBytes: this.settings.maxSizePerMsgBytes, mutations: this.settings.mutations,
    });
    this.kv = new KvMachine();
    const snap = this.disk.storage.snapshot();
    if (snap.meta.index > 0 && snap.data.length > 0) this.kv.restore(snap.meta.index, snap.data);
    this.readStates = [];
    this.fsyncPending = false;
    const life = this.incarnation;
    // Start ticking at a random phase so nodes' ticks interleave differently per seed.
    this.queue.after(this.prng.next() * this.tickPeriodMs, () => this.tickLoop(life));
  }

  private tickLoop(life: number): void {
    if (!this.alive || life !== this.incarnation) return;
    if (this.pausedUntilMs > this.queue.nowMs) {
      this.missedTicks++;
    } else {
      this.raw.tick();
      this.process();
    }
    this.queue.after(this.tickPeriodMs, () => this.tickLoop(life));
  }

  /** Ticks that fell while paused: the host ticks from a monotonic clock, so it catches up. */
  private missedTicks = 0;
  private pausedUntilMs = 0;
  /** Work that arrived while paused (messages, client requests), run in order on resume. */
  private readonly pausedInbox: (() => void)[] = [];

  /**
   * A process pause (GC, SIGSTOP, a slow disk): nothing is processed for `durationMs`; then the
   * missed ticks are delivered first (time passed) and the queued messages after.
   */
  pause(durationMs: number): void {
    if (!this.alive) return;
    this.pausedUntilMs = this.queue.nowMs + durationMs;
    const life = this.incarnation;
    this.queue.after(durationMs, () => {
      if (life !== this.incarnation) return;
      for (let i = 0; i < Math.min(this.missedTicks, 10_000); i++) this.raw.tick();
      this.missedTicks = 0;
      const inbox = this.pausedInbox.splice(0);
      for (const work of inbox) work();
      this.process();
    });
  }

  crash(): void {
    assert.ok(this.alive);
    this.alive = false;
    this.pausedUntilMs = 0;
    this.missedTicks = 0;
    this.pausedInbox.length = 0;
    this.incarnation++;
    this.crashes++;
  }

  restart(): void {
    assert.ok(!this.alive);
    this.alive = true;
    this.boot();
  }

  step(m: Message): void {
    if (!this.alive) return;
    if (this.pausedUntilMs > this.queue.nowMs) {
      if (this.pausedInbox.length < 10_000) this.pausedInbox.push(() => this.raw.step(m));
      return;
    }
    this.raw.step(m);
    this.process();
  }

  /**
   * Runs a client request when the node is running: a paused process handles it only after
   * resuming and catching up its ticks (a lease must not be judged on a stale clock).
   */
  whenRunning(work: () => void): void {
    if (!this.alive) return;
    if (this.pausedUntilMs > this.queue.nowMs) {
      if (this.pausedInbox.length < 10_000) this.pausedInbox.push(work);
      return;
    }
    work();
  }

  /** Runs the host loop: one Ready at a time, the next only after the previous is persisted. */
  process(): void {
    if (!this.alive || this.pausedUntilMs > this.queue.nowMs) return;
    if (this.fsyncPending) {
      if (this.settings.earlyWork) this.processEarlyWork();
      return;
    }
    for (let i = 0; i < 1000 && this.raw.hasReady(); i++) {
      const rd = this.raw.ready();
      if (rd.softState !== undefined && rd.softState.role === 'leader') this.observer.onLeader(this, this.raw.status().term);
      for (const m of rd.messages) this.observer.send(m);
      if (rd.mustSync) {
        // The write reaches the disk cache now but is durable only when the fsync completes;
        // a crash before then loses it (and the messages that depended on it were never sent).
        this.fsyncPending = true;
        // Early work applies what was committed meanwhile: this Ready's committed entries
        // (durable on a quorum) go first, as the real host does.
        if (this.settings.earlyWork) this.applyEntries(rd.committedEntries);
        const life = this.incarnation;
        const delayMs = this.settings.fsyncMinMs + this.prng.next() * (this.settings.fsyncMaxMs - this.settings.fsyncMinMs);
        this.queue.after(delayMs, () => {
          if (life !== this.incarnation) return;
          this.fsyncPending = false;
          this.observer.onFsync(this);
          this.complete(rd);
          this.process();
        });
        return;
      }
      this.complete(rd);
    }
  }

  /** While an fsync is in flight: what raw-node.ts's EarlyWork allows. */
  private processEarlyWork(): void {
    for (let i = 0; i < 100 && this.raw.hasEarlyWork(); i++) {
      const early = this.raw.takeEarlyWork();
      for (const m of early.messages) this.observer.send(m);
      this.applyEntries(early.committedEntries);
      this.readStates.push(...early.readStates);
      this.serveReads();
    }
  }

  private complete(rd: Ready): void {
    this.disk.persist(rd.snapshot, rd.entries, rd.hardState);
    for (const m of rd.messagesAfterPersist) this.observer.send(m);
    if (rd.snapshot !== undefined && rd.snapshot.meta.index > this.kv.appliedIndex) {
      this.kv.restore(rd.snapshot.meta.index, rd.snapshot.data);
      this.observer.onSnapshotRestored(this, rd.snapshot);
    }
    this.applyEntries(rd.committedEntries);
    this.readStates.push(...rd.readStates);
    this.raw.advance();
    if (rd.hardState !== undefined) this.observer.onCommitAdvanced(this);
    this.serveReads();
    this.maybeCompact();
  }

  private applyEntries(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.index <= this.kv.appliedIndex) continue;
      if (entry.index !== this.kv.appliedIndex + 1) throw new SafetyViolation(`node ${this.id} applies ${entry.index} after ${this.kv.appliedIndex}: a gap`);
      let ok = true;
      if (entry.type === 'normal' && entry.data.length > 0) ok = this.kv.apply(entry.index, decodeCommand(entry.data));
      else this.kv.skip(entry.index);
      this.observer.onApplied(this, entry, ok);
    }
  }

  private serveReads(): void {
    if (this.readStates.length === 0) return;
    const waiting: ReadState[] = [];
    for (const rs of this.readStates) {
      if (rs.index <= this.kv.appliedIndex) this.observer.onRead(this, rs.context, (key) => this.kv.read(key));
      else waiting.push(rs);
    }
    this.readStates = waiting;
  }

  private maybeCompact(): void {
    const storage = this.disk.storage;
    const applied = this.raw.status().applied;
    if (applied - storage.firstIndex() < this.settings.snapshotEveryEntries || applied <= storage.snapshot().meta.index) return;
    // Applied early, not yet on this disk: a snapshot waits until the log reaches it.
    if (applied > storage.lastIndex()) return;
    assert.equal(applied, this.kv.appliedIndex, 'Raft and the state machine agree on the applied index');
    // Keep a few entries so a slightly lagging follower still gets appends, not a snapshot.
    storage.createSnapshot(applied, this.raw.status().confState, this.kv.snapshot());
    storage.compact(Math.max(storage.firstIndex(), applied - 5));
  }

  storage(): MemoryStorage {
    return this.disk.storage;
  }
}
