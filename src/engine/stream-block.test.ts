import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BLOCK_ENTRIES, StreamBlock } from './stream-block.js';
import { STREAM_ID_PART_MAX, compareIds } from './stream-value.js';
import type { StreamId } from './stream-value.js';

interface ModelEntry { readonly id: StreamId; readonly fields: string[]; live: boolean }

const latin1Text = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.string({ minLength: 120, maxLength: 300 }),
  fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const fieldName = fc.constantFrom('f', 'name', 'price', '');
const fieldList = fc.array(fc.tuple(fieldName, latin1Text), { minLength: 1, maxLength: 3 }).map((pairs) => pairs.flat());
/** How far the next ID is from the previous one: same ms (seq steps), small and huge ms gaps. */
const step = fc.record({
  ms: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2 ** 31, max: 2 ** 45 })),
  seq: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 2 ** 32, max: 2 ** 50 })),
});

function nextId(previous: StreamId | undefined, gap: { ms: number; seq: number }): StreamId | undefined {
  if (previous === undefined) return { ms: gap.ms, seq: gap.seq };
  const id = gap.ms === 0 ? { ms: previous.ms, seq: previous.seq + 1 + gap.seq } : { ms: previous.ms + gap.ms, seq: gap.seq };
  return id.ms <= STREAM_ID_PART_MAX && id.seq <= STREAM_ID_PART_MAX ? id : undefined;
}

test('packed blocks read back every ID, field and hole a model holds, across many blocks at once', () => {
  const operation = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), block: fc.nat(39), gap: step, fields: fieldList, live: fc.boolean(), bare: fc.boolean() }),
    fc.record({ kind: fc.constant('delete' as const), block: fc.nat(39), pick: fc.nat() }),
    fc.record({ kind: fc.constant('find' as const), block: fc.nat(39), pick: fc.nat(), strictly: fc.boolean() }),
  );
  fc.assert(fc.property(fc.array(operation, { maxLength: 600 }), (operations) => {
    // 40 blocks used in turn: more than keep decoded positions, so positions are rebuilt.
    const blocks = Array.from({ length: 40 }, () => new StreamBlock());
    const models: ModelEntry[][] = blocks.map(() => []);
    for (const op of operations) {
      const block = blocks[op.block];
      const model = models[op.block];
      if (op.kind === 'push') {
        const id = nextId(model[model.length - 1]?.id, op.gap);
        if (id === undefined || block.full) continue;
        // A restored hole has no fields left.
        const fields = !op.live && op.bare ? [] : op.fields;
        block.push(id, fields, op.live);
        model.push({ id, fields, live: op.live });
      } else if (op.kind === 'delete') {
        const live = model.filter((entry) => entry.live);
        if (live.length === 0) continue;
        const victim = live[op.pick % live.length];
        block.delete(model.indexOf(victim));
        victim.live = false;
      } else if (model.length > 0) {
        const probe = model[op.pick % model.length].id;
        const expected = model.findIndex((entry) => (op.strictly ? compareIds(entry.id, probe) > 0 : compareIds(entry.id, probe) >= 0));
        assert.equal(block.firstIndexFrom(probe, op.strictly), expected === -1 ? model.length : expected);
      }
    }
    blocks.forEach((block, b) => {
      const model = models[b];
      assert.equal(block.length, model.length);
      assert.equal(block.live, model.filter((entry) => entry.live).length);
      assert.equal(block.full, model.length === BLOCK_ENTRIES);
      model.forEach((entry, i) => {
        assert.deepEqual(block.id(i), entry.id);
        assert.equal(block.compare(i, entry.id), 0);
        assert.equal(block.isLive(i), entry.live);
        if (entry.live) assert.deepEqual(block.fields(i), entry.fields);
      });
    });
  }), { numRuns: 60 });
});

test('a full block of one-field entries with short values packs into about 7 bytes an entry', () => {
  const block = new StreamBlock();
  for (let i = 0; i < BLOCK_ENTRIES; i++) block.push({ ms: 1000 + i, seq: 0 }, ['f', 'xxx']);
  assert.ok(block.full);
  assert.ok(block.packedBytes <= 7 * BLOCK_ENTRIES + 4, `${block.packedBytes} bytes`);
  assert.deepEqual(block.fields(BLOCK_ENTRIES - 1), ['f', 'xxx']);
});

test('full blocks keep only their own bytes alive, not the shared buffer pool they were filled beside', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const arrayBufferBytes = (): number => {
    gc();
    return process.memoryUsage().arrayBuffers;
  };
  const before = arrayBufferBytes();
  const blocks: StreamBlock[] = [];
  for (let b = 0; b < 300; b++) {
    const block = new StreamBlock();
    for (let i = 0; i < BLOCK_ENTRIES; i++) {
      block.push({ ms: 1000 + i, seq: 0 }, ['f', 'xxx']);
      // What a server does between two appends: short-lived buffers cut from Node's pool.
      Buffer.from(`a reply to client ${i}, cut from the pool`);
    }
    blocks.push(block);
  }
  // Measured while `blocks` still holds every block (it is read below, after the GC).
  const perEntry = (arrayBufferBytes() - before) / (blocks.length * BLOCK_ENTRIES);
  assert.ok(perEntry < 12, `${perEntry.toFixed(1)} bytes of buffers per entry`);
});
