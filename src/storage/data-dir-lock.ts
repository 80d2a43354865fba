// One data directory, one process: a LOCK file holding the owner's pid, created exclusively.
// A lock left by a process that no longer exists (a crash) is taken over.
//
// Not covered: two processes that find the same stale lock at the same moment can both take it
// over (a check-then-replace race); starting two nodes on one directory at once after a crash
// is the operator's mistake this narrows but cannot fully rule out without flock(2).

import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** LOCK files this process holds, so two nodes in one process cannot share a directory. */
const heldHere = new Set<string>();
const TAKEOVER_ATTEMPTS = 3;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process that nobody reaped yet (a zombie) still answers signal 0.
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

async function readOwner(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Takes the lock of `dir` (creating `dir` if missing); resolves to the function that releases it. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const path = join(resolve(dir), 'LOCK');
  if (heldHere.has(path)) throw new Error(`data directory ${dir} is in use by process ${process.pid}`);
  await mkdir(dir, { recursive: true });
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(String(process.pid));
        await handle.sync();
      } finally {
        await handle.close();
      }
      heldHere.add(path);
      return () => release(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readOwner(path);
      // Our own pid in a lock we do not hold was left by an earlier process that had the same
      // pid (pids repeat, in containers especially), so it is stale too.
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new Error(`data directory ${dir} is in use by process ${owner}`);
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new Error(`could not lock data directory ${dir}: its LOCK file keeps reappearing`);
}

async function release(path: string): Promise<void> {
  if (!heldHere.delete(path)) return;
  // Only remove the file if it is still ours.
  if ((await readOwner(path)) === process.pid) await unlink(path).catch(() => undefined);
}
