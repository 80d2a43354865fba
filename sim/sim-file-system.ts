// A simulated disk for the real storage code: a FileSystem in memory whose operations settle
// only through the simulator's event queue, and that can crash as a machine losing power does.
//
// Durability follows Linux. A file has its contents as the process sees them (the page cache)
// and its durable contents; the writes and truncations in between are kept in order. An
// fsync/fdatasync makes durable what was written before it started, when it completes after the
// drawn latency. A directory likewise has its entries and its durable entries: creations,
// renames and deletions become durable only when the directory itself is fsynced (open it 'r',
// sync), and mkdir is an entry of the parent like any other.
//
// crash(): every operation in flight never settles, every open handle is dead, and the disk
// holds what power loss leaves. Per file: the durable contents plus a prefix of the later
// writes, the next one possibly torn (its first sectors, then its remainder zero-filled or
// missing, or, with `garbageProbability`, random bytes as a file system exposing stale blocks
// leaves). Per directory: every entry change since its last fsync is independently kept or
// lost, a rename as a whole. Nothing made durable by a completed fsync is lost or changed.
//
// After crash() the same object serves the restarted process, so the simulator must drop the
// crashed process's objects: its handles throw, but a call of the old life through the file
// system itself would act on the new disk.

import assert from 'node:assert/strict';
import { posix } from 'node:path';
import type { FileHandle, FileSystem, OpenFlags } from '../src/storage/file-system.js';
import type { Prng } from './prng.js';

/** The simulator's scheduler: `EventQueue.after`. */
export type Schedule = (delayMs: number, run: () => void) => void;

export interface DiskFaults {
  /** Chance that a write fails with EIO (after some of its bytes landed). */
  writeFailureProbability: number;
  /**
   * Chance that an fsync fails with EIO. The changes it covered are then never made durable,
   * though reads still return them (as Linux marks the pages clean), even if a later fsync succeeds.
   */
  syncFailureProbability: number;
  /**
   * Chance that the remainder of a write torn by a crash holds random bytes rather than zeros.
   * The WAL refuses to start on a segment whose header is garbage (a crash while creating it),
   * by design: the simulator should leave this at 0 for runs that must recover.
   */
  garbageProbability: number;
}

export interface SimFileSystemOptions {
  /** fsync/fdatasync latency, drawn uniformly between these. Defaults 1 and 5 ms. */
  readonly fsyncMinMs?: number;
  readonly fsyncMaxMs?: number;
  /** None by default. */
  readonly faults?: Partial<DiskFaults>;
}

export interface SimFileSystemStats {
  /** Completed fsync/fdatasync calls on files. */
  readonly fsyncs: number;
  /** Completed fsyncs of directories. */
  readonly directoryFsyncs: number;
  readonly writes: number;
  readonly bytesWritten: number;
  readonly injectedFailures: number;
  readonly crashes: number;
}

/** The chance that a crash keeps one directory change that was not yet durable. */
const KEEP_DIRECTORY_CHANGE = 0.5;
/** The chance that a crash tears the first write it does not keep (rather than losing it whole). */
const TEAR_WRITE = 0.5;
/** A disk writes a sector entirely or not at all, so a write tears only at sector boundaries. */
const SECTOR_BYTES = 512;
/** The chance that a torn write's full length reached the disk's metadata, though not all its data. */
const SIZE_WITHOUT_DATA = 0.5;

type DataChange = { readonly kind: 'write'; readonly position: number; readonly bytes: Buffer } | { readonly kind: 'truncate'; readonly length: number };

type EntryChange =
  | { readonly kind: 'link'; readonly name: string; readonly node: SimNode }
  | { readonly kind: 'unlink'; readonly name: string; readonly node: SimNode }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string; readonly node: SimNode };

/** Changes not yet durable, numbered so an fsync covers exactly those made before it started. */
class ChangeLog<T> {
  private changes: Array<{ readonly seq: number; readonly change: T }> = [];
  private nextSeq = 0;

  add(change: T): void {
    this.changes.push({ seq: this.nextSeq++, change });
  }

  /** The mark an fsync starting now takes. */
  mark(): number {
    return this.nextSeq;
  }

  /** Removes and returns, in order, the changes made before `mark`. */
  takeBefore(mark: number): T[] {
    let count = 0;
    while (count < this.changes.length && this.changes[count].seq < mark) count++;
    return this.changes.splice(0, count).map((entry) => entry.change);
  }

  takeAll(): T[] {
    return this.takeBefore(this.nextSeq);
  }
}

/** A growable byte array; bytes past `length` are always zero, so extending zero-fills. */
class Bytes {
  private buffer: Buffer;
  length: number;

  constructor(source: Buffer = Buffer.alloc(0)) {
    this.buffer = Buffer.from(source);
    this.length = source.length;
  }

  view(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  write(position: number, source: Buffer): void {
    // As pwrite(2): writing nothing does not extend the file.
    if (source.length === 0) return;
    const end = position + source.length;
    this.reserve(end);
    source.copy(this.buffer, position);
    this.length = Math.max(this.length, end);
  }

  truncate(length: number): void {
    if (length < this.length) this.buffer.fill(0, length, this.length);
    else this.reserve(length);
    this.length = length;
  }

  read(target: Buffer, offset: number, length: number, position: number): number {
    const count = Math.max(0, Math.min(length, this.length - position));
    this.buffer.copy(target, offset, position, position + count);
    return count;
  }

  apply(change: DataChange): void {
    if (change.kind === 'write') this.write(change.position, change.bytes);
    else this.truncate(change.length);
  }

  private reserve(capacity: number): void {
    if (capacity <= this.buffer.length) return;
    const next = Buffer.alloc(Math.max(capacity, 2 * this.buffer.length));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}

class SimFile {
  readonly kind = 'file';
  data = new Bytes();
  durable = new Bytes();
  readonly unsynced = new ChangeLog<DataChange>();

  change(change: DataChange): void {
    this.data.apply(change);
    this.unsynced.add(change);
  }

  /** An fsync that started at `mark` completed; a failed one leaves its changes never durable. */
  synced(mark: number, succeeded: boolean): void {
    const changes = this.unsynced.takeBefore(mark);
    if (succeeded) for (const change of changes) this.durable.apply(change);
  }
}

class SimDirectory {
  readonly kind = 'directory';
  entries = new Map<string, SimNode>();
  durable = new Map<string, SimNode>();
  readonly unsynced = new ChangeLog<EntryChange>();

  change(change: EntryChange): void {
    applyEntryChange(this.entries, change);
    this.unsynced.add(change);
  }

  synced(mark: number, succeeded: boolean): void {
    const changes = this.unsynced.takeBefore(mark);
    if (succeeded) for (const change of changes) applyEntryChange(this.durable, change);
  }
}

type SimNode = SimFile | SimDirectory;

function applyEntryChange(entries: Map<string, SimNode>, change: EntryChange): void {
  switch (change.kind) {
    case 'link':
      entries.set(change.name, change.node);
      return;
    case 'unlink':
      if (entries.get(change.name) === change.node) entries.delete(change.name);
      return;
    case 'rename':
      if (entries.get(change.from) === change.node) entries.delete(change.from);
      entries.set(change.to, change.node);
      return;
  }
}

const ERROR_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'illegal operation on a directory',
  EBADF: 'bad file descriptor',
  EIO: 'i/o error',
};

function fsError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${ERROR_TEXT[code]}, ${syscall} '${path}'`);
  error.code = code;
  error.syscall = syscall;
  error.path = path;
  return error;
}

function components(path: string): string[] {
  assert.ok(posix.isAbsolute(path), `the simulated file system takes absolute paths: ${path}`);
  return posix.normalize(path).split('/').filter((part) => part !== '');
}

export class SimFileSystem implements FileSystem {
  /** May be changed at any time, as SimNetwork's faults are. */
  readonly faults: DiskFaults;
  private readonly disk: Disk;

  constructor(schedule: Schedule, prng: Prng, options: SimFileSystemOptions = {}) {
    this.faults = { writeFailureProbability: 0, syncFailureProbability: 0, garbageProbability: 0, ...options.faults };
    this.disk = new Disk(schedule, prng, options, this.faults);
  }

  get stats(): SimFileSystemStats {
    return { ...this.disk.counters };
  }

  mkdir(path: string, _options: { recursive: true }): Promise<void> {
    return this.disk.settle(0, () => {
      let directory = this.disk.root;
      for (const name of components(path)) {
        const next = directory.entries.get(name);
        if (next === undefined) {
          const created = new SimDirectory();
          directory.change({ kind: 'link', name, node: created });
          directory = created;
        } else if (next.kind === 'directory') {
          directory = next;
        } else {
          throw fsError('EEXIST', 'mkdir', path);
        }
      }
    });
  }

  readdir(path: string): Promise<string[]> {
    return this.disk.settle(0, () => [...this.disk.directory(path, 'scandir').entries.keys()].sort());
  }

  unlink(path: string): Promise<void> {
    return this.disk.settle(0, () => {
      const { parent, name } = this.disk.parentOf(path, 'unlink');
      const node = parent.entries.get(name);
      if (node === undefined) throw fsError('ENOENT', 'unlink', path);
      if (node.kind === 'directory') throw fsError('EISDIR', 'unlink', path);
      parent.change({ kind: 'unlink', name, node });
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.disk.settle(0, () => {
      const source = this.disk.parentOf(from, 'rename');
      const target = this.disk.parentOf(to, 'rename');
      // One directory's change is what its fsync makes durable; a move between two is not modelled.
      assert.equal(source.parent, target.parent, `rename between directories is not simulated: ${from} -> ${to}`);
      const node = source.parent.entries.get(source.name);
      if (node === undefined) throw fsError('ENOENT', 'rename', from);
      if (target.parent.entries.get(target.name)?.kind === 'directory') throw fsError('EISDIR', 'rename', to);
      if (source.name !== target.name) source.parent.change({ kind: 'rename', from: source.name, to: target.name, node });
    });
  }

  open(path: string, flags: OpenFlags): Promise<FileHandle> {
    return this.disk.settle(0, () => {
      if (components(path).length === 0) {
        if (flags !== 'r') throw fsError('EISDIR', 'open', path);
        return new SimHandle(this.disk, this.disk.root, path, true, false);
      }
      const { parent, name } = this.disk.parentOf(path, 'open');
      let node = parent.entries.get(name);
      if (node !== undefined && flags === 'wx') throw fsError('EEXIST', 'open', path);
      if (node === undefined) {
        if (flags === 'r' || flags === 'r+') throw fsError('ENOENT', 'open', path);
        node = new SimFile();
        parent.change({ kind: 'link', name, node });
      } else if (node.kind === 'directory') {
        if (flags !== 'r') throw fsError('EISDIR', 'open', path);
      } else if (flags === 'w') {
        node.change({ kind: 'truncate', length: 0 });
      }
      return new SimHandle(this.disk, node, path, flags === 'r' || flags === 'r+', flags !== 'r');
    });
  }

  /** The machine loses power: see the top of this file. */
  crash(): void {
    this.disk.crash();
  }

  /** A file's contents as the process sees them now, for assertions; undefined if there is none. */
  peek(path: string): Buffer | undefined {
    const { parent, name } = this.disk.parentOf(path, 'peek');
    const node = parent.entries.get(name);
    return node?.kind === 'file' ? Buffer.from(node.data.view()) : undefined;
  }
}

/** The state behind a SimFileSystem and its handles. */
class Disk {
  readonly root = new SimDirectory();
  /** Bumped by every crash: callbacks and handles of an earlier life are dead. */
  life = 0;
  readonly counters = { fsyncs: 0, directoryFsyncs: 0, writes: 0, bytesWritten: 0, injectedFailures: 0, crashes: 0 };
  private readonly fsyncMinMs: number;
  private readonly fsyncMaxMs: number;

  constructor(private readonly schedule: Schedule, private readonly prng: Prng, options: SimFileSystemOptions, private readonly faults: DiskFaults) {
    this.fsyncMinMs = options.fsyncMinMs ?? 1;
    this.fsyncMaxMs = options.fsyncMaxMs ?? 5;
    assert.ok(this.fsyncMinMs >= 0 && this.fsyncMaxMs >= this.fsyncMinMs, `fsync latency ${this.fsyncMinMs}..${this.fsyncMaxMs} ms`);
  }

  /** Runs `body` when the operation completes, `delayMs` from now, unless the machine crashed first. */
  settle<T>(delayMs: number, body: () => T): Promise<T> {
    const life = this.life;
    return new Promise<T>((resolve, reject) => {
      this.schedule(delayMs, () => {
        if (life !== this.life) return;
        try {
          resolve(body());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** Applies a write to `file`, or fails it with EIO (after a prefix of it landed) as the options say. */
  write(file: SimFile, buffers: readonly Buffer[], position: number, path: string): number {
    const bytes = Buffer.concat(buffers);
    if (this.prng.chance(this.faults.writeFailureProbability)) {
      this.counters.injectedFailures++;
      const landed = this.prng.nextInt(bytes.length + 1);
      if (landed > 0) file.change({ kind: 'write', position, bytes: bytes.subarray(0, landed) });
      throw fsError('EIO', 'write', path);
    }
    if (bytes.length > 0) file.change({ kind: 'write', position, bytes });
    this.counters.writes++;
    this.counters.bytesWritten += bytes.length;
    return bytes.length;
  }

  /** fsync of a file or a directory: covers the changes made before now, complete after the latency. */
  sync(node: SimNode, path: string): Promise<void> {
    const mark = node.unsynced.mark();
    const fails = this.prng.chance(this.faults.syncFailureProbability);
    const delayMs = this.fsyncMinMs + this.prng.next() * (this.fsyncMaxMs - this.fsyncMinMs);
    return this.settle(delayMs, () => this.completeSync(node, path, mark, fails));
  }

  /** fsync on the calling thread: the process does nothing else until it completes, as if at once. */
  syncNow(node: SimNode, path: string): void {
    this.completeSync(node, path, node.unsynced.mark(), this.prng.chance(this.faults.syncFailureProbability));
  }

  private completeSync(node: SimNode, path: string, mark: number, fails: boolean): void {
    node.synced(mark, !fails);
    if (fails) {
      this.counters.injectedFailures++;
      throw fsError('EIO', 'fsync', path);
    }
    if (node.kind === 'file') this.counters.fsyncs++;
    else this.counters.directoryFsyncs++;
  }

  directory(path: string, syscall: string): SimDirectory {
    let directory = this.root;
    for (const name of components(path)) {
      const next = directory.entries.get(name);
      if (next === undefined) throw fsError('ENOENT', syscall, path);
      if (next.kind !== 'directory') throw fsError('ENOTDIR', syscall, path);
      directory = next;
    }
    return directory;
  }

  parentOf(path: string, syscall: string): { parent: SimDirectory; name: string } {
    const parts = components(path);
    const name = parts.pop();
    if (name === undefined) throw fsError('EISDIR', syscall, path);
    return { parent: this.directory(`/${parts.join('/')}`, syscall), name };
  }

  crash(): void {
    this.life++;
    this.counters.crashes++;
    this.recoverDirectory(this.root, new Set());
  }

  /** What power loss leaves of `directory` and everything reachable from it. */
  private recoverDirectory(directory: SimDirectory, seen: Set<SimNode>): void {
    seen.add(directory);
    const entries = new Map(directory.durable);
    for (const change of directory.unsynced.takeAll()) {
      if (this.prng.chance(KEEP_DIRECTORY_CHANGE)) applyEntryChange(entries, change);
    }
    directory.entries = entries;
    directory.durable = new Map(entries);
    for (const node of entries.values()) {
      if (seen.has(node)) continue;
      if (node.kind === 'directory') this.recoverDirectory(node, seen);
      else {
        seen.add(node);
        this.recoverFile(node);
      }
    }
  }

  private recoverFile(file: SimFile): void {
    const contents = new Bytes(file.durable.view());
    const changes = file.unsynced.takeAll();
    const kept = this.prng.nextInt(changes.length + 1);
    for (const change of changes.slice(0, kept)) contents.apply(change);
    const torn = changes[kept];
    if (torn?.kind === 'write' && this.prng.chance(TEAR_WRITE)) {
      // Sectors the torn write did not reach keep what they held; only past the old end of the
      // file can the new size have landed without the data (zeros, or stale blocks).
      const oldLength = contents.view().length;
      const firstSector = Math.floor(torn.position / SECTOR_BYTES) + 1;
      const sectors = Math.ceil((torn.position + torn.bytes.length) / SECTOR_BYTES) - firstSector;
      const boundary = this.prng.nextInt(Math.max(sectors, 0) + 1);
      const landed = boundary === 0 ? 0 : (firstSector + boundary - 1) * SECTOR_BYTES - torn.position;
      contents.write(torn.position, torn.bytes.subarray(0, landed));
      const from = Math.max(torn.position + landed, oldLength);
      const rest = torn.position + torn.bytes.length - from;
      if (rest > 0 && this.prng.chance(SIZE_WITHOUT_DATA)) {
        contents.write(from, this.prng.chance(this.faults.garbageProbability) ? this.randomBytes(rest) : Buffer.alloc(rest));
      }
    }
    file.data = contents;
    file.durable = new Bytes(contents.view());
  }

  private randomBytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = this.prng.nextInt(256);
    return bytes;
  }
}

class SimHandle implements FileHandle {
  private closed = false;

  private readonly life: number;

  constructor(
    private readonly disk: Disk,
    private readonly node: SimNode,
    private readonly path: string,
    private readonly readable: boolean,
    private readonly writable: boolean,
  ) {
    this.life = disk.life;
  }

  writevSync(buffers: readonly Buffer[], position: number): number {
    return this.disk.write(this.file('write', true), buffers, position, this.path);
  }

  writev(buffers: readonly Buffer[], position: number): Promise<{ bytesWritten: number }> {
    return this.operation('write', true, (file) => ({ bytesWritten: this.disk.write(file, buffers, position, this.path) }));
  }

  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    return this.writev([buffer.subarray(offset, offset + length)], position);
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return this.operation('read', false, (file) => ({ bytesRead: file.data.read(buffer, offset, length, position) }));
  }

  stat(): Promise<{ size: number }> {
    this.assertUsable('fstat');
    return this.disk.settle(0, () => ({ size: this.node.kind === 'file' ? this.node.data.length : 0 }));
  }

  truncate(length: number): Promise<void> {
    return this.operation('ftruncate', true, (file) => file.change({ kind: 'truncate', length }));
  }

  sync(): Promise<void> {
    this.assertUsable('fsync');
    return this.disk.sync(this.node, this.path);
  }

  datasync(): Promise<void> {
    return this.sync();
  }

  datasyncSync(): void {
    this.assertUsable('fdatasync');
    this.disk.syncNow(this.node, this.path);
  }

  /** As Node's FileHandle, closing twice is fine. */
  close(): Promise<void> {
    this.assertAlive('close');
    this.closed = true;
    return this.disk.settle(0, () => undefined);
  }

  private assertAlive(syscall: string): void {
    if (this.life !== this.disk.life) throw fsError('EBADF', syscall, this.path);
  }

  /** Throws at once on a closed handle or one of a crashed process, as a syscall on a bad descriptor fails. */
  private assertUsable(syscall: string): void {
    this.assertAlive(syscall);
    if (this.closed) throw fsError('EBADF', syscall, this.path);
  }

  private file(syscall: string, write: boolean): SimFile {
    this.assertUsable(syscall);
    if (this.node.kind === 'directory') throw fsError('EISDIR', syscall, this.path);
    if (!(write ? this.writable : this.readable)) throw fsError('EBADF', syscall, this.path);
    return this.node;
  }

  private operation<T>(syscall: string, write: boolean, body: (file: SimFile) => T): Promise<T> {
    const file = this.file(syscall, write);
    return this.disk.settle(0, () => body(file));
  }
}

/**
 * The file system as one process life sees it: once `alive()` says the life ended, its calls
 * never settle (the same disk serves the next life, which must not see the old one's calls).
 */
export function fileSystemForLife(fs: FileSystem, alive: () => boolean): FileSystem {
  const live = <T>(call: () => Promise<T>): Promise<T> => (alive() ? call() : new Promise<T>(() => {}));
  return {
    mkdir: (path, options) => live(() => fs.mkdir(path, options)),
    readdir: (path) => live(() => fs.readdir(path)),
    unlink: (path) => live(() => fs.unlink(path)),
    rename: (from, to) => live(() => fs.rename(from, to)),
    open: (path, flags) => live(() => fs.open(path, flags)),
  };
}
