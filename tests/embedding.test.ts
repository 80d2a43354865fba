// The embedding API: several nodes in one process, ports and data directories released on close.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNode } from '../src/index.js';
import { client, freshDataDir, removeDir } from './support/node-process.js';

test('two embedded nodes are independent; close() frees the port and the data directory', async () => {
  const dirA = freshDataDir();
  const dirB = freshDataDir();
  const a = await startNode({ port: 0, dataDir: dirA });
  const b = await startNode({ port: 0, dataDir: dirB });
  assert.notEqual(a.port, b.port);
  const ra = client(a.port);
  const rb = client(b.port);
  await ra.set('who', 'a');
  await rb.set('who', 'b');
  assert.equal(await ra.get('who'), 'a');
  assert.equal(await rb.get('who'), 'b');
  ra.disconnect();
  rb.disconnect();
  await assert.rejects(startNode({ port: 0, dataDir: dirA }), /data directory .* is in use by process/);
  const port = a.port;
  await a.close();
  await b.close();
  const again = await startNode({ port, dataDir: dirA });
  assert.equal(again.port, port, 'the port was released');
  const check = client(again.port);
  assert.equal(await check.get('who'), 'a', 'data survived close and reopen');
  check.disconnect();
  await again.close();
  removeDir(dirA);
  removeDir(dirB);
});

test('a second listener on a taken port fails cleanly and releases its data directory', async () => {
  const dir = freshDataDir();
  const first = await startNode({ port: 0, dataDir: freshDataDir() });
  await assert.rejects(startNode({ port: first.port, dataDir: dir }), /EADDRINUSE/);
  const retry = await startNode({ port: 0, dataDir: dir });
  await retry.close();
  await first.close();
  removeDir(dir);
});
