// The replicated state machine of a data group: applies committed log entries to the keyspace,
// in log order, deterministically (time from the entry's stamp, randomness seeded by the
// entry's index), and produces the reply for the client that proposed the entry.

import assert from 'node:assert/strict';

import type { RespValue } from '../protocol/values.js';
import { Keyspace } from '../engine/keyspace.js';
import { decodeKeyspace, encodeKeyspace } from '../engine/keyspace-snapshot.js';
import { seededRandom } from '../engine/seeded-random.js';
import { commandTable } from './command-table.js';
import type { LogCommand } from './log-entry.js';

export class KeyspaceStateMachine {
  private keyspaceValue = new Keyspace();
  private appliedIndexValue = 0;

  get keyspace(): Keyspace {
    return this.keyspaceValue;
  }

  get appliedIndex(): number {
    return this.appliedIndexValue;
  }

  apply(index: number, command: LogCommand): RespValue {
    assert.equal(index, this.appliedIndexValue + 1, 'entries are applied in log order without gaps');
    this.appliedIndexValue = index;
    const context = { keyspace: this.keyspaceValue, nowMs: command.stampMs, random: seededRandom(index) };
    if (command.kind === 'expire') {
      let expired = 0;
      for (const key of command.args) if (this.keyspaceValue.isExpired(key, command.stampMs) && this.keyspaceValue.delete(key)) expired++;
      return expired;
    }
    const spec = commandTable.lookup(command.args[0]);
    assert.ok(spec !== undefined && spec.kind === 'write', `log holds a non-write command: ${command.args[0]}`);
    // A check that passed when proposed passes again: it depends on the arguments only.
    const error = spec.check?.(command.args);
    if (error !== undefined) return error;
    return spec.apply(context, command.args);
  }

  snapshot(): { index: number; chunks: Buffer[] } {
    return { index: this.appliedIndexValue, chunks: encodeKeyspace(this.keyspaceValue) };
  }

  restore(index: number, data: Buffer): void {
    this.keyspaceValue = decodeKeyspace(data);
    this.appliedIndexValue = index;
  }
}

