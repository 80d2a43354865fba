// The replicated state machine of a data group: applies committed log entries to the keyspace,
// in log order, deterministically (time from the entry's stamp, randomness seeded by the
// entry's index), and produces the reply for the client that proposed the entry.

import assert from 'node:assert/strict';

import { Keyspace } from '../engine/keyspace.js';
import { decodeKeyspace, encodeKeyspace } from '../engine/keyspace-snapshot.js';
import { seededRandom } from '../engine/seeded-random.js';
import { commandKeys, commandTable } from './command-table.js';
import { decodeTransaction } from './log-entry.js';
import type { LogCommand } from './log-entry.js';
import { WouldBlock } from './command-spec.js';
import type { ApplyContext, ApplyResult, WriteCommand } from './command-spec.js';
import type { RespValue } from '../protocol/values.js';

export class KeyspaceStateMachine {
  private keyspaceValue = new Keyspace();
  private appliedIndexValue = 0;
  private readyKeys = new Set<string>();
  private readonly signalReady = (key: string): void => {
    this.readyKeys.add(key);
  };
  /** The entry being applied's generator: made only when a command draws (SPOP...), seeded by its index. */
  private entryRandom: (() => number) | undefined;
  private readonly drawRandom = (): number => (this.entryRandom ??= seededRandom(this.appliedIndexValue))();

  get keyspace(): Keyspace {
    return this.keyspaceValue;
  }

  get appliedIndex(): number {
    return this.appliedIndexValue;
  }

  apply(index: number, command: LogCommand): ApplyResult {
    assert.equal(index, this.appliedIndexValue + 1, 'entries are applied in log order without gaps');
    this.appliedIndexValue = index;
    this.entryRandom = undefined;
    const context: ApplyContext = {
      keyspace: this.keyspaceValue,
      nowMs: command.stampMs,
      random: this.drawRandom,
      signalReady: this.signalReady,
      retry: command.kind === 'retry',
    };
    if (command.kind === 'expire') {
      let expired = 0;
      for (const key of command.args) if (this.keyspaceValue.isExpired(key, command.stampMs) && this.keyspaceValue.delete(key)) expired++;
      return expired;
    }
    if (command.kind === 'evict') {
      let evicted = 0;
      for (const key of command.args) if (this.keyspaceValue.delete(key)) evicted++;
      return evicted;
    }
    if (command.kind === 'exec') return decodeTransaction(command.args).map((args) => this.applyInTransaction(context, args));
    const spec = commandTable.lookup(command.args[0]);
    assert.ok(spec !== undefined && spec.kind === 'write', `log holds a non-write command: ${command.args[0]}`);
    // A check that passed when proposed passes again: it depends on the arguments only.
    const error = spec.check?.(command.args);
    if (error !== undefined) return error;
    const result = spec.apply(context, command.args);
    this.refreshBytes(spec, command.args);
    return result;
  }

  /** An entry that carries no command (a new leader's empty entry, a membership change). */
  skip(index: number): void {
    assert.equal(index, this.appliedIndexValue + 1, 'entries are applied in log order without gaps');
    this.appliedIndexValue = index;
  }

  /** Collections change in place: their memory estimate is refreshed after each write. */
  private refreshBytes(spec: WriteCommand, args: readonly string[]): void {
    // A string command replaces whole values, which the keyspace measures as it stores them.
    if (spec.group === 'string') return;
    for (const key of commandKeys(spec, args)) this.keyspaceValue.refreshBytes(key);
  }

  /**
   * One command of an EXEC: reads and writes run here, atomically and in order; a blocking
   * command does not block; connection commands get a null placeholder that the server fills.
   */
  private applyInTransaction(context: ApplyContext, args: readonly string[]): RespValue {
    const spec = commandTable.lookup(args[0]);
    assert.ok(spec !== undefined, `transaction holds an unknown command: ${args[0]}`);
    if (spec.kind === 'server') return null;
    if (spec.kind === 'read') return spec.execute(context, args);
    const result = spec.check?.(args) ?? spec.apply(context, args);
    this.refreshBytes(spec, args);
    if (!(result instanceof WouldBlock)) return result;
    assert.ok(spec.blocking !== undefined, `${spec.name} returned WouldBlock but does not block`);
    return spec.blocking.inTransactionReply !== undefined ? spec.blocking.inTransactionReply : spec.blocking.timeoutReply;
  }

  /** Keys signalled ready by the entries applied since the last call (for blocked clients). */
  takeReadyKeys(): ReadonlySet<string> | undefined {
    // A deleted or replaced stream releases its blocked group readers, as in Redis.
    for (const key of this.keyspaceValue.takeRemovedStreams()) this.readyKeys.add(key);
    if (this.readyKeys.size === 0) return undefined;
    const keys = this.readyKeys;
    this.readyKeys = new Set();
    return keys;
  }

  snapshot(): { index: number; chunks: Buffer[] } {
    return { index: this.appliedIndexValue, chunks: encodeKeyspace(this.keyspaceValue) };
  }

  restore(index: number, data: Buffer): void {
    this.keyspaceValue = decodeKeyspace(data);
    this.appliedIndexValue = index;
  }
}

