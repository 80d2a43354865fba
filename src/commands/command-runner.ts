// Runs one command against a state machine the way a node does — checks, then apply for a
// write or execute for a read — without a server. For model tests and, later, the simulator.

import assert from 'node:assert/strict';
import type { RespValue } from '../protocol/values.js';
import { seededRandom } from '../engine/seeded-random.js';
import { commandTable } from './command-table.js';
import { WouldBlock } from './command-spec.js';
import type { KeyspaceStateMachine } from './state-machine.js';

export class CommandRunner {
  private index: number;

  constructor(readonly machine: KeyspaceStateMachine, private readonly nowMs: number) {
    this.index = machine.appliedIndex;
  }

  run(args: readonly string[]): RespValue {
    const spec = commandTable.lookup(args[0]);
    assert.ok(spec !== undefined && spec.kind !== 'server', `${args[0]} runs without a server`);
    if (spec.kind === 'read') return spec.execute({ keyspace: this.machine.keyspace, nowMs: this.nowMs, random: seededRandom(this.index) }, args);
    const error = spec.check?.(args);
    if (error !== undefined) return error;
    const result = this.machine.apply(++this.index, { kind: 'command', stampMs: this.nowMs, args });
    assert.ok(!(result instanceof WouldBlock), `${args[0]} would block`);
    return result;
  }
}
