// One client connection: parses its byte stream into commands, runs them in order, and
// writes the replies back with one socket write per batch.
//
// Ordering: writes go through the log and answer when applied; anything the client sent
// after a write that is still in the log waits in `queue` and runs right after that write is
// applied (see cluster/raft-group.ts), so a pipeline observes exactly the states a sequential client
// would. Reads with nothing queued in front of them run at once against applied state.

import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { CommandParser, ProtocolError } from '../protocol/parser.js';
import { ReplyEncoder } from '../protocol/encoder.js';
import type { ProtocolVersion } from '../protocol/encoder.js';
import { ErrorReply } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import type { CommandSpec } from '../commands/command-spec.js';
import type { Dispatcher } from './dispatcher.js';
import type { TrackingOptions } from './client-tracking.js';

/** A reply slot held in order while a write ahead of it is in the log. */
interface Slot {
  reply: RespValue | undefined;
  /** A command that must run only once everything before it has replied. */
  deferred: { readonly spec: CommandSpec | undefined; readonly args: readonly string[] } | undefined;
  /** Held by CLIENT PAUSE until the pause ends. */
  paused: boolean;
  /** A deferred command other than a plain read: later writes may not overtake it. */
  barrier: boolean;
  /** Its reply is dropped, not sent (CLIENT REPLY OFF or SKIP when the command ran). */
  silent: boolean;
}

/** Commands a client may have queued behind unapplied writes before we stop reading from it. */
const MAX_QUEUED_COMMANDS = 1024;
/** Replies to input that are written at once rather than after the turn's reads. */
const FLUSH_AT_ONCE_BYTES = 64 * 1024;
/** Unsent reply bytes past which we stop reading the client's input until it drains. */
const OUTPUT_HIGH_WATER_BYTES = 64 * 1024 * 1024;
/**
 * Unsent bytes past which a subscriber is disconnected (Redis's pubsub hard limit): pushes
 * cannot be paused like replies, so a subscriber that does not read must not grow memory.
 */
export const SUBSCRIBER_OUTPUT_LIMIT_BYTES = 32 * 1024 * 1024;

export class Connection {
  /**
   * Connections with replies waiting to be written once the work in hand is done. One microtask
   * writes them all: Node's queueMicrotask makes an async resource per call, and one turn of the
   * event loop answers tens of clients.
   */
  private static readonly toFlush: Connection[] = [];
  /** A flush after this turn's input is scheduled (see scheduleFlushAfterInput). */
  private static flushAfterInputScheduled = false;

  private static flushAfterInput(this: void): void {
    Connection.flushAfterInputScheduled = false;
    Connection.flushAll();
  }

  private static flushAll(this: void): void {
    const queue = Connection.toFlush;
    // By index: a flush queues no other connection, but the loop would take one if it did.
    for (let i = 0; i < queue.length; i++) {
      queue[i].flushQueued = false;
      queue[i].flush();
    }
    queue.length = 0;
  }

  name = '';
  libName = '';
  libVersion = '';
  protocol: ProtocolVersion = 2;
  authenticated: boolean;
  readonly createdAtMs = Date.now();
  lastInteractionMs = Date.now();
  lastCommand = 'NULL';
  /** Commands queued since MULTI, or undefined outside a transaction. */
  transaction: { readonly queued: Array<{ readonly spec: CommandSpec; readonly args: readonly string[] }>; failed: boolean } | undefined;
  /** WATCHed keys → whether each existed when watched. */
  readonly watched = new Map<string, boolean>();
  watchDirty = false;
  /** CLIENT TRACKING state; cachingNext is the pending CLIENT CACHING yes|no. */
  tracking: (TrackingOptions & { cachingNext: boolean | undefined }) | undefined;
  noEvict = false;
  noTouch = false;
  /** READONLY: reads are served from this node's replica as it stands, without a quorum check. */
  staleReads = false;
  readonly subscriptions = { channel: new Set<string>(), pattern: new Set<string>(), shard: new Set<string>() };
  /** Set while a server command runs inside EXEC: its reply is captured, not sent. */
  private captured: { value: RespValue | undefined } | undefined;
  private readonly parser: CommandParser;
  private readonly encoder = new ReplyEncoder();
  private readonly queue: Slot[] = [];
  /** Deferred slots in `queue` with `barrier` set. */
  private barriers = 0;
  /** The deferred slot whose command is running now: its reply fills that slot in place. */
  private current: Slot | undefined;
  private closing = false;
  private inputEnded = false;
  private flushQueued = false;
  private inputPaused = false;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    private readonly dispatcher: Dispatcher,
    parserOptions: { readonly maxBulkBytes: number; readonly requiresAuth: boolean },
  ) {
    this.authenticated = !parserOptions.requiresAuth;
    this.parser = new CommandParser({ maxBulkBytes: parserOptions.maxBulkBytes, maxMultibulkLength: 2 ** 31 - 1, maxInlineBytes: 64 * 1024 });
    this.parser.unauthenticated = !this.authenticated;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.resumeInput());
  }

  get remoteAddress(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  get localAddress(): string {
    return `${this.socket.localAddress}:${this.socket.localPort}`;
  }

  get queuedCommands(): number {
    return this.queue.length;
  }

  get bufferedInputBytes(): number {
    return this.parser.bufferedBytes;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  setAuthenticated(authenticated: boolean): void {
    this.authenticated = authenticated;
    this.parser.unauthenticated = !authenticated;
  }

  private onData(chunk: Buffer): void {
    this.dispatcher.stats.netInputBytes += chunk.length;
    this.lastInteractionMs = Date.now();
    this.parser.feed(chunk);
    this.processInput();
    this.scheduleFlushAfterInput();
  }

  private processInput(): void {
    while (!this.closing && !this.inputEnded && this.queue.length < MAX_QUEUED_COMMANDS) {
      // A pipeline of large replies (one read can hold thousands of GETs): what there is goes to
      // the socket, and reading stops there until it drains, as for a client that reads slowly.
      if (this.encoder.lengthBytes > OUTPUT_HIGH_WATER_BYTES) {
        this.flush();
        if (this.inputPaused) return;
      }
      let args: string[] | undefined;
      try {
        args = this.parser.next();
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        this.dispatcher.stats.protocolErrors++;
        this.reply(new ErrorReply(`ERR ${error.message}`));
        this.closeAfterReplies();
        return;
      }
      if (args === undefined) break;
      this.dispatcher.dispatch(this, args);
    }
    if (this.queue.length >= MAX_QUEUED_COMMANDS) this.pauseInput();
  }

  /** CLIENT REPLY: OFF drops every reply until ON, SKIP the next command's. */
  private replyMode: 'on' | 'off' = 'on';
  private skipNextReply = false;
  /** The command now running answers into nothing. */
  private silent = false;

  /** A command's turn came: whether its replies are dropped is decided now, as Redis decides. */
  beginCommand(): void {
    this.silent = this.replyMode === 'off' || this.skipNextReply;
    this.skipNextReply = false;
  }

  /** CLIENT REPLY ON|OFF|SKIP (and RESET): OFF and SKIP go unanswered themselves, ON is answered. */
  setReplyMode(mode: 'on' | 'off' | 'skip'): void {
    if (mode === 'on') {
      this.replyMode = 'on';
      this.skipNextReply = false;
      this.silent = false;
      return;
    }
    if (mode === 'off') this.replyMode = 'off';
    else if (this.replyMode === 'on') this.skipNextReply = true;
    this.silent = true;
  }

  /** Answers in order: straight to the output when nothing is queued ahead, else into the queue. */
  reply(value: RespValue): void {
    if (value instanceof ErrorReply) this.dispatcher.stats.errorReplies++;
    if (this.captured !== undefined) {
      this.captured.value = value;
    } else if (this.current !== undefined) {
      this.current.reply = value;
      this.current.silent = this.silent;
      this.current.deferred = undefined;
    } else if (this.queue.length === 0) {
      if (!this.silent) this.encoder.write(value, this.protocol);
    } else this.queue.push({ reply: value, deferred: undefined, paused: false, barrier: false, silent: this.silent });
  }

  get isSubscriber(): boolean {
    const mine = this.subscriptions;
    return mine.channel.size + mine.pattern.size + mine.shard.size > 0;
  }

  /** Whether RESP2 subscribed-mode rules apply (only (un)subscribe, PING, QUIT, RESET). */
  get inSubscribedMode(): boolean {
    return this.protocol === 2 && this.isSubscriber;
  }

  /** Out-of-band data (pub/sub messages): written at once, ahead of replies still queued. */
  push(value: RespValue): void {
    if (this.socket.destroyed) return;
    this.encoder.write(value, this.protocol);
    this.scheduleFlush();
  }

  /** A server command runs inside EXEC: it must answer at once, it cannot wait (WAIT). */
  get capturing(): boolean {
    return this.captured !== undefined;
  }

  /** Runs a synchronously-answering command and returns its reply instead of sending it. */
  capture(run: () => void): RespValue {
    assert.equal(this.captured, undefined, 'captures do not nest');
    const captured: { value: RespValue | undefined } = { value: undefined };
    this.captured = captured;
    try {
      run();
    } finally {
      this.captured = undefined;
    }
    assert.ok(captured.value !== undefined, 'a captured command answers synchronously');
    return captured.value;
  }

  /** Whether a command must wait for earlier writes of this connection to apply. */
  get mustDefer(): boolean {
    return this.queue.length > 0;
  }

  /** `ordered`: even a read must keep later writes behind it (it cannot be answered at once). */
  defer(spec: CommandSpec | undefined, args: readonly string[], paused: boolean, ordered = false): void {
    const barrier = paused || ordered || spec?.kind !== 'read';
    if (barrier) this.barriers++;
    this.queue.push({ reply: undefined, deferred: { spec, args }, paused, barrier, silent: false });
  }

  /**
   * Whether a write may be proposed now although replies are queued ahead of it: yes unless a
   * deferred non-read is ahead. Log order then equals arrival order, and each deferred read
   * still runs right after the write before it is applied, so pipelined writes share batches.
   */
  get writesMayOvertake(): boolean {
    return this.barriers === 0;
  }

  /** CLIENT PAUSE ended: commands held by it run now, in order. */
  releasePaused(): void {
    let released = false;
    for (const slot of this.queue) {
      released ||= slot.paused;
      slot.paused = false;
    }
    if (!released) return;
    this.runQueue();
    this.flush();
  }

  /**
   * Reserves the position of a reply that comes later (a write being applied); call the result
   * with it. `ordered`: later writes wait until it is given (a read confirming it is current).
   */
  reserveReply(ordered = false): (reply: RespValue) => void {
    let slot = this.current;
    if (slot !== undefined) slot.deferred = undefined;
    else {
      slot = { reply: undefined, deferred: undefined, paused: false, barrier: false, silent: false };
      this.queue.push(slot);
    }
    slot.silent = this.silent;
    if (ordered) {
      slot.barrier = true;
      this.barriers++;
    }
    const reserved = slot;
    return (reply) => {
      assert.equal(reserved.reply, undefined, 'a reserved reply is given once');
      if (reserved.barrier) {
        reserved.barrier = false;
        this.barriers--;
      }
      if (reply instanceof ErrorReply) this.dispatcher.stats.errorReplies++;
      reserved.reply = reply;
      this.runQueue();
      this.scheduleFlush();
    };
  }

  private runQueue(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      const deferred = head.deferred;
      if (head.paused) return;
      if (deferred !== undefined) {
        // Nothing is ahead of it now: it answers into its own slot, at once or by reservation.
        if (head.barrier) this.barriers--;
        head.barrier = false;
        this.current = head;
        try {
          this.dispatcher.process(this, deferred.spec, deferred.args);
        } finally {
          this.current = undefined;
        }
        assert.equal(head.deferred, undefined, `${deferred.args[0]} neither replied nor reserved a reply`);
        continue;
      }
      if (head.reply === undefined) return;
      this.queue.shift();
      if (!head.silent) this.encoder.write(head.reply, this.protocol);
    }
    if (this.inputPaused) this.resumeInput();
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    if (Connection.toFlush.push(this) === 1) queueMicrotask(Connection.flushAll);
  }

  /**
   * Replies to what a client sent are written once every client readable in this turn of the
   * event loop has been read, as Redis writes them before it sleeps, not one read callback at a
   * time: the clients are woken together. GET went from 128k to 143k/s at pipeline 1 and from
   * 479k to 799k/s at pipeline 16; writes, answered from apply, are unchanged.
   */
  private scheduleFlushAfterInput(): void {
    // Large output goes at once: the socket's backpressure (pauseInput) is judged on what it
    // holds, and libuv may read this client 32 times more in this turn.
    if (this.encoder.lengthBytes >= FLUSH_AT_ONCE_BYTES) return this.flush();
    if (!this.flushQueued) {
      this.flushQueued = true;
      Connection.toFlush.push(this);
    }
    if (Connection.flushAfterInputScheduled) return;
    Connection.flushAfterInputScheduled = true;
    setImmediate(Connection.flushAfterInput);
  }

  flush(): void {
    if (this.encoder.lengthBytes > 0 && !this.socket.destroyed) {
      const bytes = this.encoder.take();
      this.dispatcher.stats.netOutputBytes += bytes.length;
      this.socket.write(bytes);
      if (this.isSubscriber && this.socket.writableLength > SUBSCRIBER_OUTPUT_LIMIT_BYTES) {
        this.dispatcher.stats.outputLimitDisconnections++;
        this.socket.destroy();
        return;
      }
      if (this.socket.writableLength > OUTPUT_HIGH_WATER_BYTES) this.pauseInput();
    }
    if (this.closing && this.queue.length === 0) this.socket.end();
  }

  /** A QUIT waits its turn: like Redis, nothing the client sent after it is run. */
  endInput(): void {
    this.inputEnded = true;
  }

  /** Ends the connection once everything already answered has been written. */
  closeAfterReplies(): void {
    this.closing = true;
    this.scheduleFlush();
  }

  private pauseInput(): void {
    if (this.inputPaused) return;
    this.inputPaused = true;
    this.socket.pause();
  }

  private resumeInput(): void {
    if (!this.inputPaused || this.queue.length >= MAX_QUEUED_COMMANDS || this.socket.writableLength > OUTPUT_HIGH_WATER_BYTES) return;
    this.inputPaused = false;
    this.socket.resume();
    this.processInput();
    this.scheduleFlushAfterInput();
  }
}
