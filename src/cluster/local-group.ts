// A data group of one voter: the write path the replicated group will keep
// (propose → log append → group-commit fsync → apply → reply), minus the replication.
//
// Proposals made during one event-loop turn share one WAL write and one fsync. Entries are
// applied strictly in log order once durable, and each proposer's callback runs synchronously
// right after its own entry is applied, before the next entry: a connection can therefore run
// the commands it pipelined behind a write against exactly the state that write produced.

import assert from 'node:assert/strict';
import { ErrorReply } from '../protocol/values.js';
import { KeyspaceStateMachine } from '../commands/state-machine.js';
import { encodeLogCommand } from '../commands/log-entry.js';
import type { LogCommand, LogCommandKind } from '../commands/log-entry.js';
import type { ApplyResult } from '../commands/command-spec.js';
import type { WriteAheadLog } from '../storage/wal.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';
import type { Logger } from '../logger.js';

/** The term written for every entry of a single-voter group (Raft terms start at 1). */
const SINGLE_VOTER_TERM = 1;

/** Runs right after the entry is applied, with the reply and how long apply took. */
export type ApplyCallback = (result: ApplyResult, applyMicros: number) => void;

interface Proposal {
  readonly kind: LogCommandKind;
  readonly args: readonly string[];
  readonly onApplied: ApplyCallback;
  readonly gate: ProposalGate | undefined;
  readonly origin: number | undefined;
}

/**
 * Decides, when the proposal takes its place in the log, whether it goes in at all: a reply
 * means "answer this instead and log nothing" (an EXEC whose watched keys changed).
 */
export type ProposalGate = () => ApplyResult | undefined;

export interface ProposeOptions {
  /** Go ahead of the proposals waiting for the next write (serving blocked clients). */
  readonly urgent?: boolean;
  readonly gate?: ProposalGate;
  /** The client connection that asked, for hooks that care (tracking's NOLOOP). */
  readonly origin?: number;
}

interface Entry {
  readonly index: number;
  readonly command: LogCommand;
  readonly onApplied: ApplyCallback;
  readonly origin: number | undefined;
}

export interface LocalGroupOptions {
  readonly groupId: number;
  readonly wal: WriteAheadLog;
  readonly snapshots: SnapshotStore;
  readonly machine: KeyspaceStateMachine;
  /** Take a snapshot (and compact the WAL) once this many log bytes accumulated. */
  readonly snapshotAfterLogBytes: number;
  readonly logger: Logger;
  /** The clock stamped into entries; injectable so tests and the simulator control time. */
  readonly clock?: () => number;
}

export class LocalGroup {
  readonly groupId: number;
  readonly machine: KeyspaceStateMachine;
  private readonly wal: WriteAheadLog;
  private readonly snapshots: SnapshotStore;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly snapshotAfterLogBytes: number;
  private lastIndex: number;
  private lastStampMs = 0;
  private pending: Proposal[] = [];
  /** Proposals that go ahead of `pending` (serving blocked clients right after a push). */
  private urgent: Proposal[] = [];
  /** Told, after each applied entry, which keys it signalled ready for blocked clients. */
  onKeysReady: ((keys: ReadonlySet<string>) => void) | undefined;
  /** Told of every proposal as it takes its final place in the log (WATCH tracking). */
  onOrdered: ((kind: LogCommandKind, args: readonly string[]) => void) | undefined;
  /** Told of every entry right after it is applied (client-side caching invalidation). */
  onApplied: ((kind: LogCommandKind, args: readonly string[], origin: number | undefined) => void) | undefined;
  private flushScheduled = false;
  private inFlightFlushes = 0;
  private latestFlush: Promise<void> = Promise.resolve();
  private snapshotInProgress: Promise<void> | undefined;
  private failure: ErrorReply | undefined;
  private lastSnapshotAtMs = 0;

  constructor(options: LocalGroupOptions) {
    this.groupId = options.groupId;
    this.wal = options.wal;
    this.snapshots = options.snapshots;
    this.machine = options.machine;
    this.logger = options.logger;
    this.clock = options.clock ?? Date.now;
    this.snapshotAfterLogBytes = options.snapshotAfterLogBytes;
    this.lastIndex = this.machine.appliedIndex;
  }

  /** The time reads are served at: never behind the stamp of an applied entry. */
  nowMs(): number {
    const now = this.clock();
    return now > this.lastStampMs ? now : this.lastStampMs;
  }

  get appliedIndex(): number {
    return this.machine.appliedIndex;
  }

  get pendingCount(): number {
    return this.lastIndex - this.machine.appliedIndex + this.pending.length + this.urgent.length;
  }

  get lastSaveMs(): number {
    return this.lastSnapshotAtMs;
  }

  /**
   * Appends a command to the log; `onApplied` runs right after it is applied. Indexes and time
   * stamps are assigned when the batch is written, so an `urgent` proposal can still go ahead
   * of the proposals that are waiting for the next write.
   */
  propose(kind: LogCommandKind, args: readonly string[], onApplied: ApplyCallback, options: ProposeOptions = {}): void {
    if (this.failure !== undefined) return onApplied(this.failure, 0);
    (options.urgent === true ? this.urgent : this.pending).push({ kind, args, onApplied, gate: options.gate, origin: options.origin });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.latestFlush = this.flush();
      });
    }
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const stampMs = this.nowMs();
    this.lastStampMs = stampMs;
    const batch: Entry[] = [];
    const refused: Array<[Proposal, ApplyResult]> = [];
    for (const proposal of [...this.urgent, ...this.pending]) {
      const refusal = proposal.gate?.();
      if (refusal !== undefined) {
        refused.push([proposal, refusal]);
        continue;
      }
      this.onOrdered?.(proposal.kind, proposal.args);
      const command: LogCommand = { kind: proposal.kind, stampMs, args: proposal.args };
      const index = ++this.lastIndex;
      this.wal.append({ kind: 'entry', group: this.groupId, term: SINGLE_VOTER_TERM, index, data: encodeLogCommand(command) });
      batch.push({ index, command, onApplied: proposal.onApplied, origin: proposal.origin });
    }
    this.urgent = [];
    this.pending = [];
    for (const [proposal, refusal] of refused) proposal.onApplied(refusal, 0);
    this.inFlightFlushes++;
    try {
      await this.wal.flush();
    } catch (error) {
      this.fail(error, batch);
      return;
    } finally {
      this.inFlightFlushes--;
    }
    // The WAL completes flushes in the order they were called, so batches apply in log order.
    for (const entry of batch) {
      const startedMs = performance.now();
      const result = this.machine.apply(entry.index, entry.command);
      const applyMicros = (performance.now() - startedMs) * 1000;
      // Group-wide hooks first: the proposer's callback may run its next commands (a WATCH
      // pipelined behind this write must not be broken by this very write).
      this.onApplied?.(entry.command.kind, entry.command.args, entry.origin);
      entry.onApplied(result, applyMicros);
      const ready = this.machine.takeReadyKeys();
      if (ready !== undefined) this.onKeysReady?.(ready);
    }
    this.maybeSnapshot();
  }

  /**
   * A failed log write leaves us unsure what reached the disk: stop accepting writes (the
   * node stays readable) rather than acknowledge anything we cannot promise to keep.
   */
  private fail(error: unknown, batch: readonly Entry[]): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error({ group: this.groupId, err: reason }, 'write-ahead log write failed; group is read-only until restart');
    this.failure = new ErrorReply(`ERR write-ahead log failure, writes refused until restart: ${reason}`);
    const unanswered = [...batch, ...this.urgent, ...this.pending];
    this.urgent = [];
    this.pending = [];
    for (const proposal of unanswered) proposal.onApplied(this.failure, 0);
  }

  private maybeSnapshot(): void {
    if (this.snapshotInProgress !== undefined || this.wal.stats.bytesSinceCompaction < this.snapshotAfterLogBytes) return;
    void this.snapshot();
  }

  /** Writes a snapshot of the applied state and drops the log it covers. */
  snapshot(): Promise<void> {
    if (this.snapshotInProgress !== undefined) return this.snapshotInProgress;
    const { index, chunks } = this.machine.snapshot();
    const startedMs = Date.now();
    const run = async (): Promise<void> => {
      try {
        await this.snapshots.write({ group: this.groupId, index, term: SINGLE_VOTER_TERM }, chunks);
        await this.wal.compact(this.groupId, index);
        this.lastSnapshotAtMs = Date.now();
        this.logger.info({ group: this.groupId, index, durationMs: this.lastSnapshotAtMs - startedMs }, 'snapshot written');
      } finally {
        this.snapshotInProgress = undefined;
      }
    };
    this.snapshotInProgress = run();
    return this.snapshotInProgress;
  }

  /** Waits until every proposal made so far is applied (or refused after a failure). */
  async drain(): Promise<void> {
    const maxRounds = 100;
    for (let round = 0; round < maxRounds && (this.flushScheduled || this.inFlightFlushes > 0); round++) {
      if (this.flushScheduled) await new Promise((resolve) => setImmediate(resolve));
      else await this.latestFlush;
    }
    assert.ok(this.failure !== undefined || this.pendingCount === 0, 'drain left proposals unapplied');
  }
}
