// A synchronous in-memory cluster for Raft unit tests (like etcd's `network` test helper):
// messages are delivered at once unless a link is cut, every Ready is persisted to a
// MemoryStorage and applied, and each step can be inspected.

import assert from 'node:assert/strict';
import { bootstrapStorage, MemoryStorage, RawNode } from '../src/raft/index.js';
import type { ConfState, Entry, Message, NodeId, RaftConfig, ReadState } from '../src/raft/index.js';
import { Prng } from './prng.js';

export interface HarnessNode {
  readonly id: NodeId;
  node: RawNode;
  storage: MemoryStorage;
  applied: Entry[];
  readStates: ReadState[];
}

export type NodeOptions = Partial<Omit<RaftConfig, 'id' | 'group' | 'storage' | 'random'>>;

export class Harness {
  readonly nodes = new Map<NodeId, HarnessNode>();
  /** Directed links that drop everything: "from->to". */
  readonly cut = new Set<string>();
  /** Every message delivered, for assertions on traffic. */
  readonly delivered: Message[] = [];
  /** When set, messages are held here instead of delivered. */
  hold: Message[] | undefined = undefined;
  private readonly prng: Prng;

  constructor(voters: readonly NodeId[], readonly options: NodeOptions = {}, seed = 1, learners: readonly NodeId[] = []) {
    this.prng = new Prng(seed);
    for (const id of [...voters, ...learners]) this.add(id, { voters, learners });
  }

  /** A founding member (bootstrapped with `conf`), or with an empty conf a node joining later. */
  add(id: NodeId, conf: ConfState, options: NodeOptions = {}): HarnessNode {
    const storage = conf.voters.length > 0 ? bootstrapStorage(conf.voters, conf.learners) : new MemoryStorage(conf);
    const h: HarnessNode = { id, node: this.newNode(id, storage, options), storage, applied: [], readStates: [] };
    this.nodes.set(id, h);
    return h;
  }

  private newNode(id: NodeId, storage: MemoryStorage, options: NodeOptions): RawNode {
    return new RawNode({ electionTicks: 10, heartbeatTicks: 1, ...this.options, ...options, id, group: 1, storage, random: this.prng.fork() });
  }

  get(id: NodeId): HarnessNode {
    const h = this.nodes.get(id);
    assert.ok(h !== undefined, `no node ${id}`);
    return h;
  }

  /** Restart from the durable state only (everything in a Ready is persisted before advance). */
  restart(id: NodeId, options: NodeOptions = {}): void {
    const h = this.get(id);
    h.node = this.newNode(id, h.storage, options);
    h.applied = [];
    h.readStates = [];
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}->${other}`);
      this.cut.add(`${other}->${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  campaign(id: NodeId): void {
    this.stabilize(); // apply the bootstrap membership first
    this.get(id).node.campaign();
    this.stabilize();
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.get(id).node.tick();
      this.stabilize();
    }
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const h of this.nodes.values()) h.node.tick();
      this.stabilize();
    }
  }

  leader(): NodeId | undefined {
    const leaders = [...this.nodes.values()].filter((h) => h.node.status().role === 'leader');
    if (leaders.length === 0) return undefined;
    return leaders.reduce((a, b) => (a.node.status().term >= b.node.status().term ? a : b)).id;
  }

  /** Processes Readies and delivers messages until nothing is left to do. */
  stabilize(): void {
    for (let round = 0; round < 10_000; round++) {
      const outbox: Message[] = [];
      let progressed = false;
      for (const h of this.nodes.values()) {
        if (!h.node.hasReady()) continue;
        progressed = true;
        const rd = h.node.ready();
        if (rd.snapshot !== undefined) h.storage.applySnapshot(rd.snapshot);
        h.storage.append(rd.entries);
        if (rd.hardState !== undefined) h.storage.setHardState(rd.hardState);
        outbox.push(...rd.messages, ...rd.messagesAfterPersist);
        h.applied.push(...rd.committedEntries);
        h.readStates.push(...rd.readStates);
        h.node.advance();
      }
      for (const m of outbox) this.deliver(m);
      if (!progressed && outbox.length === 0) return;
    }
    assert.fail('the cluster did not stabilise within 10000 rounds');
  }

  deliver(m: Message): void {
    if (this.cut.has(`${m.from}->${m.to}`)) return;
    if (this.hold !== undefined) {
      this.hold.push(m);
      return;
    }
    const target = this.nodes.get(m.to);
    if (target === undefined) return;
    this.delivered.push(m);
    target.node.step(m);
  }

  propose(id: NodeId, text: string): ReturnType<RawNode['propose']> {
    const result = this.get(id).node.propose(new TextEncoder().encode(text));
    this.stabilize();
    return result;
  }

  /** The texts of the normal, non-empty entries a node applied. */
  appliedTexts(id: NodeId): string[] {
    return this.get(id).applied.filter((e) => e.type === 'normal' && e.data.length > 0).map((e) => new TextDecoder().decode(e.data));
  }
}
