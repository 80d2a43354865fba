import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BLOCK_ENTRIES, MAX_ID, StreamValue, ZERO_ID, compareIds } from './stream-value.js';
import type { StreamId } from './stream-value.js';
import { decodeKeyspace, encodeKeyspace } from './keyspace-snapshot.js';
import { Keyspace } from './keyspace.js';

type ModelEntry = { id: StreamId; fields: string[]; live: boolean; block: number };

const idAt = (n: number): StreamId => ({ ms: Math.floor(n / 3), seq: n % 3 });
const inRange = (id: StreamId, start: StreamId, end: StreamId): boolean => compareIds(id, start) >= 0 && compareIds(id, end) <= 0;

/** A model with Redis's trimming rules: whole blocks of BLOCK_ENTRIES appended entries. */
class Model {
  entries: ModelEntry[] = [];
  private appended = 0;

  append(id: StreamId, fields: string[]): void {
    this.entries.push({ id, fields, live: true, block: Math.floor(this.appended++ / BLOCK_ENTRIES) });
  }

  get live(): ModelEntry[] {
    return this.entries.filter((entry) => entry.live);
  }

  range(start: StreamId, end: StreamId, count: number, reverse: boolean): Array<[StreamId, string[]]> {
    const matching = this.live.filter((entry) => inRange(entry.id, start, end));
    const ordered = reverse ? matching.reverse() : matching;
    return (count < 0 ? ordered : ordered.slice(0, count)).map((entry) => [entry.id, entry.fields]);
  }

  /** Blocks vanish when their last live entry goes; trimming walks whole live blocks first. */
  trim(rule: { maxLength: number } | { minId: StreamId }, approximate: boolean, limit: number): number {
    let removed = 0;
    for (;;) {
      const live = this.live;
      if (live.length === 0) return removed;
      const firstBlock = live[0].block;
      const blockLive = live.filter((entry) => entry.block === firstBlock);
      const blockAll = this.entries.filter((entry) => entry.block === firstBlock);
      const whole = 'maxLength' in rule ? live.length - blockLive.length >= rule.maxLength : compareIds(blockAll[blockAll.length - 1].id, rule.minId) < 0;
      if (whole) {
        if (limit >= 0 && removed + blockLive.length > limit) return removed;
        for (const entry of blockLive) entry.live = false;
        removed += blockLive.length;
        continue;
      }
      if (approximate) return removed;
      for (const entry of blockLive) {
        const mustGo = 'maxLength' in rule ? this.live.length - 1 >= rule.maxLength : compareIds(entry.id, rule.minId) < 0;
        if (!mustGo) break;
        entry.live = false;
        removed++;
      }
      if (this.live.some((entry) => entry.block === firstBlock)) return removed;
    }
  }
}

test('a stream agrees with a model on appends, deletes, ranges and exact and approximate trims', () => {
  const op = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('append' as const), gap: fc.integer({ min: 1, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('trim' as const), maxLength: fc.nat({ max: 400 }), approximate: fc.boolean(), limit: fc.integer({ min: -1, max: 250 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('trimMinId' as const), at: fc.nat(), approximate: fc.boolean() }) },
  );
  fc.assert(fc.property(fc.array(op, { minLength: 50, maxLength: 1500 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: -1, max: 50 }), fc.boolean()), { maxLength: 10 }), (ops, probes) => {
    const stream = new StreamValue();
    const model = new Model();
    let next = 1;
    for (const step of ops) {
      if (step.kind === 'append') {
        next += step.gap;
        const fields = ['n', String(next)];
        stream.append(idAt(next), fields);
        model.append(idAt(next), fields);
      } else if (step.kind === 'delete') {
        const id = idAt(step.at % (next + 2));
        const target = model.entries.find((entry) => entry.live && compareIds(entry.id, id) === 0);
        assert.equal(stream.delete(id), target !== undefined);
        if (target !== undefined) target.live = false;
      } else if (step.kind === 'trim') {
        const limit = step.approximate ? step.limit : -1;
        assert.equal(stream.trim({ maxLength: step.maxLength }, step.approximate, limit), model.trim({ maxLength: step.maxLength }, step.approximate, limit));
      } else {
        const minId = idAt(step.at % (next + 2));
        assert.equal(stream.trim({ minId }, step.approximate, -1), model.trim({ minId }, step.approximate, -1));
      }
      assert.equal(stream.size, model.live.length);
    }
    assert.deepEqual([...stream.entries()], model.range(ZERO_ID, MAX_ID, -1, false));
    for (const [a, b, count, reverse] of probes) {
      const [start, end] = [idAt(a % (next + 2)), idAt(b % (next + 2))];
      assert.deepEqual(stream.range(start, end, count, reverse), model.range(start, end, count, reverse));
    }
    // A snapshot keeps the blocks: the restored stream trims as the original would.
    const keyspace = new Keyspace();
    keyspace.set('s', stream);
    const restored = decodeKeyspace(Buffer.concat(encodeKeyspace(keyspace))).get('s', 0) as StreamValue;
    assert.deepEqual(restored.snapshotBlocks(), stream.snapshotBlocks());
    assert.deepEqual([restored.lastId, restored.maxDeletedId, restored.entriesAdded], [stream.lastId, stream.maxDeletedId, stream.entriesAdded]);
    assert.deepEqual(stream.clone().snapshotBlocks(), stream.snapshotBlocks());
  }), { numRuns: 150 });
});

test('an approximate trim removes whole blocks up to LIMIT entries, the limit itself included', () => {
  const filled = (): StreamValue => {
    const stream = new StreamValue();
    for (let i = 1; i <= 3 * BLOCK_ENTRIES; i++) stream.append({ ms: i, seq: 0 }, ['f', 'v']);
    return stream;
  };
  assert.equal(filled().trim({ maxLength: 0 }, true, 2 * BLOCK_ENTRIES), 2 * BLOCK_ENTRIES);
  assert.equal(filled().trim({ maxLength: 0 }, true, 2 * BLOCK_ENTRIES - 1), BLOCK_ENTRIES);
  assert.equal(filled().trim({ maxLength: 0 }, true, -1), 3 * BLOCK_ENTRIES);
  assert.equal(filled().trim({ minId: { ms: BLOCK_ENTRIES + 1, seq: 0 } }, true, -1), BLOCK_ENTRIES, 'MINID takes blocks wholly below it');
  assert.equal(filled().trim({ minId: { ms: BLOCK_ENTRIES, seq: 0 } }, true, -1), 0);
});
