// Routes one parsed command: table lookup, arity and auth checks, then to the read path,
// the write path (the data group's log) or the server-command handlers.

import assert from 'node:assert/strict';
import { commandTable, arityMatches, commandKeys, findSubcommand } from '../commands/command-table.js';
import type { Evictor } from '../cluster/eviction.js';
import { WouldBlock } from '../commands/command-spec.js';
import type { CommandSpec, ReadContext, WriteCommand } from '../commands/command-spec.js';
import { parseTimeoutMs } from '../commands/lists.js';
import { BlockedClients } from './blocking.js';
import { NOAUTH, errorReply, unknownCommand, unknownSubcommand, wrongArity } from '../commands/errors.js';
import { TRANSACTION_CONTROL } from '../commands/transactions.js';
import { ALLOWED_WHILE_SUBSCRIBED } from '../commands/pubsub.js';
import { SimpleString } from '../protocol/values.js';
import type { ErrorReply } from '../protocol/values.js';
import { WatchedKeys } from './watched-keys.js';
import { PubSub } from './pubsub.js';
import type { LocalGroup } from '../cluster/local-group.js';
import type { Connection } from './connection.js';
import type { ServerStats } from './stats.js';
import type { ServerCommandHandlers } from './server-commands.js';

const QUEUED = new SimpleString('QUEUED');
const NOT_IN_MULTI = errorReply('ERR Command not allowed inside a transaction');

export class Dispatcher {
  private handlers: ServerCommandHandlers | undefined;
  readonly blocked: BlockedClients;
  readonly watches: WatchedKeys;
  readonly pubsub = new PubSub();

  constructor(
    readonly group: LocalGroup,
    readonly stats: ServerStats,
    readonly evictor: Evictor,
  ) {
    this.blocked = new BlockedClients(group);
    this.watches = new WatchedKeys(group);
  }

  /** Server commands need the dispatcher's server; they are attached once both exist. */
  attach(handlers: ServerCommandHandlers): void {
    this.handlers = handlers;
  }

  dispatch(connection: Connection, args: string[]): void {
    this.stats.commandsProcessed++;
    const spec = commandTable.lookup(args[0]);
    if (spec === undefined) return this.reject(connection, unknownCommand(args));
    if (!arityMatches(spec.arity, args.length)) return this.reject(connection, wrongArity(spec.name));
    if (!connection.authenticated && !spec.flags.includes('no_auth')) return this.reject(connection, NOAUTH);
    if (spec.kind === 'server' && spec.subcommands !== undefined && args.length > 1) {
      const sub = findSubcommand(spec, args[1]);
      if (sub === undefined) return this.reject(connection, unknownSubcommand(args[1], spec.name));
      if (!arityMatches(sub.arity, args.length)) return this.reject(connection, wrongArity(sub.name));
    }
    if (connection.inSubscribedMode && !ALLOWED_WHILE_SUBSCRIBED.has(spec.name)) {
      return this.reject(connection, errorReply(`ERR Can't execute '${spec.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`));
    }
    if (connection.transaction !== undefined && !TRANSACTION_CONTROL.has(spec.name)) {
      if (spec.flags.includes('no_multi')) return this.reject(connection, NOT_IN_MULTI);
      connection.transaction.queued.push({ spec, args });
      return connection.reply(QUEUED);
    }
    if (connection.mustDefer) return connection.defer(spec, args);
    this.run(connection, spec, args);
  }

  /** An error before a command could run; inside MULTI it also dooms the transaction (EXECABORT). */
  private reject(connection: Connection, error: ErrorReply): void {
    if (connection.transaction !== undefined) connection.transaction.failed = true;
    connection.reply(error);
  }

  /** Runs a checked command whose turn it is (nothing of this connection is queued ahead). */
  run(connection: Connection, spec: CommandSpec, args: readonly string[]): void {
    connection.lastCommand = spec.name;
    switch (spec.kind) {
      case 'read':
        if (this.evictor.tracking) this.evictor.recordAccess(commandKeys(spec, args));
        return connection.reply(spec.execute(this.readContext(), args));
      case 'write': {
        const error = spec.check?.(args);
        if (error !== undefined) return connection.reply(error);
        if (spec.flags.includes('denyoom')) {
          const outOfMemory = this.evictor.makeRoom();
          if (outOfMemory !== undefined) return connection.reply(outOfMemory);
        }
        if (this.evictor.tracking) this.evictor.recordAccess(commandKeys(spec, args));
        return this.propose(connection, spec, args);
      }
      case 'server': {
        if (this.handlers === undefined) throw new Error('dispatcher used before server commands were attached');
        return this.handlers.execute(connection, spec, args);
      }
    }
  }

  private propose(connection: Connection, spec: WriteCommand, args: readonly string[]): void {
    const answer = connection.reserveReply();
    this.group.propose('command', args, (result) => {
      if (!(result instanceof WouldBlock)) return answer(result);
      assert.ok(spec.blocking !== undefined, `${spec.name} returned WouldBlock but does not block`);
      const timeoutMs = parseTimeoutMs(args[spec.blocking.timeoutIndex(args)]);
      assert.ok(typeof timeoutMs === 'number', 'blocking timeout was checked before proposing');
      this.blocked.park(connection, spec, args, timeoutMs, answer);
    });
  }

  readContext(): ReadContext {
    return { keyspace: this.group.machine.keyspace, nowMs: this.group.nowMs(), random: Math.random };
  }
}
