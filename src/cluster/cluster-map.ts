// The meta group's state machine: the cluster map. Which nodes are members, where their peer
// transport and RESP listeners are, and an epoch that grows with every change, so a node can
// tell a newer map from an older one. Replicated like any group: changed only by applying
// committed entries, identical on every replica.

import assert from 'node:assert/strict';
import { OK } from '../protocol/values.js';
import { errorReply } from '../commands/errors.js';
import type { ApplyResult } from '../commands/command-spec.js';
import type { LogCommand } from '../commands/log-entry.js';
import type { ReplicatedMachine } from './replicated-machine.js';

export interface NodeRecord {
  readonly id: number;
  /** host:port of the peer transport. */
  readonly bus: string;
  /** host:port of the RESP listener, once the node has announced it. */
  readonly resp: string;
}

/** The commands the meta group's log holds (as LogCommand args). */
export const MapCommand = {
  addNode: (id: number, bus: string): string[] => ['node.add', String(id), bus],
  announceResp: (id: number, resp: string): string[] => ['node.resp', String(id), resp],
  removeNode: (id: number): string[] => ['node.remove', String(id)],
};

interface MapState {
  epoch: number;
  nodes: NodeRecord[];
  /** Absent in snapshots written before ids were retired. */
  retired?: number[];
}

export class ClusterMap implements ReplicatedMachine {
  private nodesById = new Map<number, NodeRecord>();
  /**
   * Ids of removed nodes, never given out again: a leader cut off before the removal still holds
   * the old node's progress, and what it sends would reach a newcomer under that id as if it
   * held the old node's log (etcd's member ids are never reused for the same reason).
   */
  private retired = new Set<number>();
  private epochValue = 0;
  private appliedIndexValue = 0;

  get appliedIndex(): number {
    return this.appliedIndexValue;
  }

  get epoch(): number {
    return this.epochValue;
  }

  get nodes(): readonly NodeRecord[] {
    return [...this.nodesById.values()].sort((a, b) => a.id - b.id);
  }

  node(id: number): NodeRecord | undefined {
    return this.nodesById.get(id);
  }

  apply(index: number, command: LogCommand): ApplyResult {
    this.skip(index);
    const [verb, idText, address] = command.args;
    const id = Number(idText);
    switch (verb) {
      case 'node.add':
        if (this.nodesById.has(id)) return errorReply(`ERR node ${id} is already a member`);
        if (this.retired.has(id)) return errorReply(`ERR node id ${id} was removed from this cluster; add the node under a new id`);
        this.nodesById.set(id, { id, bus: address, resp: '' });
        break;
      case 'node.resp': {
        const known = this.nodesById.get(id);
        if (known === undefined) return errorReply(`ERR node ${id} is not a member`);
        if (known.resp === address) return OK;
        this.nodesById.set(id, { ...known, resp: address });
        break;
      }
      case 'node.remove':
        if (!this.nodesById.delete(id)) return errorReply(`ERR node ${id} is not a member`);
        this.retired.add(id);
        break;
      default:
        assert.fail(`meta log holds an unknown command: ${verb}`);
    }
    this.epochValue++;
    return OK;
  }

  skip(index: number): void {
    assert.equal(index, this.appliedIndexValue + 1, 'entries are applied in log order without gaps');
    this.appliedIndexValue = index;
  }

  snapshot(): { index: number; chunks: Buffer[] } {
    const state: MapState = { epoch: this.epochValue, nodes: this.nodes.slice(), retired: [...this.retired].sort((a, b) => a - b) };
    return { index: this.appliedIndexValue, chunks: [Buffer.from(JSON.stringify(state))] };
  }

  restore(index: number, data: Buffer): void {
    const state = JSON.parse(data.toString()) as MapState;
    this.epochValue = state.epoch;
    this.nodesById = new Map(state.nodes.map((node) => [node.id, node]));
    this.retired = new Set(state.retired ?? []);
    this.appliedIndexValue = index;
  }
}
