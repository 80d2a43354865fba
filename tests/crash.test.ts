// Durability under crashes. Writers record every acknowledged SET while the node process is
// killed with SIGKILL at seeded random moments; after each restart on the same directory every
// acknowledged write is there (a write that was in flight may or may not be). Then a torn and a
// corrupted log tail, and a clean SIGTERM. Reproduce a failure with SHOAL_CRASH_SEED=<seed>.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, truncateSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { seededRandom } from '../src/engine/seeded-random.js';
import { scanSegment } from '../src/storage/wal-segment.js';
import { nodeFileSystem } from '../src/storage/file-system.js';
import { client, freshDataDir, removeDir, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';

const CYCLES = 20;
const SEQUENTIAL_WRITERS = 3;
const PIPELINED_WRITERS = 2;
const PIPELINE_DEPTH = 8;
/** Keys each writer overwrites again and again (the rest of its writes use fresh keys). */
const HOT_KEYS_PER_WRITER = 4;
const seed = Number(process.env.SHOAL_CRASH_SEED ?? Date.now() % 1_000_000);
const WAL_WARN = /write-ahead log: truncating torn or corrupt tail/;

/**
 * What the node must hold: for fresh keys the acknowledged value; for overwritten keys the
 * last acknowledged value or a value that was still in flight when the node died.
 */
class Ledger {
  readonly fresh = new Map<string, string>();
  private readonly hot = new Map<string, { acknowledged: string | undefined; inFlight: Set<string> }>();

  begin(key: string, value: string): void {
    const entry = this.hot.get(key) ?? { acknowledged: undefined, inFlight: new Set<string>() };
    entry.inFlight.add(value);
    this.hot.set(key, entry);
  }

  acknowledge(key: string, value: string): void {
    const entry = this.hot.get(key);
    assert.ok(entry !== undefined);
    entry.inFlight.delete(value);
    entry.acknowledged = value;
  }

  /** A write that failed may still have been applied; it stays allowed until a later ack. */
  allowedFor(key: string): ReadonlySet<string | null> | undefined {
    const entry = this.hot.get(key);
    if (entry === undefined) return undefined;
    return new Set<string | null>([entry.acknowledged ?? null, ...entry.inFlight]);
  }

  /** After a verified restart the in-flight writes of dead connections are settled. */
  settle(key: string, actual: string | null): void {
    const entry = this.hot.get(key);
    assert.ok(entry !== undefined);
    entry.inFlight.clear();
    entry.acknowledged = actual ?? undefined;
  }

  get hotKeys(): string[] {
    return [...this.hot.keys()];
  }

  get size(): number {
    return this.fresh.size + this.hot.size;
  }
}

async function writerClient(port: number): Promise<Redis> {
  const redis = client(port, { retryStrategy: () => null, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

/** One SET at a time, alternating fresh keys and this writer's hot keys, until the node dies. */
async function writeSequentially(redis: Redis, prefix: string, ledger: Ledger): Promise<void> {
  for (let n = 0; n < 1_000_000; n++) {
    const hot = n % 2 === 1;
    const key = hot ? `${prefix}:hot:${n % HOT_KEYS_PER_WRITER}` : `${prefix}:${n}`;
    const value = `${prefix}-${n}`;
    if (hot) ledger.begin(key, value);
    try {
      assert.equal(await redis.set(key, value), 'OK');
    } catch {
      return;
    }
    if (hot) ledger.acknowledge(key, value);
    else ledger.fresh.set(key, value);
  }
}

/** Batches of concurrent SETs on one connection (they share log batches), until the node dies. */
async function writePipelined(redis: Redis, prefix: string, ledger: Ledger): Promise<void> {
  for (let batch = 0; batch < 100_000; batch++) {
    const keys = Array.from({ length: PIPELINE_DEPTH }, (_, i) => `${prefix}:${batch}:${i}`);
    const results = await Promise.allSettled(keys.map((key) => redis.set(key, `${key}=v`)));
    results.forEach((result, i) => {
      if (result.status === 'fulfilled' && result.value === 'OK') ledger.fresh.set(keys[i], `${keys[i]}=v`);
    });
    if (results.some((result) => result.status === 'rejected')) return;
  }
}

async function verify(port: number, ledger: Ledger, context: string): Promise<void> {
  const reader = client(port);
  try {
    const keys = [...ledger.fresh.keys()];
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const values = await reader.mget(...chunk);
      chunk.forEach((key, j) => assert.equal(values[j], ledger.fresh.get(key), `${context}: acknowledged ${key} lost (seed ${seed})`));
    }
    const hotKeys = ledger.hotKeys;
    const hotValues = hotKeys.length === 0 ? [] : await reader.mget(...hotKeys);
    hotKeys.forEach((key, j) => {
      const allowed = ledger.allowedFor(key);
      assert.ok(allowed?.has(hotValues[j]), `${context}: ${key} is ${hotValues[j]}, expected one of ${[...(allowed ?? [])].join(', ')} (seed ${seed})`);
      ledger.settle(key, hotValues[j]);
    });
  } finally {
    reader.disconnect();
  }
}

/** Where the last valid record of a segment ends: after a SIGKILL, zeros written ahead follow it. */
async function recordsEnd(segment: string): Promise<number> {
  return (await scanSegment(segment, () => undefined, nodeFileSystem)).validBytes;
}

/** Writes `bytes` right after the segment's last record, over the zeros written ahead (as a torn write would). */
async function writeAfterRecords(segment: string, bytes: Buffer): Promise<number> {
  const at = await recordsEnd(segment);
  const handle = await open(segment, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, at);
  } finally {
    await handle.close();
  }
  return at;
}

function lastSegment(dataDir: string): string {
  const dir = join(dataDir, 'wal');
  const names = readdirSync(dir).filter((name) => /^wal-\d{16}\.log$/.test(name)).sort();
  assert.ok(names.length > 0, `no WAL segment in ${dir}`);
  return join(dir, names[names.length - 1]);
}

/** The JSON log lines a node printed at warn level. */
function warnLines(node: NodeProcess): Array<{ msg: string; droppedBytes?: number }> {
  return node.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { level: number; msg: string; droppedBytes?: number }).filter((line) => line.level === 40);
}

describe(`crash safety (seed ${seed})`, () => {
  const dataDir = freshDataDir('shoal-crash');
  const ledger = new Ledger();
  let node: NodeProcess | undefined;

  after(async () => {
    if (node !== undefined) await stopNodeProcess(node, 'SIGKILL');
    removeDir(dataDir);
  });

  test(`${CYCLES} SIGKILLs at random moments lose no acknowledged write (seed ${seed})`, { timeout: 150_000 }, async (t) => {
    const random = seededRandom(seed);
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // A small snapshot threshold so kills also land during snapshots and log compaction.
      node = await startNodeProcess({ dataDir, args: ['--snapshot-log-bytes', String(128 * 1024)] });
      await verify(node.port, ledger, `after restart ${cycle}`);
      const port = node.port;
      const sequential = await Promise.all(Array.from({ length: SEQUENTIAL_WRITERS }, () => writerClient(port)));
      const pipelined = await Promise.all(Array.from({ length: PIPELINED_WRITERS }, () => writerClient(port)));
      const writing = [
        ...sequential.map((redis, w) => writeSequentially(redis, `c${cycle}s${w}`, ledger)),
        ...pipelined.map((redis, w) => writePipelined(redis, `c${cycle}p${w}`, ledger)),
      ];
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(random() * 300)));
      node.child.kill('SIGKILL');
      await node.exited;
      await Promise.all(writing);
      [...sequential, ...pipelined].forEach((redis) => redis.disconnect());
    }
    node = await startNodeProcess({ dataDir });
    await verify(node.port, ledger, 'final');
    assert.ok(ledger.fresh.size > CYCLES * 10, `writers got acknowledgements (${ledger.fresh.size})`);
    t.diagnostic(`${ledger.size} keys checked after ${CYCLES} kills (seed ${seed})`);
    await stopNodeProcess(node, 'SIGKILL');
    node = undefined;
  });

  test('garbage appended to the last segment is dropped with a warning; every acknowledged write stays', async () => {
    const segment = lastSegment(dataDir);
    const at = await writeAfterRecords(segment, Buffer.from([0x40, 0, 0, 0, 1, 2, 3, 0xff, 0xfe, 0]));
    const sizeBytes = statSync(segment).size;
    node = await startNodeProcess({ dataDir });
    const warnings = warnLines(node).filter((line) => WAL_WARN.test(line.msg));
    assert.equal(warnings.length, 1, node.output());
    assert.equal(warnings[0].droppedBytes, sizeBytes - at, 'the garbage and everything after it');
    await verify(node.port, ledger, 'after garbage tail');
    const redis = client(node.port);
    assert.equal(await redis.set('after-garbage', 'ok'), 'OK');
    ledger.fresh.set('after-garbage', 'ok');
    redis.disconnect();
    await stopNodeProcess(node, 'SIGKILL');
    node = undefined;
    assert.ok((await recordsEnd(lastSegment(dataDir))) > at, 'the valid part of the log was kept, and new records follow it');
  });

  test('a record cut in the middle is dropped with a warning; the records before it survive', async () => {
    node = await startNodeProcess({ dataDir });
    const redis = client(node.port);
    for (let i = 0; i < 20; i++) {
      assert.equal(await redis.set(`tail:${i}`, 'x'.repeat(100)), 'OK');
      ledger.fresh.set(`tail:${i}`, 'x'.repeat(100));
    }
    redis.disconnect();
    await stopNodeProcess(node, 'SIGKILL');
    // Cut the last record in half (as a crash during its write would): it is the one write we
    // destroy on purpose, so it leaves the ledger; the 19 before it must stay.
    const segment = lastSegment(dataDir);
    truncateSync(segment, (await recordsEnd(segment)) - 60);
    ledger.fresh.delete('tail:19');
    node = await startNodeProcess({ dataDir });
    const warnings = warnLines(node).filter((line) => WAL_WARN.test(line.msg));
    assert.equal(warnings.length, 1, node.output());
    assert.ok((warnings[0].droppedBytes ?? 0) > 0);
    await verify(node.port, ledger, 'after cut record');
    const check = client(node.port);
    assert.equal(await check.exists('tail:19'), 0);
    check.disconnect();
    await stopNodeProcess(node, 'SIGKILL');
    node = undefined;
  });

  test('a whole record with a bad checksum at the end is dropped with a warning', async () => {
    await writeAfterRecords(lastSegment(dataDir), Buffer.concat([Buffer.from([30, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]), Buffer.alloc(30, 7)]));
    node = await startNodeProcess({ dataDir });
    const warnings = warnLines(node).filter((line) => WAL_WARN.test(line.msg));
    assert.equal(warnings.length, 1, node.output());
    assert.match(warnings[0].msg, /checksum/);
    await verify(node.port, ledger, 'after bad checksum');
  });

  test('SIGTERM shuts down cleanly with exit code 0 and keeps every write', async () => {
    assert.ok(node !== undefined);
    const redis = client(node.port);
    await redis.set('term', 'kept');
    ledger.fresh.set('term', 'kept');
    redis.disconnect();
    assert.equal(await stopNodeProcess(node, 'SIGTERM'), 0);
    node = await startNodeProcess({ dataDir });
    assert.deepEqual(warnLines(node).filter((line) => WAL_WARN.test(line.msg)), [], 'a clean shutdown leaves no torn tail');
    await verify(node.port, ledger, 'after SIGTERM');
  });

  for (const appendfsync of ['everysec', 'no'] as const) {
    test(`appendfsync ${appendfsync}: a process crash (SIGKILL) still loses no acknowledged write (the OS keeps written pages)`, { timeout: 60_000 }, async () => {
      const random = seededRandom(seed + 1);
      const policyDir = freshDataDir(`shoal-crash-${appendfsync}`);
      const policyLedger = new Ledger();
      let policyNode: NodeProcess | undefined;
      try {
        for (let cycle = 0; cycle < 5; cycle++) {
          policyNode = await startNodeProcess({ dataDir: policyDir, args: ['--appendfsync', appendfsync] });
          await verify(policyNode.port, policyLedger, `${appendfsync}, after restart ${cycle}`);
          const port = policyNode.port;
          const writers = await Promise.all(Array.from({ length: 3 }, () => writerClient(port)));
          const writing = writers.map((redis, w) => writeSequentially(redis, `${appendfsync}-c${cycle}w${w}`, policyLedger));
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(random() * 200)));
          policyNode.child.kill('SIGKILL');
          await policyNode.exited;
          await Promise.all(writing);
          writers.forEach((redis) => redis.disconnect());
        }
        policyNode = await startNodeProcess({ dataDir: policyDir });
        await verify(policyNode.port, policyLedger, `${appendfsync}, final`);
        assert.ok(policyLedger.fresh.size > 0);
      } finally {
        if (policyNode !== undefined) await stopNodeProcess(policyNode, 'SIGKILL');
        removeDir(policyDir);
      }
    });
  }

  test('SIGTERM while writers are busy: exit code 0, every acknowledged write kept', async () => {
    assert.ok(node !== undefined);
    const port = node.port;
    const writers = await Promise.all(Array.from({ length: 3 }, () => writerClient(port)));
    const writing = writers.map((redis, w) => writeSequentially(redis, `term-busy-${w}`, ledger));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await stopNodeProcess(node, 'SIGTERM'), 0);
    await Promise.all(writing);
    writers.forEach((redis) => redis.disconnect());
    node = await startNodeProcess({ dataDir });
    await verify(node.port, ledger, 'after SIGTERM under load');
  });
});
