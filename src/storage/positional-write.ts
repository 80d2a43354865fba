// Writing a list of buffers at a file position in full. libuv's writev already loops over
// IOV_MAX-sized pieces; this loop covers a write that returns short without an error.

import assert from 'node:assert/strict';
import type { FileHandle } from './file-system.js';

/** Writes every byte of `chunks` at `position`; returns the number of write calls made. */
export function writevFullySync(handle: FileHandle, chunks: readonly Buffer[], position: number): number {
  let remaining = chunks;
  let at = position;
  let calls = 0;
  while (remaining.length > 0) {
    calls++;
    const written = handle.writevSync(remaining, at);
    assert.ok(written > 0 || remaining.every((chunk) => chunk.length === 0), 'a write made no progress');
    at += written;
    remaining = dropWritten(remaining, written);
  }
  return calls;
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

/** Writes every byte of `chunks` at `position` through the thread pool. */
export async function writevFully(handle: FileHandle, chunks: readonly Buffer[], position: number): Promise<void> {
  let remaining = chunks;
  let at = position;
  while (remaining.length > 0) {
    const { bytesWritten } = await handle.writev(remaining, at);
    assert.ok(bytesWritten > 0 || remaining.every((chunk) => chunk.length === 0), 'a write made no progress');
    at += bytesWritten;
    remaining = dropWritten(remaining, bytesWritten);
  }
}
