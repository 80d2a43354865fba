// The node's host for its groups: owns the data directory, the shared write-ahead log and the
// snapshot store, recovers each group (latest snapshot + log tail) at start, and drives the
// leader-side timers (active expiry). Today a node hosts one single-voter data group; the
// replicated groups of the cluster plug in here.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyspaceStateMachine } from '../commands/state-machine.js';
import { decodeLogCommand } from '../commands/log-entry.js';
import { WriteAheadLog } from '../storage/wal.js';
import type { FsyncPolicy, RecoveryReport } from '../storage/wal.js';
import { SnapshotStore } from '../storage/snapshot-store.js';
import { lockDataDir } from '../storage/data-dir-lock.js';
import type { Logger } from '../logger.js';
import { LocalGroup } from './local-group.js';
import { ActiveExpiry } from './active-expiry.js';

/** The id of the one data group a single node hosts; the meta group will be 0. */
export const DATA_GROUP_ID = 1;

export interface HostOptions {
  readonly dataDir: string;
  readonly fsync: FsyncPolicy;
  readonly snapshotAfterLogBytes: number;
  readonly activeExpireIntervalMs: number;
  readonly logger: Logger;
}

export class Host {
  private constructor(
    readonly dataGroup: LocalGroup,
    private readonly wal: WriteAheadLog,
    private readonly releaseLock: () => Promise<void>,
    private readonly expiry: ActiveExpiry,
    readonly recovery: RecoveryReport,
    private readonly logger: Logger,
  ) {}

  static async open(options: HostOptions): Promise<Host> {
    const { logger } = options;
    await mkdir(options.dataDir, { recursive: true });
    const releaseLock = await lockDataDir(options.dataDir);
    try {
      const snapshots = new SnapshotStore(join(options.dataDir, 'snapshots'), storageLog(logger));
      const machine = new KeyspaceStateMachine();
      const snapshot = await snapshots.readLatest(DATA_GROUP_ID);
      if (snapshot !== null) machine.restore(snapshot.meta.index, snapshot.data);
      const startedMs = Date.now();
      const { wal, report } = await WriteAheadLog.open({
        dir: join(options.dataDir, 'wal'),
        fsync: options.fsync,
        log: storageLog(logger),
        onRecord: (record) => {
          // Entries already covered by the snapshot are in segments not yet compacted.
          if (record.kind !== 'entry' || record.group !== DATA_GROUP_ID || record.index <= machine.appliedIndex) return;
          machine.apply(record.index, decodeLogCommand(record.data));
        },
      });
      // Nobody is blocked during recovery: what replay signalled is moot.
      machine.takeReadyKeys();
      logger.info({
        snapshotIndex: snapshot?.meta.index ?? 0, appliedIndex: machine.appliedIndex, keys: machine.keyspace.size,
        walSegments: report.segments, walRecords: report.records, durationMs: Date.now() - startedMs,
      }, 'recovered data group');
      // Which segments a snapshot covers is not stored: tell the log again, so segments left
      // over from before the restart are dropped now rather than after the next snapshot.
      if (snapshot !== null) await wal.compact(DATA_GROUP_ID, snapshot.meta.index);
      const group = new LocalGroup({
        groupId: DATA_GROUP_ID, wal, snapshots, machine, logger, snapshotAfterLogBytes: options.snapshotAfterLogBytes,
      });
      const expiry = new ActiveExpiry(group, options.activeExpireIntervalMs);
      return new Host(group, wal, releaseLock, expiry, report, logger);
    } catch (error) {
      await releaseLock();
      throw error;
    }
  }

  get walStats(): WriteAheadLog['stats'] {
    return this.wal.stats;
  }

  setActiveExpireInterval(intervalMs: number): void {
    this.expiry.setInterval(intervalMs);
  }

  /** Finishes in-flight writes, writes a snapshot (unless told not to), closes the log. */
  async close(options: { snapshot: boolean }): Promise<void> {
    this.expiry.stop();
    await this.dataGroup.drain();
    if (options.snapshot) await this.dataGroup.snapshot();
    await this.wal.close();
    await this.releaseLock();
    this.logger.info('host closed');
  }
}

function storageLog(logger: Logger) {
  return (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => logger[level](fields ?? {}, message);
}
