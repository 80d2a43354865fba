// Snapshot files of the groups: `snap-<group>-<index, 20 digits>.snap`, a header followed by the
// payload. Header (little endian, 48 bytes):
//
//   "SHOALSNP"  u32 version=2  u32 group  f64 index  f64 term  f64 payloadBytes
//   u32 crc32c(payload)  u32 crc32c(the header bytes before this field)
//
// (Version 1 files, without the header checksum, are still read.) A snapshot is written to a
// temp file, fsynced, renamed into place and the directory fsynced, so a crash leaves either the
// old snapshot or the new one, never half of one. A corrupt latest snapshot is an error, never
// silently replaced by an older one: the log before it may already be deleted.
//
// The groups share the directory. A failed directory fsync may have dropped renames of other
// groups' snapshots for good (Linux forgets what a failed fsync covered), so a later fsync that
// succeeds proves nothing for them: after one failure every write fails, until a restart.

import assert from 'node:assert/strict';
import { constants as bufferConstants } from 'node:buffer';
import { join } from 'node:path';
import { crc32c } from './crc32c.js';
import { nodeFileSystem } from './file-system.js';
import type { FileHandle, FileSystem } from './file-system.js';
import { ensureDirectory, fsyncDirectory } from './fsync-directory.js';
import { writevFully } from './positional-write.js';
import type { StorageLog } from './wal.js';

export interface SnapshotMeta {
  readonly group: number;
  readonly index: number;
  readonly term: number;
}

const MAGIC = Buffer.from('SHOALSNP', 'latin1');
const VERSION = 2;
/** Magic, version, group, index, term, payload length, payload checksum. */
const V1_HEADER_BYTES = MAGIC.length + 4 + 4 + 8 + 8 + 8 + 4;
const HEADER_BYTES = V1_HEADER_BYTES + 4;
const NAME = /^snap-(\d+)-(\d{20})\.snap$/;
const TEMP_NAME = /^snap-(\d+)-\d{20}\.snap\.tmp$/;
/** The most one read call returns (libuv's limit is 2 GiB - 1). */
const MAX_READ_BYTES = 1024 * 1024 * 1024;

function fileName(meta: SnapshotMeta): string {
  return `snap-${meta.group}-${String(meta.index).padStart(20, '0')}.snap`;
}

function encodeHeader(meta: SnapshotMeta, payloadBytes: number, payloadCrc: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  let offset = MAGIC.copy(header, 0);
  offset = header.writeUInt32LE(VERSION, offset);
  offset = header.writeUInt32LE(meta.group, offset);
  offset = header.writeDoubleLE(meta.index, offset);
  offset = header.writeDoubleLE(meta.term, offset);
  offset = header.writeDoubleLE(payloadBytes, offset);
  offset = header.writeUInt32LE(payloadCrc, offset);
  offset = header.writeUInt32LE(crc32c(header.subarray(0, offset)), offset);
  assert.equal(offset, HEADER_BYTES, 'snapshot header size');
  return header;
}

export class SnapshotStore {
  /** The write in progress per group: writes of one group run one at a time. */
  private readonly writing = new Map<number, Promise<void>>();
  /** Temp files being written, which a concurrent cleanup must leave alone. */
  private readonly tempFilesInUse = new Set<string>();

  /** The first directory fsync that failed: every write since, and every write in flight, fails. */
  private directoryFailure: Error | undefined;

  /** The directory, created durably once (not on every write). */
  private directory: Promise<void> | undefined;

  constructor(private readonly dir: string, private readonly log?: StorageLog, private readonly fs: FileSystem = nodeFileSystem) {}

  private ensureDirectory(): Promise<void> {
    if (this.directory === undefined) {
      const made = ensureDirectory(this.dir, this.fs);
      this.directory = made;
      // A failed attempt is tried again next time.
      made.catch(() => {
        if (this.directory === made) this.directory = undefined;
      });
    }
    return this.directory;
  }

  /** Durably stores `chunks` as the snapshot of `meta.group` at `meta.index`, then deletes its older ones. */
  write(meta: SnapshotMeta, chunks: readonly Uint8Array[]): Promise<void> {
    assert.ok(Number.isInteger(meta.group) && meta.group >= 0 && meta.group <= 0xffff_ffff, `snapshot group ${meta.group}`);
    assert.ok(Number.isSafeInteger(meta.index) && meta.index >= 0, `snapshot index ${meta.index}`);
    assert.ok(Number.isSafeInteger(meta.term) && meta.term >= 0, `snapshot term ${meta.term}`);
    const previous = this.writing.get(meta.group) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.writeNow(meta, chunks));
    const settled = run.catch(() => undefined).then(() => {
      if (this.writing.get(meta.group) === settled) this.writing.delete(meta.group);
    });
    this.writing.set(meta.group, settled);
    return run;
  }

  private async writeNow(meta: SnapshotMeta, chunks: readonly Uint8Array[]): Promise<void> {
    let payloadBytes = 0;
    let payloadCrc = 0;
    for (const chunk of chunks) {
      payloadBytes += chunk.length;
      payloadCrc = crc32c(chunk, payloadCrc);
    }
    // readLatest returns the payload as one Buffer: refuse now what could not be read back.
    if (payloadBytes > bufferConstants.MAX_LENGTH) {
      throw new Error(`snapshot of group ${meta.group} is ${payloadBytes} bytes, more than the ${bufferConstants.MAX_LENGTH} a buffer can hold`);
    }
    if (this.directoryFailure !== undefined) throw this.directoryFailure;
    await this.ensureDirectory();
    const finalPath = join(this.dir, fileName(meta));
    const tempPath = `${finalPath}.tmp`;
    this.tempFilesInUse.add(tempPath);
    try {
      const handle = await this.fs.open(tempPath, 'w');
      try {
        const buffers = chunks.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        await writevFully(handle, [encodeHeader(meta, payloadBytes, payloadCrc), ...buffers], 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.fs.rename(tempPath, finalPath);
    } finally {
      this.tempFilesInUse.delete(tempPath);
    }
    try {
      await fsyncDirectory(this.dir, this.fs);
    } catch (error) {
      this.directoryFailure ??= error as Error;
    }
    // Also when this fsync succeeded: another one that failed may have taken this rename.
    if (this.directoryFailure !== undefined) throw this.directoryFailure;
    for (const older of await this.list(meta.group)) {
      if (older.index < meta.index) await this.fs.unlink(join(this.dir, older.name));
    }
  }

  /**
   * The latest snapshot of `group`, checksum verified, or null if it has none. Throws if that
   * snapshot is damaged. Removes temp files of the group left by an interrupted write.
   */
  async readLatest(group: number): Promise<{ meta: SnapshotMeta; data: Buffer } | null> {
    await this.ensureDirectory();
    await this.removeTempFiles(group);
    const snapshots = await this.list(group);
    if (snapshots.length === 0) return null;
    const latest = snapshots[snapshots.length - 1];
    const path = join(this.dir, latest.name);
    const handle = await this.fs.open(path, 'r');
    try {
      return await readSnapshot(handle, path, { group, index: latest.index });
    } finally {
      await handle.close();
    }
  }

  /**
   * readLatest for a node that starts: the snapshot it builds on (dropping the log the snapshot
   * covers) is first written again as a new file, fsynced and renamed into place. The one found
   * may exist in the page cache only — renamed by a process killed before its directory fsync,
   * or one whose directory fsync failed (Linux then never writes that entry, but shows it) — and
   * a power cut would take it back, as WAL recovery rewrites its active segment for the same
   * reason. Costs one write of the snapshot per start; a failing write fails the start.
   */
  async recoverLatest(group: number): Promise<{ meta: SnapshotMeta; data: Buffer } | null> {
    const latest = await this.readLatest(group);
    if (latest !== null) await this.write(latest.meta, [latest.data]);
    return latest;
  }

  private async removeTempFiles(group: number): Promise<void> {
    for (const name of await this.fs.readdir(this.dir)) {
      const match = TEMP_NAME.exec(name);
      const path = join(this.dir, name);
      if (match === null || Number(match[1]) !== group || this.tempFilesInUse.has(path)) continue;
      await this.fs.unlink(path);
      this.log?.('info', `removed an unfinished snapshot file ${path}`, { file: path });
    }
  }

  private async list(group: number): Promise<Array<{ name: string; index: number }>> {
    const found: Array<{ name: string; index: number }> = [];
    for (const name of await this.fs.readdir(this.dir)) {
      const match = NAME.exec(name);
      if (match !== null && Number(match[1]) === group) found.push({ name, index: Number(match[2]) });
    }
    return found.sort((a, b) => a.index - b.index);
  }
}

/** Reads and verifies a whole snapshot file; `expected` is what its name says. */
async function readSnapshot(handle: FileHandle, path: string, expected: { group: number; index: number }): Promise<{ meta: SnapshotMeta; data: Buffer }> {
  const corrupt = (why: string) => new Error(`snapshot ${path} is corrupt (${why}); refusing to start without it (the log it replaced may be gone)`);
  const fileBytes = (await handle.stat()).size;
  const header = await readExactly(handle, 0, Math.min(fileBytes, HEADER_BYTES));
  if (header.length < V1_HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt('bad header');
  const version = header.readUInt32LE(MAGIC.length);
  if (version !== 1 && version !== VERSION) throw corrupt(`unknown version ${version}`);
  const headerBytes = version === 1 ? V1_HEADER_BYTES : HEADER_BYTES;
  if (header.length < headerBytes) throw corrupt('short header');
  if (version === VERSION && crc32c(header.subarray(0, HEADER_BYTES - 4)) !== header.readUInt32LE(HEADER_BYTES - 4)) throw corrupt('header checksum mismatch');
  let offset = MAGIC.length + 4;
  const meta: SnapshotMeta = { group: header.readUInt32LE(offset), index: header.readDoubleLE(offset + 4), term: header.readDoubleLE(offset + 12) };
  offset += 20;
  const payloadBytes = header.readDoubleLE(offset);
  const payloadCrc = header.readUInt32LE(offset + 8);
  if (meta.group !== expected.group || meta.index !== expected.index) throw corrupt(`header says group ${meta.group} index ${meta.index}, the file name says otherwise`);
  if (fileBytes - headerBytes !== payloadBytes) throw corrupt(`payload is ${fileBytes - headerBytes} bytes, header says ${payloadBytes}`);
  const data = await readExactly(handle, headerBytes, payloadBytes);
  if (data.length !== payloadBytes) throw corrupt('the file shrank while being read');
  if (crc32c(data) !== payloadCrc) throw corrupt('payload checksum mismatch');
  return { meta, data };
}

async function readExactly(handle: FileHandle, position: number, sizeBytes: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(sizeBytes);
  let filled = 0;
  while (filled < sizeBytes) {
    const { bytesRead } = await handle.read(buffer, filled, Math.min(sizeBytes - filled, MAX_READ_BYTES), position + filled);
    if (bytesRead === 0) break; // the file shrank under us: the caller's checks see a short buffer
    filled += bytesRead;
  }
  return filled === sizeBytes ? buffer : buffer.subarray(0, filled);
}
