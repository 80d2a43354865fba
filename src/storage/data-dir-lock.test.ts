import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pid no process has: above the kernel's pid_max. */
const DEAD_PID = 2 ** 22 + 12345;

describe('data directory lock', () => {
  test('the lock file holds our pid until released', async () => {
    const release = await lockDataDir(dir);
    assert.equal(await readFile(join(dir, 'LOCK'), 'utf8'), String(process.pid));
    await release();
    await assert.rejects(stat(join(dir, 'LOCK')), { code: 'ENOENT' });
  });

  test('a second lock of a directory this process holds throws', async () => {
    const release = await lockDataDir(dir);
    await assert.rejects(lockDataDir(dir), new RegExp(`data directory ${dir} is in use by process ${process.pid}`));
    await release();
    const again = await lockDataDir(dir);
    await again();
  });

  test('a lock held by another live process throws naming that pid', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(dir, 'LOCK'), String(child.pid));
      await assert.rejects(lockDataDir(dir), new RegExp(`data directory ${dir} is in use by process ${child.pid}`));
      assert.equal(await readFile(join(dir, 'LOCK'), 'utf8'), String(child.pid), 'the live lock is untouched');
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a stale lock (its process is gone) is replaced', async () => {
    await writeFile(join(dir, 'LOCK'), String(DEAD_PID));
    const release = await lockDataDir(dir);
    assert.equal(await readFile(join(dir, 'LOCK'), 'utf8'), String(process.pid));
    await release();
  });

  test('a lock with our own pid that we do not hold is stale (a previous process with a reused pid)', async () => {
    await writeFile(join(dir, 'LOCK'), String(process.pid));
    const release = await lockDataDir(dir);
    await release();
  });

  test('a garbled lock file is replaced', async () => {
    await writeFile(join(dir, 'LOCK'), 'not a pid');
    const release = await lockDataDir(dir);
    await release();
  });

  test('the directory is created if missing', async () => {
    const nested = join(dir, 'a', 'b');
    const release = await lockDataDir(nested);
    assert.ok((await stat(join(nested, 'LOCK'))).isFile());
    await release();
  });
});
