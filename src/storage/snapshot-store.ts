// Snapshot files of the groups: `snap-<group>-<index>.snap`, each a header (magic, version,
// group, index, term, payload length, CRC32C of the payload) followed by the payload.
// Written to a temp file, fsynced, renamed into place and the directory fsynced, so a crash
// leaves either the old snapshot or the new one, never half of one. A corrupt latest snapshot
// is an error, never silently replaced by an older one: the log before it may be gone.

import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from './crc32c.js';
import { fsyncDirectory } from './fsync-directory.js';
import type { StorageLog } from './wal.js';

export interface SnapshotMeta {
  readonly group: number;
  readonly index: number;
  readonly term: number;
}

const MAGIC = Buffer.from('SHOALSNP', 'latin1');
const VERSION = 1;
const HEADER_BYTES = MAGIC.length + 4 + 4 + 8 + 8 + 8 + 4;
const NAME = /^snap-(\d+)-(\d{20})\.snap$/;

function fileName(meta: SnapshotMeta): string {
  return `snap-${meta.group}-${String(meta.index).padStart(20, '0')}.snap`;
}

export class SnapshotStore {
  constructor(private readonly dir: string, private readonly log?: StorageLog) {}

  async write(meta: SnapshotMeta, chunks: readonly Uint8Array[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    let payloadBytes = 0;
    let crc = 0;
    for (const chunk of chunks) {
      payloadBytes += chunk.length;
      crc = crc32c(chunk, crc);
    }
    const header = Buffer.alloc(HEADER_BYTES);
    let offset = MAGIC.copy(header, 0);
    offset = header.writeUInt32LE(VERSION, offset);
    offset = header.writeUInt32LE(meta.group, offset);
    offset = header.writeDoubleLE(meta.index, offset);
    offset = header.writeDoubleLE(meta.term, offset);
    offset = header.writeDoubleLE(payloadBytes, offset);
    header.writeUInt32LE(crc, offset);
    const finalPath = join(this.dir, fileName(meta));
    const tempPath = `${finalPath}.tmp`;
    const handle = await open(tempPath, 'w');
    try {
      await handle.writev([header, ...chunks]);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, finalPath);
    await fsyncDirectory(this.dir);
    for (const older of await this.list(meta.group)) {
      if (older.index < meta.index) await unlink(join(this.dir, older.name));
    }
  }

  async readLatest(group: number): Promise<{ meta: SnapshotMeta; data: Buffer } | null> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      if (name.endsWith('.tmp')) {
        await unlink(join(this.dir, name));
        this.log?.('info', 'removed an unfinished snapshot file', { file: name });
      }
    }
    const snapshots = await this.list(group);
    if (snapshots.length === 0) return null;
    const latest = snapshots[snapshots.length - 1];
    const path = join(this.dir, latest.name);
    const file = await readFile(path);
    const corrupt = (why: string) => new Error(`snapshot ${path} is corrupt (${why}); refusing to start without it`);
    if (file.length < HEADER_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt('bad header');
    let offset = MAGIC.length;
    const version = file.readUInt32LE(offset);
    if (version !== VERSION) throw corrupt(`unknown version ${version}`);
    const meta: SnapshotMeta = { group: file.readUInt32LE(offset + 4), index: file.readDoubleLE(offset + 8), term: file.readDoubleLE(offset + 16) };
    offset += 24;
    const payloadBytes = file.readDoubleLE(offset);
    const crc = file.readUInt32LE(offset + 8);
    const data = file.subarray(HEADER_BYTES);
    if (data.length !== payloadBytes) throw corrupt(`payload is ${data.length} bytes, header says ${payloadBytes}`);
    if (crc32c(data) !== crc) throw corrupt('checksum mismatch');
    if (meta.group !== group || meta.index !== latest.index) throw corrupt('header does not match the file name');
    return { meta, data };
  }

  private async list(group: number): Promise<Array<{ name: string; index: number }>> {
    const found: Array<{ name: string; index: number }> = [];
    for (const name of await readdir(this.dir)) {
      const match = NAME.exec(name);
      if (match !== null && Number(match[1]) === group) found.push({ name, index: Number(match[2]) });
    }
    return found.sort((a, b) => a.index - b.index);
  }
}
