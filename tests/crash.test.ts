// Durability under crashes: writers record every acknowledged SET while the node is killed
// with SIGKILL at random moments; after each restart every acknowledged write is there. Then
// a torn and a corrupted log tail, and a clean SIGTERM.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { seededRandom } from '../src/engine/seeded-random.js';
import { client, freshDataDir, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';

const CYCLES = 20;
const WRITERS = 4;
const seed = Number(process.env.SHOAL_CRASH_SEED ?? Date.now() % 1_000_000);

async function writerClient(port: number): Promise<Redis> {
  const redis = client(port, { retryStrategy: () => null, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

/** Writes unique keys until the connection dies; records what was acknowledged. */
async function writeUntilDead(redis: Redis, prefix: string, acknowledged: Map<string, string>): Promise<void> {
  for (let n = 0; n < 1_000_000; n++) {
    const key = `${prefix}:${n}`;
    const value = `value-${prefix}-${n}`;
    try {
      if ((await redis.set(key, value)) === 'OK') acknowledged.set(key, value);
    } catch {
      return;
    }
  }
}

async function assertAllPresent(port: number, acknowledged: Map<string, string>, context: string): Promise<void> {
  const reader = client(port);
  const keys = [...acknowledged.keys()];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const values = await reader.mget(...chunk);
    chunk.forEach((key, j) => assert.equal(values[j], acknowledged.get(key), `${context}: acknowledged ${key} lost (seed ${seed})`));
  }
  reader.disconnect();
}

function lastSegment(dataDir: string): string {
  const dir = join(dataDir, 'wal');
  const names = readdirSync(dir).filter((name) => name.endsWith('.log')).sort();
  return join(dir, names[names.length - 1]);
}

describe('crash safety', () => {
  const dataDir = freshDataDir('shoal-crash');
  const acknowledged = new Map<string, string>();
  let node: NodeProcess | undefined;

  after(async () => {
    if (node !== undefined) await stopNodeProcess(node, 'SIGKILL');
    removeDir(dataDir);
  });

  test(`${CYCLES} SIGKILLs at random moments lose no acknowledged write (seed ${seed})`, async (t) => {
    const random = seededRandom(seed);
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      node = await startNodeProcess({ dataDir, args: ['--snapshot-log-bytes', String(256 * 1024)] });
      await assertAllPresent(node.port, acknowledged, `after restart ${cycle}`);
      const port = node.port;
      const writers = await Promise.all(Array.from({ length: WRITERS }, () => writerClient(port)));
      const writing = writers.map((redis, w) => writeUntilDead(redis, `c${cycle}w${w}`, acknowledged));
      await new Promise((resolve) => setTimeout(resolve, 30 + Math.floor(random() * 250)));
      node.child.kill('SIGKILL');
      await node.exited;
      await Promise.all(writing);
      writers.forEach((redis) => redis.disconnect());
    }
    node = await startNodeProcess({ dataDir });
    await assertAllPresent(node.port, acknowledged, 'final');
    assert.ok(acknowledged.size > CYCLES, 'writers got acknowledgements');
    t.diagnostic(`${acknowledged.size} acknowledged writes checked after ${CYCLES} kills`);
    await stopNodeProcess(node, 'SIGKILL');
    node = undefined;
  });

  test('a torn last record is truncated with a warning and nothing acknowledged is lost', async () => {
    const segment = lastSegment(dataDir);
    const sizeBytes = statSync(segment).size;
    appendFileSync(segment, Buffer.from([0x40, 0, 0, 0, 1, 2, 3]));
    node = await startNodeProcess({ dataDir });
    assert.match(node.output(), /truncating torn or corrupt tail/);
    assert.match(node.output(), /"droppedBytes":7/);
    await assertAllPresent(node.port, acknowledged, 'after torn tail');
    const redis = client(node.port);
    assert.equal(await redis.set('after-torn', 'ok'), 'OK');
    redis.disconnect();
    await stopNodeProcess(node, 'SIGKILL');
    node = undefined;
    assert.ok(statSync(lastSegment(dataDir)).size >= sizeBytes);
  });

  test('a record cut in the middle and a corrupted checksum are dropped, the rest survives', async () => {
    node = await startNodeProcess({ dataDir });
    const redis = client(node.port);
    for (let i = 0; i < 20; i++) {
      await redis.set(`tail:${i}`, 'x'.repeat(100));
      acknowledged.set(`tail:${i}`, 'x'.repeat(100));
    }
    redis.disconnect();
    await stopNodeProcess(node, 'SIGKILL');
    // Cut the last record in half: it was acknowledged, so forget it; the others must stay.
    const segment = lastSegment(dataDir);
    truncateSync(segment, statSync(segment).size - 60);
    acknowledged.delete('tail:19');
    node = await startNodeProcess({ dataDir });
    assert.match(node.output(), /record extends past the end of the file|short record header/);
    await assertAllPresent(node.port, acknowledged, 'after cut record');
    await stopNodeProcess(node, 'SIGKILL');
    appendFileSync(lastSegment(dataDir), Buffer.concat([Buffer.from([30, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]), Buffer.alloc(30, 7)]));
    node = await startNodeProcess({ dataDir });
    assert.match(node.output(), /checksum mismatch/);
    await assertAllPresent(node.port, acknowledged, 'after bad checksum');
  });

  test('SIGTERM shuts down cleanly (exit 0) and keeps every write', async () => {
    assert.ok(node !== undefined);
    const redis = client(node.port);
    await redis.set('term', 'kept');
    redis.disconnect();
    assert.equal(await stopNodeProcess(node, 'SIGTERM'), 0);
    node = await startNodeProcess({ dataDir });
    const check = client(node.port);
    assert.equal(await check.get('term'), 'kept');
    check.disconnect();
    await assertAllPresent(node.port, acknowledged, 'after SIGTERM');
  });
});
