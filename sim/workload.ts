// Clients of a simulated cluster: each runs one operation at a time (write, compare-and-set
// or linearizable read on a few hot keys) against the node it believes serves, follows leader
// hints, and gives up after a timeout. Every operation ends ok, failed (definitely no effect:
// left out of the history) or unknown (timed out, its node crashed, or the node said its fate
// is unknown: it may have happened). How an operation reaches a node is the submitter's job:
// the bare Raft simulation proposes to a RawNode, the host simulation calls the real host.

import type { NodeId } from '../src/raft/index.js';
import type { Operation, OperationInput, Outcome } from './check/history.js';
import type { EventQueue } from './event-queue.js';
import type { Prng } from './prng.js';

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

/** What a client needs of a node: whether it runs, and to run work when it is not paused. */
export interface WorkloadNode {
  readonly id: NodeId;
  readonly alive: boolean;
  whenRunning(work: () => void): void;
}

/** An operation as the client sent it: what the submitter turns into a request. */
export type SubmittedOp = Omit<Operation, 'outcome' | 'returnTime'>;

/** The node's answer, with the leader it named when it refused (0: none known). */
export type Answer = (outcome: Outcome | 'failed', leaderHint?: NodeId) => void;

export interface Submitter<N extends WorkloadNode> {
  submit(op: SubmittedOp, node: N, answer: Answer): void;
}

interface PendingOp {
  readonly op: SubmittedOp;
  done: boolean;
}

export class Workload<N extends WorkloadNode = WorkloadNode> {
  readonly history: Operation[] = [];
  readonly clients: Client[] = [];
  private nextOpId = 1;
  stopAtMs = Infinity;
  okOps = 0;
  failedOps = 0;
  unknownOps = 0;

  constructor(
    readonly settings: WorkloadSettings,
    readonly queue: EventQueue,
    readonly prng: Prng,
    readonly nodes: () => readonly N[],
    private readonly submitter: Submitter<N>,
  ) {
    for (let i = 0; i < settings.clients; i++) this.clients.push(new Client(i + 1, this as Workload));
  }

  start(): void {
    for (const c of this.clients) c.scheduleNext();
  }

  newOpId(): number {
    return this.nextOpId++;
  }

  submit(client: Client, pending: PendingOp, node: N): void {
    this.submitter.submit(pending.op, node, (outcome, leaderHint) => {
      if (leaderHint !== undefined) client.redirect(leaderHint);
      client.respond(pending, outcome);
    });
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
      if (outcome !== 'failed' && outcome.status === 'unknown') {
        this.finishUnknown(pending);
        this.scheduleNext();
        return;
      }
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
