// fsync of a directory, so that file creations, renames and deletions in it are durable.

import { dirname } from 'node:path';
import type { FileSystem } from './file-system.js';

export async function fsyncDirectory(dir: string, fs: FileSystem): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * mkdir -p whose result survives a crash: a new directory is an entry of its parent, durable
 * only once the parent is fsynced (otherwise a node could lose its whole log after a power cut
 * soon after its first start, and come back as a fresh member that never voted).
 */
export async function ensureDirectory(dir: string, fs: FileSystem): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fsyncDirectory(dirname(dir), fs);
}
