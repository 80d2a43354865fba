// The node's write-ahead log, shared by all its groups.
//
// Segment files `wal-<sequence>.log` start with a header and hold records framed as
// `[u32 payloadLength][u32 crc32c(payload)][payload]` (little endian). Appends are buffered in
// memory and made durable by flush(): one write of everything appended plus, with
// `appendfsync always`, one fdatasync — and flush() calls that arrive while one is running
// share the next one (group commit). Operations on the files run one at a time, in order.
//
// Recovery replays every valid record in order. A bad record in the last segment is a torn
// or corrupt tail from a crash: the file is truncated there and a warning says what was
// dropped. A bad record in an earlier segment is real corruption: opening fails, naming the
// file, rather than silently skipping acknowledged data.

import assert from 'node:assert/strict';
import { writevSync } from 'node:fs';
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from './crc32c.js';
import { fsyncDirectory } from './fsync-directory.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export type WalRecord =
  | { readonly kind: 'entry'; readonly group: number; readonly term: number; readonly index: number; readonly data: Uint8Array }
  | { readonly kind: 'hardState'; readonly group: number; readonly term: number; readonly vote: number; readonly commit: number };

type HardState = Extract<WalRecord, { kind: 'hardState' }>;

export type StorageLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface WalOptions {
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  /** Roll to a new segment past this size. */
  readonly segmentSizeBytes?: number;
  /** Called for every valid record, in order, while opening. */
  readonly onRecord: (record: WalRecord) => void;
  readonly log?: StorageLog;
}

export interface RecoveryReport {
  readonly segments: number;
  readonly records: number;
  readonly bytes: number;
  readonly truncated?: { readonly segment: string; readonly offsetBytes: number; readonly droppedBytes: number; readonly reason: string };
}

export interface WalStats {
  appendedRecords: number;
  writtenBytes: number;
  fsyncs: number;
  segments: number;
  /** Bytes in the segments still kept: what a snapshot would let us drop. */
  bytesSinceCompaction: number;
  lastFsyncDurationMs: number;
}

const MAGIC = Buffer.from('SHOALWAL', 'latin1');
const VERSION = 1;
const HEADER_BYTES = MAGIC.length + 4;
const FRAME_BYTES = 8;
const MAX_RECORD_BYTES = 512 * 1024 * 1024 + 64;
const KIND_ENTRY = 1;
const KIND_HARD_STATE = 2;
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const EVERYSEC_INTERVAL_MS = 1000;

interface Segment {
  readonly sequence: number;
  readonly path: string;
  sizeBytes: number;
  /** The highest entry index per group written to this segment. */
  readonly maxIndexByGroup: Map<number, number>;
}

function segmentName(sequence: number): string {
  return `wal-${String(sequence).padStart(16, '0')}.log`;
}

const ENTRY_FIXED_BYTES = 1 + 4 + 8 + 8;
const HARD_STATE_BYTES = 1 + 4 + 8 + 8 + 8;

/**
 * A record's bytes as one or two buffers: the frame and fixed fields, then (for entries) the
 * entry's data itself, so appending never copies the payload.
 */
export function encodeWalRecord(record: WalRecord): Buffer[] {
  const fixedBytes = record.kind === 'entry' ? ENTRY_FIXED_BYTES : HARD_STATE_BYTES;
  const head = Buffer.allocUnsafe(FRAME_BYTES + fixedBytes);
  let offset = FRAME_BYTES;
  if (record.kind === 'entry') {
    offset = head.writeUInt8(KIND_ENTRY, offset);
    offset = head.writeUInt32LE(record.group, offset);
    offset = head.writeDoubleLE(record.term, offset);
    head.writeDoubleLE(record.index, offset);
  } else {
    offset = head.writeUInt8(KIND_HARD_STATE, offset);
    offset = head.writeUInt32LE(record.group, offset);
    offset = head.writeDoubleLE(record.term, offset);
    offset = head.writeDoubleLE(record.vote, offset);
    head.writeDoubleLE(record.commit, offset);
  }
  const data = record.kind === 'entry' ? record.data : undefined;
  head.writeUInt32LE(fixedBytes + (data?.length ?? 0), 0);
  const fixedCrc = crc32c(head.subarray(FRAME_BYTES));
  head.writeUInt32LE(data === undefined ? fixedCrc : crc32c(data, fixedCrc), 4);
  if (data === undefined) return [head];
  return [head, Buffer.from(data.buffer, data.byteOffset, data.byteLength)];
}

/** Decodes one record at `offset`: the record and its size, or why it is not valid. */
function decodeRecordAt(file: Buffer, offset: number): { record: WalRecord; sizeBytes: number } | { invalid: string } {
  if (file.length - offset < FRAME_BYTES) return { invalid: 'short record header' };
  const payloadBytes = file.readUInt32LE(offset);
  if (payloadBytes < 1 || payloadBytes > MAX_RECORD_BYTES) return { invalid: `implausible record length ${payloadBytes}` };
  if (file.length - offset - FRAME_BYTES < payloadBytes) return { invalid: 'record extends past the end of the file' };
  const payload = file.subarray(offset + FRAME_BYTES, offset + FRAME_BYTES + payloadBytes);
  if (crc32c(payload) !== file.readUInt32LE(offset + 4)) return { invalid: 'checksum mismatch' };
  const kind = payload[0];
  const group = payload.readUInt32LE(1);
  if (kind === KIND_ENTRY && payloadBytes >= 21) {
    const record: WalRecord = { kind: 'entry', group, term: payload.readDoubleLE(5), index: payload.readDoubleLE(13), data: payload.subarray(21) };
    return { record, sizeBytes: FRAME_BYTES + payloadBytes };
  }
  if (kind === KIND_HARD_STATE && payloadBytes === 29) {
    const record: WalRecord = { kind: 'hardState', group, term: payload.readDoubleLE(5), vote: payload.readDoubleLE(13), commit: payload.readDoubleLE(21) };
    return { record, sizeBytes: FRAME_BYTES + payloadBytes };
  }
  return { invalid: `unknown record kind ${kind}` };
}

export class WriteAheadLog {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Entries appended but not yet written, to attribute to the segment they land in. */
  private pendingIndexes: Array<[group: number, index: number]> = [];
  private readonly hardStates = new Map<number, HardState>();
  private readonly compactedThrough = new Map<number, number>();
  private tail: Promise<void> = Promise.resolve();
  private queuedFlush: Promise<void> | undefined;
  /** Written data not yet fsynced. */
  private syncOwed = false;
  /** The everysec timer or close() asked the next flush to fsync. */
  private syncRequested = false;
  private everysecTimer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly stats: WalStats = { appendedRecords: 0, writtenBytes: 0, fsyncs: 0, segments: 0, bytesSinceCompaction: 0, lastFsyncDurationMs: 0 };

  private constructor(
    private readonly options: WalOptions,
    private readonly segments: Segment[],
    private handle: FileHandle,
  ) {
    this.refreshSizeStats();
    if (options.fsync === 'everysec') {
      this.everysecTimer = setInterval(() => {
        if (!this.syncOwed) return;
        this.syncRequested = true;
        void this.flush().catch(() => undefined);
      }, EVERYSEC_INTERVAL_MS);
      this.everysecTimer.unref();
    }
  }

  static async open(options: WalOptions): Promise<{ wal: WriteAheadLog; report: RecoveryReport }> {
    await mkdir(options.dir, { recursive: true });
    const names = (await readdir(options.dir)).filter((name) => /^wal-\d{16}\.log$/.test(name)).sort();
    const segments: Segment[] = [];
    let records = 0;
    let bytes = 0;
    let truncated: RecoveryReport['truncated'];
    const hardStates = new Map<number, HardState>();
    for (const [position, name] of names.entries()) {
      const path = join(options.dir, name);
      const isLast = position === names.length - 1;
      const file = await readFile(path);
      const segment: Segment = { sequence: Number(name.slice(4, 20)), path, sizeBytes: file.length, maxIndexByGroup: new Map() };
      let offset = HEADER_BYTES;
      let invalid: string | undefined;
      if (file.length < HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) {
        invalid = 'bad segment header';
        offset = 0;
      } else {
        while (offset < file.length) {
          const decoded = decodeRecordAt(file, offset);
          if ('invalid' in decoded) {
            invalid = decoded.invalid;
            break;
          }
          const { record } = decoded;
          if (record.kind === 'entry') segment.maxIndexByGroup.set(record.group, Math.max(segment.maxIndexByGroup.get(record.group) ?? 0, record.index));
          else hardStates.set(record.group, record);
          options.onRecord(record);
          records++;
          offset += decoded.sizeBytes;
        }
      }
      if (invalid !== undefined) {
        if (!isLast) throw new Error(`write-ahead log corrupt: ${path} at offset ${offset}: ${invalid}`);
        truncated = { segment: path, offsetBytes: offset, droppedBytes: file.length - offset, reason: invalid };
        options.log?.('warn', 'write-ahead log: truncating torn or corrupt tail', { ...truncated });
        const handle = await open(path, 'r+');
        await handle.truncate(offset);
        if (offset === 0) await handle.write(segmentHeader(), 0);
        await handle.sync();
        await handle.close();
        segment.sizeBytes = Math.max(offset, HEADER_BYTES);
      }
      bytes += segment.sizeBytes;
      segments.push(segment);
    }
    if (segments.length === 0) segments.push(await createSegment(options.dir, 1));
    const active = segments[segments.length - 1];
    const handle = await open(active.path, 'r+');
    const wal = new WriteAheadLog(options, segments, handle);
    for (const [group, state] of hardStates) wal.hardStates.set(group, state);
    return { wal, report: { segments: segments.length, records, bytes, truncated } };
  }

  append(record: WalRecord): void {
    assert.ok(!this.closed, 'append after close');
    for (const bytes of encodeWalRecord(record)) {
      this.pending.push(bytes);
      this.pendingBytes += bytes.length;
    }
    this.stats.appendedRecords++;
    if (record.kind === 'entry') this.pendingIndexes.push([record.group, record.index]);
    else this.hardStates.set(record.group, record);
  }

  /** Makes everything appended so far durable per the fsync policy. */
  flush(): Promise<void> {
    if (this.queuedFlush !== undefined) return this.queuedFlush;
    const run = this.tail.then(() => {
      this.queuedFlush = undefined;
      return this.writePending();
    });
    this.queuedFlush = run;
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** A snapshot of `group` now covers its entries up to `throughIndex`: drop what only they need. */
  compact(group: number, throughIndex: number): Promise<void> {
    const run = this.tail.then(async () => {
      this.compactedThrough.set(group, Math.max(this.compactedThrough.get(group) ?? 0, throughIndex));
      // Close the active segment so everything the snapshot covers sits in deletable files.
      if (this.active.maxIndexByGroup.size > 0) await this.roll();
      let deleted = 0;
      for (const segment of [...this.segments]) {
        if (segment === this.active || !this.isCovered(segment)) continue;
        await unlink(segment.path);
        this.segments.splice(this.segments.indexOf(segment), 1);
        deleted++;
      }
      if (deleted > 0) await fsyncDirectory(this.options.dir);
      this.refreshSizeStats();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.everysecTimer !== undefined) clearInterval(this.everysecTimer);
    this.syncRequested = true;
    await this.flush();
    this.closed = true;
    await this.tail;
    await this.handle.close();
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  private isCovered(segment: Segment): boolean {
    for (const [group, maxIndex] of segment.maxIndexByGroup) {
      if (maxIndex > (this.compactedThrough.get(group) ?? 0)) return false;
    }
    return true;
  }

  private async writePending(): Promise<void> {
    const chunks = this.pending;
    const sizeBytes = this.pendingBytes;
    const indexes = this.pendingIndexes;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingIndexes = [];
    const segment = this.active;
    if (sizeBytes > 0) {
      // A synchronous write, as Redis writes its AOF: a page-cache copy costs less than a
      // round trip through the thread pool, and the fsync (the slow part) stays asynchronous.
      writeAllSync(this.handle.fd, chunks, segment.sizeBytes);
      segment.sizeBytes += sizeBytes;
      this.stats.writtenBytes += sizeBytes;
      this.stats.bytesSinceCompaction += sizeBytes;
      for (const [group, index] of indexes) segment.maxIndexByGroup.set(group, Math.max(segment.maxIndexByGroup.get(group) ?? 0, index));
      this.syncOwed = true;
    }
    if (this.syncOwed && (this.options.fsync === 'always' || this.syncRequested)) await this.sync();
    this.syncRequested = false;
    if (segment.sizeBytes >= (this.options.segmentSizeBytes ?? DEFAULT_SEGMENT_BYTES)) await this.roll();
  }

  private async sync(): Promise<void> {
    const startedMs = performance.now();
    await this.handle.datasync();
    this.stats.fsyncs++;
    this.stats.lastFsyncDurationMs = performance.now() - startedMs;
    this.syncOwed = false;
  }

  /** Closes the active segment (synced) and starts the next, headed by every group's hard state. */
  private async roll(): Promise<void> {
    await this.handle.sync();
    this.stats.fsyncs++;
    await this.handle.close();
    const next = await createSegment(this.options.dir, this.active.sequence + 1);
    this.segments.push(next);
    this.handle = await open(next.path, 'r+');
    if (this.hardStates.size > 0) {
      const states = [...this.hardStates.values()].flatMap(encodeWalRecord);
      const sizeBytes = states.reduce((sum, bytes) => sum + bytes.length, 0);
      await writeAll(this.handle, states, next.sizeBytes);
      next.sizeBytes += sizeBytes;
      await this.handle.sync();
    }
    this.syncOwed = false;
    this.refreshSizeStats();
  }

  private refreshSizeStats(): void {
    this.stats.segments = this.segments.length;
    this.stats.bytesSinceCompaction = this.segments.reduce((sum, segment) => sum + segment.sizeBytes, 0);
  }
}

function segmentHeader(): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(VERSION, MAGIC.length);
  return header;
}

async function createSegment(dir: string, sequence: number): Promise<Segment> {
  const path = join(dir, segmentName(sequence));
  const handle = await open(path, 'wx');
  await handle.write(segmentHeader(), 0);
  await handle.sync();
  await handle.close();
  await fsyncDirectory(dir);
  return { sequence, path, sizeBytes: HEADER_BYTES, maxIndexByGroup: new Map() };
}

/** Writes all chunks at `position`, looping over partial writes. */
function writeAllSync(fd: number, chunks: readonly Buffer[], position: number): void {
  let remaining = chunks;
  let at = position;
  for (let attempt = 0; remaining.length > 0; attempt++) {
    assert.ok(attempt < 1_000_000, 'write made no progress');
    // writev takes at most IOV_MAX (1024) buffers at a time.
    const batch = remaining.length > 1024 ? remaining.slice(0, 1024) : remaining;
    const written = writevSync(fd, batch, at);
    at += written;
    remaining = dropWritten(remaining, written);
  }
}

function dropWritten(chunks: readonly Buffer[], bytesWritten: number): Buffer[] {
  let skip = bytesWritten;
  const rest: Buffer[] = [];
  for (const chunk of chunks) {
    if (skip >= chunk.length) skip -= chunk.length;
    else {
      rest.push(skip === 0 ? chunk : chunk.subarray(skip));
      skip = 0;
    }
  }
  return rest;
}

/** Writes all chunks at `position`, looping over partial writes. */
async function writeAll(handle: FileHandle, chunks: readonly Buffer[], position: number): Promise<void> {
  let remaining = [...chunks];
  let at = position;
  for (let attempt = 0; remaining.length > 0; attempt++) {
    assert.ok(attempt < 1_000_000, 'write made no progress');
    const { bytesWritten } = await handle.writev(remaining.slice(0, 1024), at);
    at += bytesWritten;
    remaining = dropWritten(remaining, bytesWritten);
  }
}
