// How the bare Raft simulation's clients reach a node: a write is proposed to its RawNode and
// answered when that node applies the entry at the (index, term) it got; a read is a ReadIndex
// answered once the node applied that index.

import type { NodeId } from '../src/raft/index.js';
import { encodeCommand } from './kv-machine.js';
import type { SimNode } from './sim-node.js';
import type { Answer, SubmittedOp, Submitter } from './workload.js';

interface WriteWaiter {
  readonly op: SubmittedOp;
  readonly answer: Answer;
  readonly term: number;
}

export class RawNodeSubmitter implements Submitter<SimNode> {
  private readonly writeWaiters = new Map<string, WriteWaiter>();
  private readonly readWaiters = new Map<string, { readonly op: SubmittedOp; readonly answer: Answer }>();

  submit(op: SubmittedOp, node: SimNode, answer: Answer): void {
    const { input } = op;
    if (input.kind === 'read') {
      const r = node.raw.readIndex(op.id);
      if (!r.accepted) return answer('failed', r.leader);
      this.readWaiters.set(waiterKey(node.id, op.id), { op, answer });
    } else {
      const cmd = input.kind === 'write' ? { t: 'w' as const, k: op.key, v: input.value } : { t: 'c' as const, k: op.key, e: input.expect, v: input.value };
      const r = node.raw.propose(encodeCommand(cmd));
      if (!r.accepted) return answer('failed', r.leader);
      this.writeWaiters.set(waiterKey(node.id, r.index), { op, answer, term: r.term });
    }
    node.process();
  }

  /** An entry was applied on a node: a client waiting for (node, index) learns its fate. */
  onApplied(node: SimNode, index: number, term: number, casSucceeded: boolean): void {
    const key = waiterKey(node.id, index);
    const w = this.writeWaiters.get(key);
    if (w === undefined) return;
    this.writeWaiters.delete(key);
    if (w.term !== term) w.answer('failed'); // another entry won that index: ours never commits
    else if (w.op.input.kind === 'cas') w.answer({ status: 'ok', succeeded: casSucceeded });
    else w.answer({ status: 'ok' });
  }

  onRead(node: SimNode, context: number, value: (key: string) => string | null): void {
    const key = waiterKey(node.id, context);
    const r = this.readWaiters.get(key);
    if (r === undefined) return;
    this.readWaiters.delete(key);
    r.answer({ status: 'ok', value: value(r.op.key) });
  }

  /** A node crashed: what it promised is forgotten; its clients will time out (unknown). */
  onCrash(node: SimNode): void {
    const prefix = `${node.id}:`;
    for (const key of [...this.writeWaiters.keys()]) if (key.startsWith(prefix)) this.writeWaiters.delete(key);
    for (const key of [...this.readWaiters.keys()]) if (key.startsWith(prefix)) this.readWaiters.delete(key);
  }
}

function waiterKey(node: NodeId, id: number): string {
  return `${node}:${id}`;
}
