// What a Raft group applies its committed entries to. The data groups apply to the keyspace
// (commands/state-machine.ts), the meta group to the cluster map (cluster-map.ts); both take
// entries in the LogCommand format, stamped by the leader that proposed them.

import type { ApplyResult } from '../commands/command-spec.js';
import type { LogCommand } from '../commands/log-entry.js';

export interface ReplicatedMachine {
  readonly appliedIndex: number;
  /** Applies the entry at `index` (exactly appliedIndex + 1) and returns the proposer's reply. */
  apply(index: number, command: LogCommand): ApplyResult;
  /** Moves past an entry that carries no command (a new leader's empty entry, a membership change). */
  skip(index: number): void;
  snapshot(): { index: number; chunks: Buffer[] };
  restore(index: number, data: Buffer): void;
  /** Keys the entries applied since the last call made ready for blocked clients. */
  takeReadyKeys?(): ReadonlySet<string> | undefined;
}
