// Routes one parsed command: table lookup, arity, auth, subscribed-mode, MULTI and pause
// checks, then to the read path, the write path (the data group's log) or the server-command
// handlers; and the node-wide services those paths share (blocked clients, WATCH, pub/sub,
// client tracking, slow log, eviction).

import assert from 'node:assert/strict';
import { SimpleString } from '../protocol/values.js';
import type { ErrorReply, RespValue } from '../protocol/values.js';
import { commandTable, arityMatches, commandKeys, findSubcommand } from '../commands/command-table.js';
import { WouldBlock } from '../commands/command-spec.js';
import type { CommandSpec, ReadCommand, ReadContext, WriteCommand } from '../commands/command-spec.js';
import { NOAUTH, errorReply, unknownCommand, unknownSubcommand, wrongArity } from '../commands/errors.js';
import { TRANSACTION_CONTROL } from '../commands/transactions.js';
import { ALLOWED_WHILE_SUBSCRIBED } from '../commands/pubsub.js';
import type { Evictor } from '../cluster/eviction.js';
import type { DataGroup } from '../cluster/host.js';
import { BlockedClients } from './blocking.js';
import { ClientTracking } from './client-tracking.js';
import type { Connection } from './connection.js';
import { Monitors } from './monitors.js';
import { PubSub } from './pubsub.js';
import type { ServerCommandHandlers } from './server-commands.js';
import { Slowlog } from './slowlog.js';
import type { ServerStats } from './stats.js';
import { WatchedKeys } from './watched-keys.js';

const QUEUED = new SimpleString('QUEUED');
const NOT_IN_MULTI = errorReply('ERR Command not allowed inside a transaction');

/** CLIENT PAUSE: which commands wait, and until when. */
interface Pause {
  readonly mode: 'all' | 'write';
  readonly untilMs: number;
  readonly timer: NodeJS.Timeout;
}

export interface DispatcherSettings {
  readonly slowlogLogSlowerThan: number;
  readonly slowlogMaxLen: number;
}

export class Dispatcher {
  private handlers: ServerCommandHandlers | undefined;
  private pause: Pause | undefined;
  readonly blocked: BlockedClients;
  readonly watches: WatchedKeys;
  readonly pubsub = new PubSub();
  readonly monitors = new Monitors();
  readonly tracking: ClientTracking;
  readonly slowlog: Slowlog;

  constructor(
    readonly group: DataGroup,
    readonly stats: ServerStats,
    readonly evictor: Evictor,
    readonly clients: ReadonlyMap<number, Connection>,
    settings: DispatcherSettings,
  ) {
    this.blocked = new BlockedClients(group);
    this.watches = new WatchedKeys(group);
    this.tracking = new ClientTracking(clients);
    group.onApplied = (_index, kind, args, origin) => {
      this.watches.applied(kind, args);
      this.tracking.applied(kind, args, origin);
    };
    this.slowlog = new Slowlog({
      get thresholdMicros() { return settings.slowlogLogSlowerThan; },
      get maxLength() { return settings.slowlogMaxLen; },
    });
  }

  /** Server commands need the dispatcher's server; they are attached once both exist. */
  attach(handlers: ServerCommandHandlers): void {
    this.handlers = handlers;
  }

  /**
   * A command arrived. If replies of this connection are still pending it waits its turn
   * (deferred) unless it is a plain write that may join the log now; the checks that depend
   * on connection state (auth, MULTI, subscribed mode) run when its turn comes, in process().
   */
  dispatch(connection: Connection, args: readonly string[]): void {
    this.stats.commandsProcessed++;
    const spec = commandTable.lookup(args[0]);
    const paused = this.pause !== undefined && spec !== undefined && this.pausedFor(spec);
    const mayOvertake = spec?.kind === 'write' && spec.blocking === undefined && connection.writesMayOvertake;
    if (paused || (connection.mustDefer && !mayOvertake)) {
      // Off the leader a read needs a round trip, so later writes may not overtake it: they
      // would be in the log (and in its result) before it is served.
      connection.defer(spec, args, paused, spec?.kind === 'read' && !this.group.isLeader);
      if (spec?.name === 'quit') connection.endInput();
      return;
    }
    this.process(connection, spec, args);
  }

  /** Checks and runs a command whose turn it is (nothing of this connection waits ahead of it). */
  process(connection: Connection, spec: CommandSpec | undefined, args: readonly string[]): void {
    connection.beginCommand();
    if (spec === undefined) return this.reject(connection, unknownCommand(args));
    if (!arityMatches(spec.arity, args.length)) return this.reject(connection, wrongArity(spec.name), spec);
    // Errors name a subcommand in full ('pubsub|numsub'), as Redis's fullname.
    let fullName = spec.name;
    if (spec.subcommands !== undefined && args.length > 1) {
      const sub = findSubcommand(spec, args[1]);
      if (sub === undefined) return this.reject(connection, unknownSubcommand(args[1], spec.name));
      if (!arityMatches(sub.arity, args.length)) return this.reject(connection, wrongArity(sub.name));
      fullName = sub.name;
    }
    if (!connection.authenticated && !spec.flags.includes('no_auth')) return this.reject(connection, NOAUTH, spec);
    if (connection.inSubscribedMode && !ALLOWED_WHILE_SUBSCRIBED.has(spec.name)) {
      return this.reject(connection, errorReply(`ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`), spec);
    }
    if (connection.transaction !== undefined && !TRANSACTION_CONTROL.has(spec.name)) {
      if (spec.flags.includes('no_multi')) return this.reject(connection, NOT_IN_MULTI);
      connection.transaction.queued.push({ spec, args });
      return connection.reply(QUEUED);
    }
    this.run(connection, spec, args);
  }

  /** As Redis shows them: a transaction's commands when EXEC runs them, then the EXEC. */
  private showMonitors(connection: Connection, spec: CommandSpec, args: readonly string[], transaction: Connection['transaction']): void {
    if (spec.name === 'exec' && transaction !== undefined && !transaction.failed) {
      for (const queued of transaction.queued) this.monitors.feed(connection, queued.spec, queued.args);
    }
    this.monitors.feed(connection, spec, args);
  }

  /**
   * An error before a command could run; inside MULTI it also dooms the transaction (EXECABORT).
   * A refused EXEC ends the transaction there and then, with the reason (Redis's execCommandAbort).
   */
  private reject(connection: Connection, error: ErrorReply, spec?: CommandSpec): void {
    if (spec?.name === 'exec') {
      connection.transaction = undefined;
      this.watches.unwatchAll(connection);
      return connection.reply(errorReply(`EXECABORT Transaction discarded because of: ${error.message.replace(/^ERR /, '')}`));
    }
    if (connection.transaction !== undefined) connection.transaction.failed = true;
    connection.reply(error);
  }

  private run(connection: Connection, spec: CommandSpec, args: readonly string[]): void {
    connection.lastCommand = spec.name;
    // A server command is shown once it ran (as Redis shows every command): RESET or MONITOR
    // decide first whether this connection itself still watches.
    if (this.monitors.active && spec.kind !== 'server') this.showMonitors(connection, spec, args, undefined);
    const startedMs = performance.now();
    switch (spec.kind) {
      case 'read': {
        if (connection.staleReads || this.group.readableNow()) {
          connection.reply(this.read(connection, spec, args));
          break;
        }
        // Not known to be current: confirm leadership (ReadIndex) or ask the leader how far to
        // catch up; later commands of this connection wait their turn behind the answer.
        const answer = connection.reserveReply(true);
        this.group.read((refusal) => answer(refusal ?? this.read(connection, spec, args)));
        break;
      }
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
        assert.ok(this.handlers !== undefined, 'server commands are attached before the node listens');
        const transaction = connection.transaction;
        this.handlers.execute(connection, spec, args);
        if (this.monitors.active) this.showMonitors(connection, spec, args, transaction);
        break;
      }
    }
    this.slowlog.record(args, (performance.now() - startedMs) * 1000, connection);
  }

  private read(connection: Connection, spec: ReadCommand, args: readonly string[]): RespValue {
    const reply = spec.execute(this.readContext(), args);
    if (this.evictor.tracking || connection.tracking !== undefined) this.afterRead(connection, spec, args);
    return reply;
  }

  private afterRead(connection: Connection, spec: CommandSpec, args: readonly string[]): void {
    const keys = commandKeys(spec, args);
    if (this.evictor.tracking) this.evictor.recordAccess(keys);
    if (connection.tracking !== undefined) this.tracking.afterRead(connection, keys);
  }

  private propose(connection: Connection, spec: WriteCommand, args: readonly string[]): void {
    const answer = connection.reserveReply();
    this.group.propose('command', args, (result, applyMicros) => {
      this.slowlog.record(args, applyMicros, connection);
      if (!(result instanceof WouldBlock)) return answer(result);
      assert.ok(spec.blocking !== undefined, `${spec.name} returned WouldBlock but does not block`);
      this.blocked.park(connection, spec, result.retryArgs ?? args, spec.blocking.timeoutMs(args), answer);
    }, { origin: connection.id });
    // Only a write that may grow memory ('denyoom') can add what a blocked client waits for.
    if (this.blocked.count > 0 && spec.flags.includes('denyoom')) this.blocked.serveBehind(commandKeys(spec, args));
  }

  readContext(): ReadContext {
    return { keyspace: this.group.machine.keyspace, nowMs: this.group.nowMs(), random: Math.random };
  }

  /** CLIENT PAUSE: commands that would wait now wait until then or CLIENT UNPAUSE. A pause
   * already in force is never shortened or weakened by a new one (as in Redis). */
  pauseClients(mode: Pause['mode'], durationMs: number): void {
    const untilMs = Math.max(Date.now() + durationMs, this.pause?.untilMs ?? 0);
    const effectiveMode = this.pause?.mode === 'all' ? 'all' : mode;
    if (this.pause !== undefined) clearTimeout(this.pause.timer);
    const timer = setTimeout(() => this.unpauseClients(), untilMs - Date.now());
    this.pause = { mode: effectiveMode, untilMs, timer };
  }

  unpauseClients(): void {
    if (this.pause === undefined) return;
    clearTimeout(this.pause.timer);
    this.pause = undefined;
    for (const connection of this.clients.values()) connection.releasePaused();
  }

  get pausedUntilMs(): number {
    return this.pause?.untilMs ?? 0;
  }

  private pausedFor(spec: CommandSpec): boolean {
    if (this.pause === undefined) return false;
    return this.pause.mode === 'all' || (spec.kind === 'write' && !spec.flags.includes('readonly')) || spec.flags.includes('may_replicate');
  }
}
