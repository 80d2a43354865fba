// Clients parked by blocking commands (BLPOP, BLMOVE, BZPOPMIN ...), in FIFO order per key.
//
// A blocking command first runs as an ordinary log entry; if it finds nothing it returns
// WouldBlock and the client is parked here. When an applied entry signals one of its keys
// ready, the longest-waiting client on that key has its command proposed again, ahead of the
// proposals already waiting for the next log write (as Redis serves blocked clients before
// the next command). A served command that finds nothing (another client was faster) leaves
// its client parked. A timeout that fires while a retry is in the log waits for its outcome,
// so an element is never popped for a client that was already told it timed out.
//
// A write proposed on this node that may add to a waited-on key does not wait for its apply:
// the waiter it would serve has its command proposed right behind it, so both reach the log
// in one write and one fsync (an XADD and the XREADGROUP it wakes, as Redis serves them in one
// event-loop turn and one AOF write). Such a retry runs before anyone knows the write added
// anything; if the write failed it finds nothing, and the client stays parked.
//
// A retry that meets a key of another type (WRONGTYPE: a sorted set renamed onto a list key)
// leaves its client parked, as Redis keeps a list or sorted-set waiter blocked on a type it
// does not serve. (A stream that goes away answers XREADGROUP with UNBLOCKED instead.)

import assert from 'node:assert/strict';
import type { RespValue } from '../protocol/values.js';
import { WouldBlock } from '../commands/command-spec.js';
import { WRONGTYPE } from '../commands/errors.js';
import type { ApplyResult, WriteCommand } from '../commands/command-spec.js';
import { commandKeys } from '../commands/command-table.js';
import type { DataGroup } from '../cluster/host.js';
import type { Connection } from './connection.js';

interface Waiter {
  readonly connection: Connection;
  readonly spec: WriteCommand;
  readonly args: readonly string[];
  readonly keys: readonly string[];
  readonly answer: (reply: RespValue) => void;
  timer: NodeJS.Timeout | undefined;
  retryInFlight: boolean;
  timedOut: boolean;
}

export class BlockedClients {
  private readonly byKey = new Map<string, Waiter[]>();
  private readonly byConnection = new Map<Connection, Waiter>();

  constructor(private readonly group: DataGroup) {
    group.onKeysReady = (keys) => this.serveWaiters(keys, false);
  }

  get count(): number {
    return this.byConnection.size;
  }

  /** Parks a client whose blocking command found nothing. `timeoutMs` 0 waits forever. */
  park(connection: Connection, spec: WriteCommand, args: readonly string[], timeoutMs: number, answer: (reply: RespValue) => void): void {
    assert.ok(spec.blocking !== undefined, 'only blocking commands are parked');
    assert.ok(!this.byConnection.has(connection), 'a connection blocks on one command at a time');
    const waiter: Waiter = {
      connection, spec, args, keys: [...new Set(commandKeys(spec, args))], answer,
      timer: undefined, retryInFlight: false, timedOut: false,
    };
    for (const key of waiter.keys) {
      const queue = this.byKey.get(key);
      if (queue === undefined) this.byKey.set(key, [waiter]);
      else queue.push(waiter);
    }
    this.byConnection.set(connection, waiter);
    if (timeoutMs > 0) waiter.timer = setTimeout(() => this.timeOut(waiter), timeoutMs);
  }

  /** A closed connection stops waiting (a retry already in the log still applies). */
  forget(connection: Connection): void {
    const waiter = this.byConnection.get(connection);
    if (waiter !== undefined) this.remove(waiter);
  }

  /**
   * A write that may add to `keys` was just proposed here: the waiters it would serve have their
   * commands proposed behind it, into the same log write.
   */
  serveBehind(keys: readonly string[]): void {
    this.serveWaiters(keys, true);
  }

  /**
   * Readers that take nothing are all retried; of the others, the longest waiting. Behind a write,
   * a waiter whose retry is in flight already went for an earlier one: the next in line goes.
   */
  private serveWaiters(keys: Iterable<string>, behindWrite: boolean): void {
    for (const key of keys) {
      const queue = this.byKey.get(key);
      if (queue === undefined) continue;
      let consumerServed = false;
      for (const waiter of [...queue]) {
        if (behindWrite && waiter.retryInFlight) continue;
        const nonConsuming = waiter.spec.blocking?.nonConsuming === true;
        if (!nonConsuming && consumerServed) continue;
        if (!nonConsuming) consumerServed = true;
        if (!waiter.retryInFlight) this.retry(waiter, behindWrite);
      }
    }
  }

  /** Proposes the waiter's command again: behind the write just proposed, or urgently. */
  private retry(waiter: Waiter, behindWrite: boolean): void {
    waiter.retryInFlight = true;
    this.group.propose('retry', waiter.args, (result) => this.retried(waiter, result), behindWrite ? {} : { urgent: true });
  }

  private retried(waiter: Waiter, result: ApplyResult): void {
    waiter.retryInFlight = false;
    if (!(result instanceof WouldBlock) && result !== WRONGTYPE) return this.finish(waiter, result);
    if (waiter.timedOut) return this.finish(waiter, (waiter.spec.blocking as NonNullable<WriteCommand['blocking']>).timeoutReply);
    // Nothing after its ID yet: it waits for the next entry like any parked client.
    if (waiter.spec.blocking?.nonConsuming === true) return;
    // Someone else took it. Keys of this waiter that still hold data get another chance.
    this.serveWaiters(waiter.keys.filter((key) => this.hasData(key)), false);
  }

  private hasData(key: string): boolean {
    const value = this.group.machine.keyspace.get(key, this.group.nowMs());
    return value !== undefined && typeof value !== 'string' && value.size > 0;
  }

  private timeOut(waiter: Waiter): void {
    waiter.timer = undefined;
    if (waiter.retryInFlight) {
      waiter.timedOut = true;
      return;
    }
    this.finish(waiter, (waiter.spec.blocking as NonNullable<WriteCommand['blocking']>).timeoutReply);
  }

  private finish(waiter: Waiter, reply: RespValue): void {
    this.remove(waiter);
    waiter.answer(reply);
  }

  private remove(waiter: Waiter): void {
    if (waiter.timer !== undefined) clearTimeout(waiter.timer);
    waiter.timer = undefined;
    if (this.byConnection.get(waiter.connection) === waiter) this.byConnection.delete(waiter.connection);
    for (const key of waiter.keys) {
      const queue = this.byKey.get(key);
      if (queue === undefined) continue;
      const position = queue.indexOf(waiter);
      if (position !== -1) queue.splice(position, 1);
      if (queue.length === 0) this.byKey.delete(key);
    }
  }
}
