// The file operations storage makes, as a seam: production uses the real file system through
// thin wrappers, the simulator a deterministic disk that can crash (sim/sim-file-system.ts).
// Errors are Node's: an Error with `code` (ENOENT, EEXIST, EIO ...), whatever the implementation.

import { fdatasyncSync, writevSync } from 'node:fs';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import type { FileHandle as NodeFileHandle } from 'node:fs/promises';

/** As open(2): read; read and write; create or truncate, write only; create exclusively, write only. */
export type OpenFlags = 'r' | 'r+' | 'w' | 'wx';

export interface FileHandle {
  /**
   * Writes `buffers` at `position` now, on the calling thread; returns the bytes written, which
   * may be fewer than given.
   */
  writevSync(buffers: readonly Buffer[], position: number): number;
  /** May write fewer bytes than given. */
  writev(buffers: readonly Buffer[], position: number): Promise<{ bytesWritten: number }>;
  /** May write fewer bytes than given. */
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  /** May read fewer bytes than asked; 0 at the end of the file. */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  truncate(length: number): Promise<void>;
  /** fsync(2); on a directory opened with 'r', makes its entries (creations, renames, deletions) durable. */
  sync(): Promise<void>;
  /** fdatasync(2). */
  datasync(): Promise<void>;
  /** fdatasync(2) now, on the calling thread. */
  datasyncSync(): void;
  close(): Promise<void>;
}

export interface FileSystem {
  /** Creates `path` and any missing parents; an existing directory is fine (mkdir -p). */
  mkdir(path: string, options: { recursive: true }): Promise<void>;
  /** The names in a directory. */
  readdir(path: string): Promise<string[]>;
  unlink(path: string): Promise<void>;
  /** Atomically replaces `to`, if it exists. */
  rename(from: string, to: string): Promise<void>;
  open(path: string, flags: OpenFlags): Promise<FileHandle>;
}

class NodeFile implements FileHandle {
  constructor(private readonly handle: NodeFileHandle) {}

  writevSync(buffers: readonly Buffer[], position: number): number {
    // Read at every call: a closed FileHandle's fd is -1, so a write after close fails (EBADF)
    // instead of landing in whatever file reused the number.
    return writevSync(this.handle.fd, buffers, position);
  }

  writev(buffers: readonly Buffer[], position: number): Promise<{ bytesWritten: number }> {
    return this.handle.writev(buffers, position);
  }

  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    return this.handle.write(buffer, offset, length, position);
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return this.handle.read(buffer, offset, length, position);
  }

  stat(): Promise<{ size: number }> {
    return this.handle.stat();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  datasyncSync(): void {
    fdatasyncSync(this.handle.fd);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export const nodeFileSystem: FileSystem = {
  async mkdir(path, options) {
    await mkdir(path, options);
  },
  readdir: (path) => readdir(path),
  unlink: (path) => unlink(path),
  rename: (from, to) => rename(from, to),
  open: async (path, flags) => new NodeFile(await open(path, flags)),
};
