// The node's write-ahead log, shared by all its groups.
//
// Appends are encoded into memory; flush() makes them durable: one writev of everything
// appended, then (policy `always`) one fdatasync. flush() calls made while one is in flight
// share the next one (group commit), so at most one write+fsync runs at a time and flushes
// complete in the order they were called. File operations run one at a time on a chain.
// A flush whose every caller has nothing to do meanwhile fsyncs on the calling thread, as Redis
// does: the thread pool's two hand-offs cost more than the fsync itself on a small VM.
//
// Segment files roll past segmentSizeBytes; every new segment starts with the latest hard state
// of every group, so deleting old segments never loses a hard state. compact() deletes the
// oldest segments once snapshots cover every entry in them.
//
// Recovery replays every valid record in order. A bad record in the last segment is a torn or
// corrupt tail from a crash: the file is truncated there and one warning says what was dropped.
// A bad record in an earlier segment is real corruption: opening fails, naming the file and
// offset, rather than silently skipping acknowledged data.
//
// A failed write or fsync leaves the file's contents unknown (and a later fsync could succeed
// without the lost pages): the log then refuses every later flush with that error until the
// process restarts and recovery re-reads what really is on disk.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { nodeFileSystem } from './file-system.js';
import type { FileHandle, FileSystem } from './file-system.js';
import { ensureDirectory, fsyncDirectory } from './fsync-directory.js';
import { writevFully, writevFullySync } from './positional-write.js';
import { WalBatch } from './wal-batch.js';
import { assertValidWalRecord } from './wal-record.js';
import type { HardStateRecord, WalRecord } from './wal-record.js';
import { createSegment, scanSegment, SEGMENT_HEADER_BYTES, segmentHeader, segmentName, segmentSequence } from './wal-segment.js';

export type { WalRecord } from './wal-record.js';
export { MAX_ENTRY_DATA_BYTES } from './wal-record.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export type StorageLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface WalOptions {
  /** Created if missing. */
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  /** Roll to a new segment file once the current one reaches this size. Default 64 MiB. */
  readonly segmentSizeBytes?: number;
  /** Called for every valid record, in order, while opening. An entry's data is a view of a read buffer. */
  readonly onRecord: (record: WalRecord) => void;
  readonly log?: StorageLog;
  /** Where the files live; the real file system unless a simulator supplies one. */
  readonly fs?: FileSystem;
  /** How far ahead of the records zeros are written (see PREALLOCATE_BYTES, the default). */
  readonly preallocateBytes?: number;
}

export interface RecoveryReport {
  readonly segments: number;
  readonly records: number;
  readonly bytes: number;
  readonly truncated?: { readonly segment: string; readonly offsetBytes: number; readonly droppedBytes: number; readonly reason: string };
}

export interface WalStats {
  readonly appendedRecords: number;
  readonly writtenBytes: number;
  /** Write calls made by flushes (one per flush unless the kernel wrote short). */
  readonly writes: number;
  /** fdatasync/fsync calls on segment files (directory fsyncs not counted). */
  readonly fsyncs: number;
  readonly segments: number;
  /** Bytes in the segments still kept: what later snapshots could let us delete. */
  readonly bytesSinceCompaction: number;
  readonly lastFsyncDurationMs: number;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const EVERYSEC_INTERVAL_MS = 1000;

interface Segment {
  readonly sequence: number;
  readonly path: string;
  /** Bytes of header and records. */
  sizeBytes: number;
  /** The file's size: records, then zeros written ahead of them (see preallocate). */
  fileBytes: number;
  /** The highest entry index per group written to this segment. */
  readonly maxIndexByGroup: Map<number, number>;
}

export class WriteAheadLog {
  private readonly batch = new WalBatch();
  /** The highest entry index per group among the records in `batch`. */
  private readonly batchMaxIndexByGroup = new Map<number, number>();
  /** The latest hard state per group among the records in `batch`. */
  private readonly batchHardStates = new Map<number, HardStateRecord>();
  /** The latest hard state per group that is in the files: what heads a new segment. */
  private readonly writtenHardStates: Map<number, HardStateRecord>;
  private readonly compactedThrough = new Map<number, number>();
  /** The last operation on the files: every new one runs after it. */
  private tail: Promise<void> = Promise.resolve();
  /** A flush waiting for its turn on the chain, which later flush() calls join. */
  private queuedFlush: Promise<void> | undefined;
  /** Whether every caller of the queued flush may have the thread blocked by its fsync. */
  private queuedFlushMayBlock = true;
  private unsyncedBytes = 0;
  /** close() asks its flush to fsync whatever the policy. */
  private syncOnNextFlush = false;
  private rolling = false;
  private backgroundSync: Promise<void> | undefined;
  private everysecTimer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  private readonly counters = { appendedRecords: 0, writtenBytes: 0, writes: 0, fsyncs: 0, segments: 0, bytesSinceCompaction: 0, lastFsyncDurationMs: 0 };
  private readonly segmentSizeBytes: number;
  private readonly fs: FileSystem;

  private constructor(
    private readonly options: WalOptions,
    private readonly segments: Segment[],
    private handle: FileHandle,
    hardStates: Map<number, HardStateRecord>,
  ) {
    assert.ok(segments.length > 0, 'the log always has an active segment');
    this.writtenHardStates = hardStates;
    this.fs = options.fs ?? nodeFileSystem;
    this.segmentSizeBytes = options.segmentSizeBytes ?? DEFAULT_SEGMENT_BYTES;
    assert.ok(Number.isSafeInteger(this.segmentSizeBytes) && this.segmentSizeBytes > SEGMENT_HEADER_BYTES, `segmentSizeBytes ${this.segmentSizeBytes}`);
    this.refreshSizeStats();
    if (options.fsync === 'everysec') {
      this.everysecTimer = setInterval(() => this.startBackgroundSync(), EVERYSEC_INTERVAL_MS);
      this.everysecTimer.unref();
    }
  }

  static async open(options: WalOptions): Promise<{ wal: WriteAheadLog; report: RecoveryReport }> {
    const fs = options.fs ?? nodeFileSystem;
    await ensureDirectory(options.dir, fs);
    const names = await fs.readdir(options.dir);
    for (const name of names) if (name.endsWith(COPY_SUFFIX)) await fs.unlink(join(options.dir, name));
    const sequences = names.map(segmentSequence).filter((n): n is number => n !== undefined).sort((a, b) => a - b);
    const segments: Segment[] = [];
    const hardStates = new Map<number, HardStateRecord>();
    let records = 0;
    let truncated: RecoveryReport['truncated'];
    for (const [position, sequence] of sequences.entries()) {
      const segment = await recoverSegment(options, fs, sequence, position === sequences.length - 1, hardStates);
      records += segment.records;
      truncated ??= segment.truncated;
      segments.push(segment.segment);
    }
    if (segments.length === 0) segments.push(emptySegment(1, await createSegment(options.dir, 1, fs)));
    else await rewriteAsNewFile(options.dir, fs, segments[segments.length - 1]);
    const handle = await fs.open(segments[segments.length - 1].path, 'r+');
    const wal = new WriteAheadLog(options, segments, handle, hardStates);
    return { wal, report: { segments: segments.length, records, bytes: wal.counters.bytesSinceCompaction, truncated } };
  }

  get stats(): WalStats {
    return { ...this.counters };
  }

  /**
   * Buffers `record` in memory, after everything appended before it. An entry's data larger
   * than a few KiB is written from the caller's buffer, which must not change afterwards.
   */
  append(record: WalRecord): void {
    assert.ok(this.closing === undefined, 'append after close');
    assertValidWalRecord(record);
    // After a failure nothing more can be made durable, and flush() says so.
    if (this.failure !== undefined) return;
    this.batch.add(record);
    this.counters.appendedRecords++;
    if (record.kind === 'entry') {
      const max = this.batchMaxIndexByGroup.get(record.group);
      if (max === undefined || record.index > max) this.batchMaxIndexByGroup.set(record.group, record.index);
    } else {
      this.batchHardStates.set(record.group, record);
    }
  }

  /**
   * Makes everything appended so far durable per the fsync policy. `mayBlock`: the caller has
   * no work to overlap with the fsync, which may then block the thread.
   */
  flush(mayBlock = false): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new Error('write-ahead log is closed'));
    return this.flushNow(mayBlock);
  }

  /** A snapshot of `group` now covers its entries up to `throughIndex`: drop what only they need. */
  compact(group: number, throughIndex: number): Promise<void> {
    assert.ok(Number.isSafeInteger(throughIndex) && throughIndex >= 0, `compact through ${throughIndex}`);
    if (this.closing !== undefined) return Promise.reject(new Error('write-ahead log is closed'));
    return this.enqueue(() => this.compactNow(group, throughIndex));
  }

  /** Flushes (with an fsync whatever the policy) and closes the files. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    if (this.everysecTimer !== undefined) clearInterval(this.everysecTimer);
    this.syncOnNextFlush = true;
    const flushed = this.flushNow(false);
    this.closing = (async () => {
      try {
        await flushed;
      } finally {
        await this.tail;
        await this.backgroundSync;
        try {
          // A clean shutdown leaves no zeros written ahead (preallocate): only a crash does.
          if (this.failure === undefined && (await this.dropZerosAhead())) await this.handle.sync();
        } finally {
          await this.handle.close();
        }
      }
      // An everysec fsync that failed after the last flush: the data is not durable after all.
      if (this.failure !== undefined) throw this.failure;
    })();
    return this.closing;
  }

  private flushNow(mayBlock: boolean): Promise<void> {
    if (this.queuedFlush !== undefined) {
      this.queuedFlushMayBlock &&= mayBlock;
      return this.queuedFlush;
    }
    this.queuedFlushMayBlock = mayBlock;
    const run = this.enqueue(() => {
      this.queuedFlush = undefined;
      return this.writeBatch(this.queuedFlushMayBlock);
    });
    this.queuedFlush = run;
    return run;
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    const run = this.tail.then(operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  private async writeBatch(mayBlock: boolean): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    // Taken now: a close() arriving while this flush waits asks the next flush, not this one.
    const syncRequested = this.syncOnNextFlush;
    this.syncOnNextFlush = false;
    const segment = this.active;
    const sizeBytes = this.batch.sizeBytes;
    if (sizeBytes > 0) {
      const chunks = this.batch.take();
      try {
        this.preallocate(segment, segment.sizeBytes + sizeBytes);
        // A synchronous write, as Redis writes its AOF: a copy into the page cache costs less
        // than a round trip through the thread pool; the fsync (the slow part) stays async.
        this.counters.writes += writevFullySync(this.handle, chunks, segment.sizeBytes);
      } catch (error) {
        throw this.fail('write', error);
      }
      segment.sizeBytes += sizeBytes;
      this.unsyncedBytes += sizeBytes;
      this.counters.writtenBytes += sizeBytes;
      this.counters.bytesSinceCompaction += sizeBytes;
      for (const [group, index] of this.batchMaxIndexByGroup) {
        const max = segment.maxIndexByGroup.get(group);
        if (max === undefined || index > max) segment.maxIndexByGroup.set(group, index);
      }
      for (const [group, state] of this.batchHardStates) this.writtenHardStates.set(group, state);
      this.batchMaxIndexByGroup.clear();
      this.batchHardStates.clear();
    }
    if (this.unsyncedBytes > 0 && (this.options.fsync === 'always' || syncRequested)) await this.syncActive(mayBlock);
    if (segment.sizeBytes >= this.segmentSizeBytes) await this.roll();
  }

  /** Writes zeros past the records once they would reach the end of what is zeroed already. */
  private preallocate(segment: Segment, throughBytes: number): void {
    assert.ok(segment.fileBytes >= segment.sizeBytes, 'zeros are written only after the records');
    if (throughBytes <= segment.fileBytes) return;
    // Not past the segment's size: it rolls there (and is truncated to its records).
    const target = Math.max(throughBytes, Math.min(segment.fileBytes + (this.options.preallocateBytes ?? PREALLOCATE_BYTES), this.segmentSizeBytes));
    const zeros: Buffer[] = [];
    for (let at = segment.fileBytes; at < target; at += ZEROS.length) zeros.push(ZEROS.subarray(0, Math.min(ZEROS.length, target - at)));
    writevFullySync(this.handle, zeros, segment.fileBytes);
    // Made durable by the next fsync, with the records written over them.
    this.unsyncedBytes += target - segment.fileBytes;
    segment.fileBytes = target;
  }

  /** Truncates the active segment to its records; whether there were zeros to drop. */
  private async dropZerosAhead(): Promise<boolean> {
    const segment = this.active;
    if (segment.fileBytes === segment.sizeBytes) return false;
    await this.handle.truncate(segment.sizeBytes);
    segment.fileBytes = segment.sizeBytes;
    return true;
  }

  /** fdatasync of the active segment; on this thread if `blocking`. */
  private async syncActive(blocking: boolean): Promise<void> {
    this.unsyncedBytes = 0;
    const startedMs = performance.now();
    try {
      if (blocking) this.handle.datasyncSync();
      else await this.handle.datasync();
    } catch (error) {
      throw this.fail('fdatasync', error);
    }
    this.counters.fsyncs++;
    this.counters.lastFsyncDurationMs = performance.now() - startedMs;
  }

  /** The everysec timer: an fsync beside the chain, so flushes never wait for it. */
  private startBackgroundSync(): void {
    if (this.unsyncedBytes === 0 || this.backgroundSync !== undefined || this.rolling || this.failure !== undefined) return;
    this.backgroundSync = this.syncActive(false)
      .catch(() => undefined) // recorded as the failure: the next flush reports it
      .finally(() => {
        this.backgroundSync = undefined;
      });
  }

  /** Closes the active segment (synced) and starts the next, headed by every group's hard state. */
  private async roll(): Promise<void> {
    this.rolling = true;
    try {
      await this.backgroundSync;
      if (this.failure !== undefined) throw this.failure;
      try {
        // Only the last segment may end in zeros (recovery refuses any other bad tail).
        await this.dropZerosAhead();
        await this.handle.sync();
        this.counters.fsyncs++;
        this.unsyncedBytes = 0;
        await this.handle.close();
        const sequence = this.active.sequence + 1;
        this.segments.push(emptySegment(sequence, await createSegment(this.options.dir, sequence, this.fs)));
        this.handle = await this.fs.open(this.active.path, 'r+');
        await this.writeHardStates();
      } catch (error) {
        throw this.fail('segment roll', error);
      }
      this.refreshSizeStats();
    } finally {
      this.rolling = false;
    }
  }

  private async writeHardStates(): Promise<void> {
    if (this.writtenHardStates.size === 0) return;
    const states = new WalBatch();
    for (const state of this.writtenHardStates.values()) states.add(state);
    const sizeBytes = states.sizeBytes;
    assert.equal(this.active.fileBytes, this.active.sizeBytes, 'hard states head a fresh segment');
    writevFullySync(this.handle, states.take(), this.active.sizeBytes);
    this.active.sizeBytes += sizeBytes;
    // Nothing zeroed ahead yet: the file ends with these records.
    this.active.fileBytes = this.active.sizeBytes;
    this.counters.writtenBytes += sizeBytes;
    await this.handle.datasync();
    this.counters.fsyncs++;
  }

  private async compactNow(group: number, throughIndex: number): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.compactedThrough.set(group, Math.max(this.compactedThrough.get(group) ?? 0, throughIndex));
    // The active segment is never deleted: close it if it holds entries of this group, so that
    // the entries the snapshot covers sit in a segment a later compaction can delete.
    if (this.active.maxIndexByGroup.has(group)) await this.roll();
    // Only the oldest segments go: a later segment may rewrite (truncate) entries of an earlier
    // one, and deleting it while keeping the earlier one would bring the truncated entries back.
    let deleted = 0;
    while (this.segments.length > 1 && this.isCovered(this.segments[0])) {
      await this.fs.unlink(this.segments[0].path);
      this.segments.shift();
      deleted++;
    }
    if (deleted > 0) await fsyncDirectory(this.options.dir, this.fs);
    this.refreshSizeStats();
  }

  private isCovered(segment: Segment): boolean {
    for (const [group, maxIndex] of segment.maxIndexByGroup) {
      if (maxIndex > (this.compactedThrough.get(group) ?? 0)) return false;
    }
    return true;
  }

  private refreshSizeStats(): void {
    this.counters.segments = this.segments.length;
    this.counters.bytesSinceCompaction = this.segments.reduce((sum, segment) => sum + segment.sizeBytes, 0);
  }

  /** Records the first failure; it is what every later flush throws. */
  private fail(operation: string, error: unknown): Error {
    if (this.failure === undefined) {
      const reason = error instanceof Error ? error.message : String(error);
      this.failure = new Error(`write-ahead log ${operation} failed on ${this.active.path}: ${reason}; no further writes until restart`, { cause: error });
      this.options.log?.('error', this.failure.message);
    }
    return this.failure;
  }
}

function emptySegment(sequence: number, path: string): Segment {
  return { sequence, path, sizeBytes: SEGMENT_HEADER_BYTES, fileBytes: SEGMENT_HEADER_BYTES, maxIndexByGroup: new Map() };
}

/**
 * Zeros are written this far ahead of the records. An append then overwrites blocks the file
 * already has, and its fdatasync flushes data only, with no size or extent change to journal
 * (about 20% faster here on ext4); etcd preallocates its WAL files and PostgreSQL zero-fills its
 * segments for the same reason. Recovery reads a zero tail as the end of the log.
 */
const PREALLOCATE_BYTES = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(1024 * 1024);

const COPY_CHUNK_BYTES = 1024 * 1024;
/** A copy being made (rewriteAsNewFile); recovery ignores and deletes it. */
const COPY_SUFFIX = '.copy';

/**
 * Replaces the recovered active segment by a synced copy of itself (a new file renamed over it).
 * What recovery read may have come from the page cache only: after a failed fsync the kernel
 * stops writing those pages (or that directory entry) back but still serves them, so a process
 * restarted without a power loss would build on records a later power loss takes away — a hole
 * below records it made durable. A new file is new pages under a new directory entry: its sync
 * makes exactly what recovery read durable, or fails. A crash before the rename leaves the
 * segment as it was.
 */
async function rewriteAsNewFile(dir: string, fs: FileSystem, segment: Segment): Promise<void> {
  const copyPath = `${segment.path}${COPY_SUFFIX}`;
  const [source, target] = [await fs.open(segment.path, 'r'), await fs.open(copyPath, 'w')];
  try {
    const buffer = Buffer.allocUnsafe(Math.min(COPY_CHUNK_BYTES, segment.sizeBytes));
    for (let position = 0; position < segment.sizeBytes;) {
      const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, segment.sizeBytes - position), position);
      assert.ok(bytesRead > 0, `${segment.path} ended before its recovered size`);
      await writevFully(target, [buffer.subarray(0, bytesRead)], position);
      position += bytesRead;
    }
    await target.datasync();
  } finally {
    await source.close();
    await target.close();
  }
  await fs.rename(copyPath, segment.path);
  await fsyncDirectory(dir, fs);
}

/** Replays one segment file; truncates a bad tail if it is the last one, throws otherwise. */
async function recoverSegment(
  options: WalOptions, fs: FileSystem, sequence: number, isLast: boolean, hardStates: Map<number, HardStateRecord>,
): Promise<{ segment: Segment; records: number; truncated?: RecoveryReport['truncated'] }> {
  const segment = emptySegment(sequence, join(options.dir, segmentName(sequence)));
  const scan = await scanSegment(segment.path, (record) => {
    if (record.kind === 'entry') {
      const max = segment.maxIndexByGroup.get(record.group);
      if (max === undefined || record.index > max) segment.maxIndexByGroup.set(record.group, record.index);
    } else {
      hardStates.set(record.group, record);
    }
    options.onRecord(record);
  }, fs);
  segment.sizeBytes = scan.fileBytes;
  segment.fileBytes = scan.fileBytes;
  if (scan.invalid === undefined) return { segment, records: scan.records };
  if (!isLast) {
    throw new Error(`write-ahead log corrupt: ${segment.path} at offset ${scan.validBytes}: ${scan.invalid}; ` +
      'refusing to start rather than skip acknowledged records (a later segment exists)');
  }
  // Zeros after the last record are space written ahead (preallocate), not a torn record.
  const truncated = scan.zeroTail ? undefined : { segment: segment.path, offsetBytes: scan.validBytes, droppedBytes: scan.fileBytes - scan.validBytes, reason: scan.invalid };
  if (truncated !== undefined) options.log?.('warn', `write-ahead log: truncating torn or corrupt tail of ${truncated.segment} at offset ${truncated.offsetBytes}, dropping ${truncated.droppedBytes} bytes: ${truncated.reason}`, { ...truncated });
  const handle = await fs.open(segment.path, 'r+');
  try {
    await handle.truncate(scan.validBytes);
    if (scan.validBytes < SEGMENT_HEADER_BYTES) await handle.write(segmentHeader(), 0, SEGMENT_HEADER_BYTES, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  segment.sizeBytes = Math.max(scan.validBytes, SEGMENT_HEADER_BYTES);
  segment.fileBytes = segment.sizeBytes;
  return { segment, records: scan.records, truncated };
}
