// The embedding API: several nodes in one process, each with its port and data directory;
// close() frees both; the data-directory lock keeps a second node (in this process or another)
// off a directory that is in use.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNode } from '../src/index.js';
import { ClientPool } from './support/client-pool.js';
import { freshDataDir, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import { RawClient } from './support/raw-client.js';

const IN_USE = /data directory .* is in use/;

test('two embedded nodes in one process are independent; close() frees the port and the data directory', async () => {
  const pool = new ClientPool();
  const dirA = freshDataDir();
  const dirB = freshDataDir();
  const a = await startNode({ port: 0, dataDir: dirA });
  const b = await startNode({ port: 0, dataDir: dirB });
  try {
    assert.notEqual(a.port, b.port);
    assert.ok(a.port > 0 && b.port > 0);
    assert.equal(a.host, '127.0.0.1', 'loopback unless told otherwise');
    const ra = pool.open(a.port);
    const rb = pool.open(b.port);
    await ra.set('who', 'a');
    await rb.set('who', 'b');
    await ra.set('only-a', '1');
    assert.equal(await ra.get('who'), 'a');
    assert.equal(await rb.get('who'), 'b');
    assert.equal(await rb.exists('only-a'), 0);
    await assert.rejects(startNode({ port: 0, dataDir: dirA }), IN_USE, 'a second node on a directory in use fails clearly');
    assert.equal(await ra.get('who'), 'a', 'the refused start did not disturb the running node');
    pool.closeAll();
    const port = a.port;
    await a.close();
    await b.close();
    const again = await startNode({ port, dataDir: dirA });
    assert.equal(again.port, port, 'the port was released');
    const check = pool.open(again.port);
    assert.equal(await check.get('who'), 'a', 'data survived close and reopen');
    assert.equal(await check.get('only-a'), '1');
    pool.closeAll();
    await again.close();
  } finally {
    pool.closeAll();
    removeDir(dirA);
    removeDir(dirB);
  }
});

test('close() disconnects connected clients and resolves; the node refuses new connections', async () => {
  const dir = freshDataDir();
  const node = await startNode({ port: 0, dataDir: dir });
  const raw = await RawClient.connect(node.port);
  assert.equal(await raw.call('SET', 'k', 'v'), '+OK\r\n');
  await node.close();
  await raw.waitClosed();
  await assert.rejects(RawClient.connect(node.port), /ECONNREFUSED/);
  removeDir(dir);
});

test('a spawned node cannot take a directory an embedded node holds, and can once it is closed', async () => {
  const dir = freshDataDir();
  const embedded = await startNode({ port: 0, dataDir: dir });
  const pool = new ClientPool();
  try {
    await pool.open(embedded.port).set('from', 'embedded');
    await assert.rejects(startNodeProcess({ dataDir: dir }), IN_USE);
    pool.closeAll();
    await embedded.close();
    const spawned = await startNodeProcess({ dataDir: dir });
    try {
      assert.equal(await pool.open(spawned.port).get('from'), 'embedded');
      await assert.rejects(startNode({ port: 0, dataDir: dir }), IN_USE, 'and the other way round');
    } finally {
      pool.closeAll();
      assert.equal(await stopNodeProcess(spawned), 0);
    }
    const reopened = await startNode({ port: 0, dataDir: dir });
    await reopened.close();
  } finally {
    pool.closeAll();
    removeDir(dir);
  }
});

test('a lock left by a process that was SIGKILLed does not block the next start', async () => {
  const dir = freshDataDir();
  const spawned = await startNodeProcess({ dataDir: dir });
  await stopNodeProcess(spawned, 'SIGKILL');
  const node = await startNode({ port: 0, dataDir: dir });
  await node.close();
  removeDir(dir);
});

test('a listener on a taken port fails cleanly and releases its data directory', async () => {
  const dir = freshDataDir();
  const otherDir = freshDataDir();
  const first = await startNode({ port: 0, dataDir: otherDir });
  try {
    await assert.rejects(startNode({ port: first.port, dataDir: dir }), /EADDRINUSE/);
    const retry = await startNode({ port: 0, dataDir: dir });
    await retry.close();
  } finally {
    await first.close();
    removeDir(dir);
    removeDir(otherDir);
  }
});
