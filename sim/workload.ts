// Clients of the simulated cluster: each runs one operation at a time (write, compare-and-set
// or linearizable read on a few hot keys) against the node it believes leads, follows leader
// hints, and gives up after a timeout. Every operation ends ok, failed (definitely no effect:
// left out of the history) or unknown (timed out or its node crashed: it may have happened).

import type { NodeId } from '../src/raft/index.js';
import type { Operation, OperationInput, Outcome } from './check/history.js';
import type { EventQueue } from './event-queue.js';
import { encodeCommand } from './kv-machine.js';
import type { Prng } from './prng.js';
import type { SimNode } from './sim-node.js';

export interface WorkloadSettings {
  readonly clients: number;
  readonly keys: readonly string[];
  readonly thinkMaxMs: number;
  readonly opTimeoutMs: number;
  readonly clientDelayMaxMs: number;
  /** Share of reads, of compare-and-sets; the rest are writes. */
  readonly readShare: number;
  readonly casShare: number;
}

interface PendingOp {
  readonly op: Omit<Operation, 'outcome' | 'returnTime'>;
  done: boolean;
}

interface WriteWaiter {
  readonly pending: PendingOp;
  readonly client: Client;
  readonly term: number;
}

export class Workload {
  readonly history: Operation[] = [];
  readonly clients: Client[] = [];
  private readonly writeWaiters = new Map<string, WriteWaiter>();
  private readonly readWaiters = new Map<string, { pending: PendingOp; client: Client }>();
  private nextOpId = 1;
  stopAtMs = Infinity;
  okOps = 0;
  failedOps = 0;
  unknownOps = 0;

  constructor(
    readonly settings: WorkloadSettings,
    readonly queue: EventQueue,
    readonly prng: Prng,
    readonly nodes: () => readonly SimNode[],
  ) {
    for (let i = 0; i < settings.clients; i++) this.clients.push(new Client(i + 1, this));
  }

  start(): void {
    for (const c of this.clients) c.scheduleNext();
  }

  newOpId(): number {
    return this.nextOpId++;
  }

  /** An entry was applied on a node: a client waiting for (node, index) learns its fate. */
  onApplied(node: SimNode, index: number, term: number, casSucceeded: boolean): void {
    const key = `${node.id}:${index}`;
    const w = this.writeWaiters.get(key);
    if (w === undefined) return;
    this.writeWaiters.delete(key);
    if (w.term !== term) {
      w.client.respond(w.pending, 'failed'); // another entry won that index: ours never commits
    } else if (w.pending.op.input.kind === 'cas') {
      w.client.respond(w.pending, { status: 'ok', succeeded: casSucceeded });
    } else {
      w.client.respond(w.pending, { status: 'ok' });
    }
  }

  onRead(node: SimNode, context: number, value: (key: string) => string | null): void {
    const key = `${node.id}:${context}`;
    const r = this.readWaiters.get(key);
    if (r === undefined) return;
    this.readWaiters.delete(key);
    r.client.respond(r.pending, { status: 'ok', value: value(r.pending.op.key) });
  }

  /** A node crashed: what it promised is forgotten; its clients will time out (unknown). */
  onCrash(node: SimNode): void {
    for (const key of [...this.writeWaiters.keys()]) if (key.startsWith(`${node.id}:`)) this.writeWaiters.delete(key);
    for (const key of [...this.readWaiters.keys()]) if (key.startsWith(`${node.id}:`)) this.readWaiters.delete(key);
  }

  submit(client: Client, pending: PendingOp, node: SimNode): void {
    const { input } = pending.op;
    if (input.kind === 'read') {
      const r = node.raw.readIndex(pending.op.id);
      if (!r.accepted) {
        client.redirect(r.leader);
        client.respond(pending, 'failed');
        return;
      }
      this.readWaiters.set(`${node.id}:${pending.op.id}`, { pending, client });
    } else {
      const cmd = input.kind === 'write' ? { t: 'w' as const, k: pending.op.key, v: input.value } : { t: 'c' as const, k: pending.op.key, e: input.expect, v: input.value };
      const r = node.raw.propose(encodeCommand(cmd));
      if (!r.accepted) {
        client.redirect(r.leader);
        client.respond(pending, 'failed');
        return;
      }
      this.writeWaiters.set(`${node.id}:${r.index}`, { pending, client, term: r.term });
    }
    node.process();
  }

  record(pending: PendingOp, outcome: Outcome, returnTime: number): void {
    this.history.push({ ...pending.op, outcome, returnTime });
  }

  /** Operations still pending at the end of the run are unknown. */
  finish(): void {
    for (const c of this.clients) c.abandon();
  }
}

export class Client {
  private target: NodeId;
  private current: PendingOp | undefined = undefined;
  private seq = 0;

  constructor(readonly id: number, private readonly w: Workload) {
    this.target = 1;
  }

  scheduleNext(): void {
    const { queue, prng, settings } = this.w;
    queue.after(prng.next() * settings.thinkMaxMs, () => this.begin());
  }

  redirect(leader: NodeId): void {
    const nodes = this.w.nodes();
    this.target = leader !== 0 ? leader : this.w.prng.pick(nodes).id;
  }

  private begin(): void {
    const { queue, prng, settings } = this.w;
    if (queue.nowMs >= this.w.stopAtMs) return;
    const key = prng.pick(settings.keys);
    const roll = prng.next();
    this.seq++;
    let input: OperationInput;
    if (roll < settings.readShare) input = { kind: 'read' };
    else if (roll < settings.readShare + settings.casShare) input = { kind: 'cas', expect: prng.chance(0.3) ? null : `c${prng.between(1, settings.clients)}-${prng.between(Math.max(1, this.seq - 6), this.seq)}`, value: `c${this.id}-${this.seq}` };
    else input = { kind: 'write', value: `c${this.id}-${this.seq}` };
    const pending: PendingOp = { op: { id: this.w.newOpId(), client: this.id, key, input, callTime: queue.nowMs }, done: false };
    this.current = pending;
    const target = this.target;
    queue.after(prng.next() * settings.clientDelayMaxMs, () => {
      const node = this.w.nodes().find((n) => n.id === target);
      if (node === undefined || !node.alive) {
        this.redirect(0);
        this.respond(pending, 'failed');
        return;
      }
      node.whenRunning(() => this.w.submit(this, pending, node));
    });
    queue.after(settings.opTimeoutMs, () => {
      if (pending.done) return;
      this.finishUnknown(pending);
      this.redirect(0);
      this.scheduleNext();
    });
  }

  /** The node's answer travels back to the client. */
  respond(pending: PendingOp, outcome: Outcome | 'failed'): void {
    const { queue, prng, settings } = this.w;
    queue.after(prng.next() * settings.clientDelayMaxMs, () => {
      if (pending.done) return;
      pending.done = true;
      this.current = undefined;
      if (outcome === 'failed') this.w.failedOps++;
      else {
        this.w.okOps++;
        this.w.record(pending, outcome, queue.nowMs);
      }
      this.scheduleNext();
    });
  }

  private finishUnknown(pending: PendingOp): void {
    pending.done = true;
    this.current = undefined;
    this.w.unknownOps++;
    // A read with no answer had no effect: it needs no place in the history.
    if (pending.op.input.kind !== 'read') this.w.record(pending, { status: 'unknown' }, Infinity);
  }

  abandon(): void {
    if (this.current !== undefined && !this.current.done) this.finishUnknown(this.current);
  }
}
