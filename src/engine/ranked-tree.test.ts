import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RankedTree } from './ranked-tree.js';

type Pair = [member: string, score: number];

const byScoreThenMember = (a: Pair, b: Pair): number => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Every query of the tree against the sorted array it must equal. */
function checkAgainst(tree: RankedTree, model: Map<string, number>, probes: readonly number[]): void {
  const sorted = [...model].sort(byScoreThenMember);
  assert.equal(tree.size, sorted.length);
  assert.deepEqual([...tree.entries()], sorted);
  for (const probe of probes) {
    if (sorted.length === 0) break;
    const rank = probe % sorted.length;
    const [member, score] = sorted[rank];
    assert.equal(tree.rank(score, member), rank);
    const end = Math.min(sorted.length - 1, rank + 70);
    assert.deepEqual(tree.range(rank, end, false), sorted.slice(rank, end + 1));
    assert.deepEqual(tree.range(rank, end, true), [...sorted].reverse().slice(rank, end + 1));
    const threshold = score + 0.5;
    assert.equal(tree.firstRankWhere((s) => s >= threshold), sorted.filter(([, s]) => s < threshold).length);
    assert.equal(tree.firstRankWhere((s, m) => s > score || (s === score && m >= member)), rank);
  }
  assert.equal(tree.firstRankWhere(() => true), 0);
  assert.equal(tree.firstRankWhere(() => false), sorted.length);
}

test('the tree agrees with a sorted array through splits and merges (thousands of pairs)', () => {
  const member = fc.integer({ min: 0, max: 3000 }).map((n) => `m${n}`);
  const op = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.constant('add' as const), member, fc.integer({ min: -50, max: 50 })) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('remove' as const), member, fc.constant(0)) },
  );
  fc.assert(fc.property(fc.array(op, { minLength: 500, maxLength: 4000 }), fc.array(fc.nat(), { maxLength: 8 }), (ops, probes) => {
    const tree = new RankedTree();
    const model = new Map<string, number>();
    for (const [kind, name, score] of ops) {
      const old = model.get(name);
      if (old !== undefined) tree.remove(old, name);
      if (kind === 'add') {
        tree.insert(score, name);
        model.set(name, score);
      } else model.delete(name);
    }
    checkAgainst(tree, model, probes);
  }), { numRuns: 60 });
});

test('removing everything, in any order, merges nodes correctly and leaves an empty tree that still works', () => {
  fc.assert(fc.property(fc.shuffledSubarray(Array.from({ length: 2000 }, (_, i) => i), { minLength: 2000 }), (order) => {
    const tree = new RankedTree();
    const model = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      tree.insert(i % 7, `m${i}`);
      model.set(`m${i}`, i % 7);
    }
    order.forEach((i, removed) => {
      tree.remove(i % 7, `m${i}`);
      model.delete(`m${i}`);
      if (removed % 400 === 399) checkAgainst(tree, model, [0, 17, 150, 901]);
    });
    assert.equal(tree.size, 0);
    assert.deepEqual([...tree.entries()], []);
    tree.insert(1, 'again');
    checkAgainst(tree, new Map([['again', 1]]), [0]);
  }), { numRuns: 20 });
});

test('ascending and descending bulk loads (clone, snapshot restore) keep every rank', () => {
  for (const descending of [false, true]) {
    const tree = new RankedTree();
    const model = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) {
      const n = descending ? 50_000 - i : i;
      tree.insert(n, `m${n}`);
      model.set(`m${n}`, n);
    }
    checkAgainst(tree, model, [0, 1, 63, 64, 65, 4095, 4096, 25_000, 49_999]);
  }
});

test('the same operations build the same tree (replicas agree on the shape)', () => {
  const build = () => {
    const tree = new RankedTree();
    for (let i = 0; i < 5000; i++) tree.insert((i * 7919) % 1009, `m${i}`);
    for (let i = 0; i < 5000; i += 3) tree.remove((i * 7919) % 1009, `m${i}`);
    // A removed run empties and merges whole leaves.
    for (let i = 1000; i < 4000; i++) if (i % 3 !== 0) tree.remove((i * 7919) % 1009, `m${i}`);
    return tree;
  };
  assert.deepEqual(build(), build());
});

test('a three-level tree shrinks by merging branches and keeps every rank', () => {
  const tree = new RankedTree();
  const model = new Map<string, number>();
  for (let i = 0; i < 40_000; i++) {
    tree.insert(i % 101, `m${i}`);
    model.set(`m${i}`, i % 101);
  }
  // Remove 19 of every 20 pairs, a band at a time, checking as the branches empty and merge.
  for (let band = 0; band < 101; band++) {
    for (let i = band; i < 40_000; i += 101) {
      if (i % 20 === 0) continue;
      tree.remove(i % 101, `m${i}`);
      model.delete(`m${i}`);
    }
    if (band % 25 === 24) checkAgainst(tree, model, [0, 5, 99, 1234, 1999]);
  }
  checkAgainst(tree, model, [0, 1, 2, 1000, 1999]);
});
