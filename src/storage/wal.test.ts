import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteAheadLog } from './wal.js';
import type { FsyncPolicy, RecoveryReport, WalRecord } from './wal.js';
import { encodeWalRecord, walRecordBytes } from './wal-record.js';
import { nodeFileSystem } from './file-system.js';
import type { FileSystem } from './file-system.js';

interface LogLine { level: string; message: string; fields?: Record<string, unknown> }

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-wal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entry(group: number, index: number, data = `entry ${group}/${index}`, term = 1): WalRecord {
  return { kind: 'entry', group, term, index, data: Buffer.from(data) };
}

function hardState(group: number, term: number, vote: number, commit: number): WalRecord {
  return { kind: 'hardState', group, term, vote, commit };
}

/** Records as plain objects with data as a string, to compare with deepEqual. */
function plain(record: WalRecord): unknown {
  return record.kind === 'entry' ? { ...record, data: Buffer.from(record.data).toString('latin1') } : { ...record };
}

async function openWal(options: { fsync?: FsyncPolicy; segmentSizeBytes?: number; at?: string } = {}) {
  const replayed: WalRecord[] = [];
  const logged: LogLine[] = [];
  const { wal, report } = await WriteAheadLog.open({
    dir: options.at ?? dir,
    fsync: options.fsync ?? 'always',
    segmentSizeBytes: options.segmentSizeBytes,
    onRecord: (record) => replayed.push(record),
    log: (level, message, fields) => logged.push({ level, message, fields }),
  });
  return { wal, report, replayed, logged };
}

async function writeAndClose(records: readonly WalRecord[], options: { segmentSizeBytes?: number } = {}): Promise<void> {
  const { wal } = await openWal(options);
  for (const record of records) wal.append(record);
  await wal.flush();
  await wal.close();
}

async function segmentFiles(at = dir): Promise<string[]> {
  return (await readdir(at)).filter((name) => name.endsWith('.log')).sort().map((name) => join(at, name));
}

describe('write-ahead log', () => {
  test('records appended and flushed are replayed in order after reopening', async () => {
    const records = [
      hardState(1, 1, 7, 0),
      entry(1, 1),
      entry(2, 1, ''),
      entry(1, 2, 'x'.repeat(10_000)), // above the copy threshold: written from its own buffer
      entry(1, 3, 'y'.repeat(3 * 1024 * 1024)), // larger than one read-ahead piece
      hardState(2, 4, 0, 1),
      entry(0xffff_ffff, Number.MAX_SAFE_INTEGER, 'extremes', Number.MAX_SAFE_INTEGER),
    ];
    await writeAndClose(records);
    const { wal, report, replayed, logged } = await openWal();
    assert.deepEqual(replayed.map(plain), records.map(plain));
    assert.equal(report.records, records.length);
    assert.equal(report.segments, 1);
    assert.equal(report.truncated, undefined);
    assert.equal(report.bytes, (await stat((await segmentFiles())[0])).size);
    assert.deepEqual(logged, []);
    await wal.close();
  });

  test('appends after reopening continue the same log', async () => {
    await writeAndClose([entry(1, 1), entry(1, 2)]);
    const first = await openWal();
    first.wal.append(entry(1, 3));
    await first.wal.flush();
    await first.wal.close();
    const second = await openWal();
    assert.deepEqual(second.replayed.map((record) => record.kind === 'entry' && record.index), [1, 2, 3]);
    await second.wal.close();
  });

  test('a flush of 50 records is one write and one fdatasync', async () => {
    const { wal } = await openWal();
    for (let i = 1; i <= 50; i++) wal.append(entry(1, i, 'v'.repeat(100)));
    const before = wal.stats;
    await wal.flush();
    const after = wal.stats;
    assert.equal(after.writes - before.writes, 1);
    assert.equal(after.fsyncs - before.fsyncs, 1);
    assert.equal(after.writtenBytes - before.writtenBytes, 50 * walRecordBytes(entry(1, 1, 'v'.repeat(100))));
    await wal.close();
  });

  test('flush calls made in the same turn share one write and one fsync', async () => {
    const { wal } = await openWal();
    const flushes: Array<Promise<void>> = [];
    for (let i = 1; i <= 100; i++) {
      wal.append(entry(1, i));
      flushes.push(wal.flush());
    }
    await Promise.all(flushes);
    assert.equal(wal.stats.writes, 1);
    assert.equal(wal.stats.fsyncs, 1);
    await wal.close();
  });

  test('flush calls made while a write and fsync are in flight coalesce into the next single one', async () => {
    const { wal } = await openWal();
    wal.append(entry(1, 1));
    const first = wal.flush();
    // The flush starts in a microtask; its fdatasync cannot complete before the event loop turns.
    for (let spins = 0; wal.stats.writes === 0; spins++) {
      assert.ok(spins < 100, 'the first flush started');
      await Promise.resolve();
    }
    const joined: Array<Promise<void>> = [];
    for (let i = 2; i <= 20; i++) {
      wal.append(entry(1, i));
      joined.push(wal.flush());
    }
    assert.ok(joined.every((flush) => flush === joined[0]), 'later flushes join one queued flush');
    assert.notEqual(joined[0], first);
    await Promise.all([first, ...joined]);
    assert.equal(wal.stats.writes, 2);
    assert.equal(wal.stats.fsyncs, 2);
    await wal.close();
    const reopened = await openWal();
    assert.equal(reopened.replayed.length, 20);
    await reopened.wal.close();
  });

  test('a flush fsyncs on the calling thread only when every caller joining it may block', async () => {
    const calls: string[] = [];
    const counting: FileSystem = {
      ...nodeFileSystem,
      open: async (path, flags) => {
        const handle = await nodeFileSystem.open(path, flags);
        return Object.assign(Object.create(handle) as typeof handle, {
          datasync: () => (calls.push('thread pool'), handle.datasync()),
          datasyncSync: () => (calls.push('calling thread'), handle.datasyncSync()),
        });
      },
    };
    const { wal } = await WriteAheadLog.open({ dir, fsync: 'always', onRecord: () => undefined, fs: counting });
    calls.length = 0;
    wal.append(entry(1, 1));
    await wal.flush(true);
    wal.append(entry(1, 2));
    await Promise.all([wal.flush(true), wal.flush(false)]);
    wal.append(entry(1, 3));
    await wal.flush();
    assert.deepEqual(calls, ['calling thread', 'thread pool', 'thread pool']);
    await wal.close();
    const reopened = await openWal();
    assert.deepEqual(reopened.replayed.map((record) => record.kind === 'entry' && record.index), [1, 2, 3]);
    await reopened.wal.close();
  });

  test('flushes resolve in the order they were called', async () => {
    const { wal } = await openWal();
    const order: number[] = [];
    const flushes: Array<Promise<void>> = [];
    for (let turn = 0; turn < 5; turn++) {
      wal.append(entry(1, turn + 1));
      flushes.push(wal.flush().then(() => void order.push(turn)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(flushes);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.ok(wal.stats.fsyncs <= 5);
    await wal.close();
  });

  test("policy 'no' writes without fsync until close", async () => {
    const { wal } = await openWal({ fsync: 'no' });
    wal.append(entry(1, 1));
    await wal.flush();
    assert.equal(wal.stats.writes, 1);
    assert.equal(wal.stats.fsyncs, 0);
    await wal.close();
    assert.equal(wal.stats.fsyncs, 1);
  });

  test("policy 'everysec' resolves flush after the write and fsyncs from a timer", async () => {
    const { wal } = await openWal({ fsync: 'everysec' });
    wal.append(entry(1, 1));
    await wal.flush();
    assert.equal(wal.stats.writes, 1);
    assert.equal(wal.stats.fsyncs, 0);
    for (let waits = 0; wal.stats.fsyncs === 0; waits++) {
      assert.ok(waits < 100, 'the everysec timer fsynced within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(wal.stats.fsyncs, 1);
    await wal.close();
    assert.equal(wal.stats.fsyncs, 1, 'nothing left to fsync at close');
  });

  test('append and flush after close are refused', async () => {
    const { wal } = await openWal();
    await wal.close();
    assert.throws(() => wal.append(entry(1, 1)), /append after close/);
    await assert.rejects(wal.flush(), /closed/);
  });

  test('after a failed write every later flush fails with that error; reopening recovers what reached the disk', async () => {
    const logged: LogLine[] = [];
    const { wal } = await WriteAheadLog.open({ dir, fsync: 'always', onRecord: () => undefined, log: (level, message) => logged.push({ level, message }) });
    wal.append(entry(1, 1));
    await wal.flush();
    // Pull the file out from under the log (the test's stand-in for EIO or ENOSPC).
    await (wal as unknown as { handle: FileHandle }).handle.close();
    wal.append(entry(1, 2));
    await assert.rejects(wal.flush(), /write-ahead log write failed on .*wal-0000000000000001\.log: .*no further writes until restart/);
    wal.append(entry(1, 3));
    await assert.rejects(wal.flush(), /write failed/);
    await assert.rejects(wal.compact(1, 1), /write failed/);
    assert.deepEqual(logged.map((line) => line.level), ['error'], 'the failure is logged once');
    await assert.rejects(wal.close(), /write failed/);
    const reopened = await openWal();
    assert.deepEqual(reopened.replayed.map(plain), [entry(1, 1)].map(plain));
    await reopened.wal.close();
  });

  test('a record the log could not read back is refused at append', async () => {
    const { wal } = await openWal();
    assert.throws(() => wal.append({ kind: 'entry', group: 1, term: 1.5, index: 1, data: Buffer.alloc(0) }), /term/);
    assert.throws(() => wal.append({ kind: 'hardState', group: -1, term: 1, vote: 0, commit: 0 }), /group/);
    await wal.close();
  });
});

describe('write-ahead log recovery', () => {
  const records = [hardState(1, 2, 1, 0), entry(1, 1), entry(2, 1), hardState(1, 2, 1, 1), entry(1, 2, 'the last record')];
  let pristine: Buffer;
  let lastRecordAt = 0;

  beforeEach(async () => {
    await writeAndClose(records);
    const [segment] = await segmentFiles();
    pristine = await readFile(segment);
    lastRecordAt = pristine.length - walRecordBytes(records[records.length - 1]);
  });

  test('a torn last record, cut at any offset, is truncated away and logged', async () => {
    const [segment] = await segmentFiles();
    for (let cut = lastRecordAt + 1; cut < pristine.length; cut++) {
      await writeFile(segment, pristine.subarray(0, cut));
      const { wal, report, replayed, logged } = await openWal();
      assert.deepEqual(replayed.map(plain), records.slice(0, -1).map(plain), `cut at ${cut}`);
      assert.deepEqual(report.truncated && { ...report.truncated, reason: '' }, { segment, offsetBytes: lastRecordAt, droppedBytes: cut - lastRecordAt, reason: '' });
      assert.equal(logged.length, 1);
      assert.equal(logged[0].level, 'warn');
      assert.match(logged[0].message, new RegExp(`tail of .*wal-0000000000000001\\.log at offset ${lastRecordAt}, dropping ${cut - lastRecordAt} bytes`));
      assert.equal((await stat(segment)).size, lastRecordAt, 'the file is truncated');
      await wal.close();
    }
  });

  test('a log cut exactly between records opens without a warning', async () => {
    const [segment] = await segmentFiles();
    await writeFile(segment, pristine.subarray(0, lastRecordAt));
    const { wal, report, replayed, logged } = await openWal();
    assert.equal(replayed.length, records.length - 1);
    assert.equal(report.truncated, undefined);
    assert.deepEqual(logged, []);
    await wal.close();
  });

  test('after truncating a torn tail, new records follow the last valid one', async () => {
    const [segment] = await segmentFiles();
    await writeFile(segment, pristine.subarray(0, pristine.length - 3));
    const first = await openWal();
    first.wal.append(entry(1, 2, 'rewritten'));
    await first.wal.flush();
    await first.wal.close();
    const second = await openWal();
    assert.deepEqual(second.replayed.map(plain), [...records.slice(0, -1), entry(1, 2, 'rewritten')].map(plain));
    assert.equal(second.report.truncated, undefined);
    await second.wal.close();
  });

  test('a flipped byte anywhere in the last record truncates it', async () => {
    const [segment] = await segmentFiles();
    for (let at = lastRecordAt; at < pristine.length; at++) {
      const damaged = Buffer.from(pristine);
      damaged[at] ^= 0x10;
      await writeFile(segment, damaged);
      const { wal, report, replayed } = await openWal();
      assert.equal(replayed.length, records.length - 1, `byte ${at} flipped`);
      assert.equal(report.truncated?.offsetBytes, lastRecordAt);
      assert.match(report.truncated?.reason ?? '', /checksum|length|kind/);
      await wal.close();
    }
  });

  test('a zero-filled tail (space written ahead, or a size extended before a crash) ends the log without a warning', async () => {
    const [segment] = await segmentFiles();
    await writeFile(segment, Buffer.concat([pristine, Buffer.alloc(4096)]));
    const { wal, report, replayed, logged } = await openWal();
    assert.equal(replayed.length, records.length);
    assert.equal(report.truncated, undefined);
    assert.deepEqual(logged, []);
    await wal.close();
    assert.equal((await stat(segment)).size, pristine.length, 'the zeros are gone once the log is closed');
  });

  test('a torn record followed by zeros is still a torn record, and logged', async () => {
    const [segment] = await segmentFiles();
    await writeFile(segment, Buffer.concat([pristine.subarray(0, pristine.length - 3), Buffer.alloc(4096)]));
    const { wal, report, replayed, logged } = await openWal();
    assert.equal(replayed.length, records.length - 1);
    assert.equal(report.truncated?.offsetBytes, lastRecordAt);
    assert.equal(logged.length, 1);
    await wal.close();
  });

  test('a segment whose header never reached the disk is reset, not fatal, when it is the last', async () => {
    const [segment] = await segmentFiles();
    await writeFile(segment, Buffer.alloc(5));
    const { wal, report, replayed } = await openWal();
    assert.equal(replayed.length, 0);
    assert.equal(report.truncated?.offsetBytes, 0);
    wal.append(entry(1, 1));
    await wal.close();
    const reopened = await openWal();
    assert.equal(reopened.replayed.length, 1);
    await reopened.wal.close();
  });

  test('a file that is not a log segment refuses to start', async () => {
    const [segment] = await segmentFiles();
    await writeFile(segment, Buffer.from('definitely not a write-ahead log'));
    await assert.rejects(openWal(), /not a write-ahead log segment/);
  });

  test('a bad record in a segment that is not the last refuses to start, naming file and offset', async () => {
    const [first] = await segmentFiles();
    const second = join(dir, 'wal-0000000000000002.log');
    await copyFile(first, second);
    const damaged = Buffer.from(pristine);
    damaged[lastRecordAt + 20] ^= 0x01;
    await writeFile(first, damaged);
    await assert.rejects(openWal(), (error: Error) => {
      assert.match(error.message, new RegExp(`${first} at offset ${lastRecordAt}: checksum mismatch`));
      return true;
    });
    await writeFile(first, pristine.subarray(0, pristine.length - 1));
    await assert.rejects(openWal(), new RegExp(`${first} at offset ${lastRecordAt}`));
    assert.deepEqual((await readFile(first)).length, pristine.length - 1, 'nothing was truncated');
  });

  test('recovery report counts what was replayed', async () => {
    const { wal, report } = await openWal();
    assert.deepEqual({ ...report }, { segments: 1, records: records.length, bytes: pristine.length, truncated: undefined } satisfies RecoveryReport);
    await wal.close();
  });
});

describe('write-ahead log segments and compaction', () => {
  const SEGMENT_BYTES = 1024;
  const data = 'd'.repeat(200);

  async function fill(wal: WriteAheadLog, group: number, from: number, to: number): Promise<void> {
    for (let index = from; index <= to; index++) {
      wal.append(entry(group, index, data));
      await wal.flush();
    }
  }

  async function onDiskBytes(): Promise<number> {
    let total = 0;
    for (const file of await segmentFiles()) total += (await stat(file)).size;
    return total;
  }

  test('the log rolls to a new segment past segmentSizeBytes and replays across segments', async () => {
    const { wal } = await openWal({ segmentSizeBytes: SEGMENT_BYTES });
    await fill(wal, 1, 1, 30);
    assert.ok(wal.stats.segments > 3, `${wal.stats.segments} segments`);
    assert.equal((await segmentFiles()).length, wal.stats.segments);
    await wal.close();
    const { wal: reopened, replayed, report } = await openWal({ segmentSizeBytes: SEGMENT_BYTES });
    assert.deepEqual(replayed.filter((r) => r.kind === 'entry').map((r) => r.kind === 'entry' && r.index), Array.from({ length: 30 }, (_, i) => i + 1));
    assert.equal(report.segments, (await segmentFiles()).length);
    await reopened.close();
  });

  test('every new segment starts with the latest hard state of every group', async () => {
    const { wal } = await openWal({ segmentSizeBytes: SEGMENT_BYTES });
    wal.append(hardState(1, 3, 2, 0));
    wal.append(hardState(2, 9, 9, 9));
    await fill(wal, 1, 1, 4);
    wal.append(hardState(1, 3, 2, 4));
    await fill(wal, 1, 5, 12);
    await wal.close();
    const files = await segmentFiles();
    assert.ok(files.length >= 3);
    const headOfLast = (await readFile(files[files.length - 1])).subarray(12, 12 + 2 * walRecordBytes(hardState(1, 0, 0, 0)));
    assert.deepEqual(headOfLast, Buffer.concat([encodeWalRecord(hardState(1, 3, 2, 4)), encodeWalRecord(hardState(2, 9, 9, 9))]));
  });

  test('compaction deletes the segments a snapshot covers; hard state survives deleting the segment it was written in', async () => {
    const { wal } = await openWal({ segmentSizeBytes: SEGMENT_BYTES });
    wal.append(hardState(1, 5, 2, 3));
    await fill(wal, 1, 1, 20);
    const firstSegment = (await segmentFiles())[0];
    const segmentsBefore = wal.stats.segments;
    await wal.compact(1, 15);
    assert.ok(wal.stats.segments < segmentsBefore, `${segmentsBefore} → ${wal.stats.segments} segments`);
    assert.ok(!(await segmentFiles()).includes(firstSegment), 'the segment holding the hard state is gone');
    assert.equal(wal.stats.bytesSinceCompaction, await onDiskBytes());
    await fill(wal, 1, 21, 22);
    await wal.close();
    const { wal: reopened, replayed } = await openWal({ segmentSizeBytes: SEGMENT_BYTES });
    const states = replayed.filter((record) => record.kind === 'hardState');
    assert.ok(states.length > 0);
    assert.deepEqual(states[states.length - 1], hardState(1, 5, 2, 3));
    const indexes = replayed.flatMap((record) => (record.kind === 'entry' ? [record.index] : []));
    assert.deepEqual(indexes.filter((index) => index > 15), [16, 17, 18, 19, 20, 21, 22], 'nothing past the snapshot is lost');
    assert.ok(indexes[0] > 1, 'covered entries were deleted');
    await reopened.close();
  });

  test('compacting everything leaves only the active segment, headed by the hard state', async () => {
    const { wal } = await openWal({ segmentSizeBytes: SEGMENT_BYTES });
    wal.append(hardState(1, 5, 2, 10));
    await fill(wal, 1, 1, 10);
    await wal.compact(1, 10);
    assert.equal(wal.stats.segments, 1);
    assert.equal(wal.stats.bytesSinceCompaction, await onDiskBytes());
    await wal.close();
    const { wal: reopened, replayed } = await openWal();
    assert.deepEqual(replayed, [hardState(1, 5, 2, 10)]);
    await reopened.close();
  });

  test('a segment stays while another group still needs entries in it', async () => {
    const { wal } = await openWal({ segmentSizeBytes: SEGMENT_BYTES });
    wal.append(entry(2, 1, data));
    await fill(wal, 1, 1, 20);
    const segmentsBefore = wal.stats.segments;
    await wal.compact(1, 20);
    assert.equal(wal.stats.segments, segmentsBefore + 1, 'nothing deleted; the active segment was closed');
    await wal.compact(2, 1);
    assert.equal(wal.stats.segments, 1);
    await wal.close();
  });

  test('a covered segment after one still needed is kept, so a rewritten suffix cannot come back', async () => {
    const { wal } = await openWal({ segmentSizeBytes: SEGMENT_BYTES });
    await fill(wal, 1, 1, 10); // term 1
    await wal.compact(1, 0); // close the segment
    // A new leader rewrites the log from index 5 in term 2 (entries 6..10 of term 1 are gone).
    wal.append(entry(1, 5, 'term 2', 2));
    await wal.flush();
    await wal.compact(1, 5);
    assert.ok(wal.stats.segments >= 3, 'the segment with the rewrite is not deleted ahead of the one it overrides');
    await wal.close();
    const { wal: reopened, replayed } = await openWal();
    const last = replayed[replayed.length - 1];
    assert.deepEqual(plain(last), plain(entry(1, 5, 'term 2', 2)), 'the rewrite is still replayed after the entries it replaces');
    await reopened.close();
  });

  test('bytesSinceCompaction counts written bytes until a compaction resets it', async () => {
    // Compared once closed: an open log's active segment ends in zeros written ahead.
    const { wal, report } = await openWal({ segmentSizeBytes: 1024 * 1024 });
    assert.equal(wal.stats.bytesSinceCompaction, report.bytes);
    await fill(wal, 1, 1, 10);
    await wal.close();
    assert.equal(wal.stats.bytesSinceCompaction, await onDiskBytes());
    const reopened = await openWal({ segmentSizeBytes: 1024 * 1024 });
    assert.equal(reopened.report.bytes, await onDiskBytes());
    await reopened.wal.compact(1, 10);
    await reopened.wal.close();
    assert.equal(reopened.wal.stats.bytesSinceCompaction, await onDiskBytes());
    assert.ok(reopened.wal.stats.bytesSinceCompaction < 100);
  });

  test('zeros are written ahead of the records while the log is open, and gone after a clean close', async () => {
    const { wal } = await openWal({ segmentSizeBytes: 1024 * 1024 });
    await fill(wal, 1, 1, 3);
    const [segment] = await segmentFiles();
    const open = await readFile(segment);
    assert.equal(open.length, 1024 * 1024, 'zeroed ahead up to the segment size');
    await wal.close();
    const closed = await readFile(segment);
    assert.ok(closed.length < 1024, 'truncated to its records');
    assert.ok(open.subarray(closed.length).every((byte) => byte === 0) && open.subarray(0, closed.length).equals(closed));
    // A crash leaves the zeros: they are the end of the log, not a torn record.
    await writeFile(segment, open);
    const reopened = await openWal({ segmentSizeBytes: 1024 * 1024 });
    assert.equal(reopened.replayed.length, 3);
    assert.equal(reopened.report.truncated, undefined);
    assert.deepEqual(reopened.logged, []);
    await reopened.wal.close();
  });

  test('a torn tail in the newest segment is truncated even when older segments exist', async () => {
    const { wal } = await openWal({ segmentSizeBytes: SEGMENT_BYTES });
    await fill(wal, 1, 1, 12);
    await wal.close();
    const files = await segmentFiles();
    const last = files[files.length - 1];
    const size = (await stat(last)).size;
    await truncate(last, size - 1);
    const { wal: reopened, report, replayed } = await openWal({ segmentSizeBytes: SEGMENT_BYTES });
    assert.equal(report.truncated?.segment, last);
    assert.deepEqual(replayed.filter((r) => r.kind === 'entry').map((r) => r.kind === 'entry' && r.index), Array.from({ length: 11 }, (_, i) => i + 1));
    await reopened.close();
  });
});
