// fsync of a directory, so that file creations, renames and deletions in it are durable.

import type { FileSystem } from './file-system.js';

export async function fsyncDirectory(dir: string, fs: FileSystem): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
