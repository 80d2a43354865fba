import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from './crc32c.js';
import { nodeFileSystem } from './file-system.js';
import type { FileSystem } from './file-system.js';
import { SnapshotStore } from './snapshot-store.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-snap-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HEADER_BYTES = 48;

describe('snapshot store', () => {
  test('a written snapshot reads back with its meta and the chunks joined', async () => {
    const store = new SnapshotStore(dir);
    await store.write({ group: 3, index: 42, term: 7 }, [Buffer.from('hello '), new Uint8Array(0), Buffer.from('world')]);
    const latest = await store.readLatest(3);
    assert.deepEqual(latest?.meta, { group: 3, index: 42, term: 7 });
    assert.equal(latest?.data.toString(), 'hello world');
    assert.deepEqual(await readdir(dir), ['snap-3-00000000000000000042.snap']);
  });

  test('a group without a snapshot reads as null', async () => {
    assert.equal(await new SnapshotStore(join(dir, 'missing')).readLatest(1), null);
  });

  test('a newer snapshot replaces the older ones of its group only', async () => {
    const store = new SnapshotStore(dir);
    await store.write({ group: 1, index: 5, term: 1 }, [Buffer.from('one@5')]);
    await store.write({ group: 2, index: 9, term: 1 }, [Buffer.from('two@9')]);
    await store.write({ group: 1, index: 100, term: 2 }, [Buffer.from('one@100')]);
    assert.deepEqual((await readdir(dir)).sort(), ['snap-1-00000000000000000100.snap', 'snap-2-00000000000000000009.snap']);
    assert.equal((await store.readLatest(1))?.data.toString(), 'one@100');
    assert.equal((await store.readLatest(2))?.data.toString(), 'two@9');
  });

  test('after a directory fsync fails, every write fails, of any group, and keeps the older snapshots', async () => {
    let failNextDirectorySync = false;
    const failing: FileSystem = {
      ...nodeFileSystem,
      open: async (path, flags) => {
        const handle = await nodeFileSystem.open(path, flags);
        if (path !== dir) return handle;
        return Object.assign(Object.create(handle) as typeof handle, {
          sync: () => {
            if (!failNextDirectorySync) return handle.sync();
            failNextDirectorySync = false;
            return Promise.reject(Object.assign(new Error(`EIO: i/o error, fsync '${dir}'`), { code: 'EIO' }));
          },
        });
      },
    };
    const store = new SnapshotStore(dir, undefined, failing);
    await store.write({ group: 1, index: 5, term: 1 }, [Buffer.from('one@5')]);
    await store.write({ group: 2, index: 9, term: 1 }, [Buffer.from('two@9')]);
    failNextDirectorySync = true;
    await assert.rejects(store.write({ group: 1, index: 6, term: 1 }, [Buffer.from('one@6')]), { code: 'EIO' });
    await assert.rejects(store.write({ group: 2, index: 10, term: 1 }, [Buffer.from('two@10')]), { code: 'EIO' });
    assert.ok((await readdir(dir)).includes('snap-1-00000000000000000005.snap'), 'the older snapshot of the failed write stays');
    assert.equal((await store.readLatest(2))?.data.toString(), 'two@9');
  });

  test('concurrent writes of one group all complete and the highest index wins', async () => {
    const store = new SnapshotStore(dir);
    await Promise.all([10, 30, 20].map((index) => store.write({ group: 1, index, term: 1 }, [Buffer.from(`at ${index}`)])));
    assert.equal((await store.readLatest(1))?.meta.index, 30);
  });

  test('a large snapshot written from many chunks reads back intact', async () => {
    const store = new SnapshotStore(dir);
    const chunks = Array.from({ length: 3000 }, (_, i) => Buffer.alloc(1000 + (i % 7), i % 251));
    await store.write({ group: 1, index: 1, term: 1 }, chunks);
    assert.deepEqual((await store.readLatest(1))?.data, Buffer.concat(chunks));
  });

  test('a corrupt latest snapshot throws naming the file, never falling back to an older one', async () => {
    const store = new SnapshotStore(dir);
    await store.write({ group: 1, index: 2, term: 1 }, [Buffer.from('payload')]);
    const path = join(dir, 'snap-1-00000000000000000002.snap');
    const pristine = await readFile(path);
    // An older snapshot left behind (a crash before the cleanup) must not be used instead.
    await writeFile(join(dir, 'snap-1-00000000000000000001.snap'), pristine);
    for (let at = 0; at < pristine.length; at++) {
      const damaged = Buffer.from(pristine);
      damaged[at] ^= 0x04;
      await writeFile(path, damaged);
      await assert.rejects(store.readLatest(1), (error: Error) => {
        assert.match(error.message, new RegExp(`snapshot ${path} is corrupt`), `byte ${at}`);
        return true;
      });
    }
    await writeFile(path, pristine.subarray(0, pristine.length - 1));
    await assert.rejects(store.readLatest(1), /payload is 6 bytes, header says 7/);
    await writeFile(path, pristine.subarray(0, 10));
    await assert.rejects(store.readLatest(1), /bad header/);
  });

  test('a snapshot whose header disagrees with its file name is corrupt', async () => {
    const store = new SnapshotStore(dir);
    await store.write({ group: 1, index: 2, term: 1 }, [Buffer.from('payload')]);
    await writeFile(join(dir, 'snap-1-00000000000000000003.snap'), await readFile(join(dir, 'snap-1-00000000000000000002.snap')));
    await assert.rejects(store.readLatest(1), /header says group 1 index 2/);
  });

  test('leftover temp files of the group are removed when it is read', async () => {
    const logged: string[] = [];
    const store = new SnapshotStore(dir, (_level, message) => logged.push(message));
    await store.write({ group: 1, index: 2, term: 1 }, [Buffer.from('kept')]);
    await writeFile(join(dir, 'snap-1-00000000000000000009.snap.tmp'), 'half a snapshot');
    await writeFile(join(dir, 'snap-2-00000000000000000009.snap.tmp'), 'another group');
    assert.equal((await store.readLatest(1))?.data.toString(), 'kept');
    assert.deepEqual((await readdir(dir)).sort(), ['snap-1-00000000000000000002.snap', 'snap-2-00000000000000000009.snap.tmp']);
    assert.equal(logged.length, 1);
    assert.equal(await store.readLatest(2), null);
    assert.deepEqual(await readdir(dir), ['snap-1-00000000000000000002.snap']);
  });

  test('version 1 files (no header checksum) are still read', async () => {
    const payload = Buffer.from('old format');
    const header = Buffer.alloc(HEADER_BYTES - 4);
    let offset = Buffer.from('SHOALSNP', 'latin1').copy(header, 0);
    offset = header.writeUInt32LE(1, offset);
    offset = header.writeUInt32LE(4, offset);
    offset = header.writeDoubleLE(8, offset);
    offset = header.writeDoubleLE(2, offset);
    offset = header.writeDoubleLE(payload.length, offset);
    header.writeUInt32LE(crc32c(payload), offset);
    await writeFile(join(dir, 'snap-4-00000000000000000008.snap'), Buffer.concat([header, payload]));
    const latest = await new SnapshotStore(dir).readLatest(4);
    assert.deepEqual(latest?.meta, { group: 4, index: 8, term: 2 });
    assert.equal(latest?.data.toString(), 'old format');
  });
});
