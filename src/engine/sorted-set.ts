// A sorted set: members ordered by (score, member bytes) in a skip list with spans (Redis's
// zskiplist: O(log n) insert, delete, rank and access by rank), plus a Map member → score.
// Node levels come from a PRNG with a fixed seed, never Math.random: every replica applying
// the same log builds the same structure.

import assert from 'node:assert/strict';
import type { CollectionValue } from './keyspace.js';
import { seededRandom } from './seeded-random.js';

const MAX_LEVEL = 32;
const LEVEL_PROBABILITY = 0.25;


class SkipNode {
  readonly next: Array<SkipNode | null>;
  readonly span: number[];
  backward: SkipNode | null = null;

  constructor(readonly member: string, public score: number, level: number) {
    this.next = new Array<SkipNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

/** Scratch space for insert/unlink (single-threaded, never re-entered), to avoid allocations. */
const scratchUpdate: SkipNode[] = new Array(MAX_LEVEL);
const scratchRank: number[] = new Array(MAX_LEVEL).fill(0);

/** (score, member) ordering: Redis compares members by bytes, as latin1 JS strings do. */
function before(score: number, member: string, node: SkipNode): boolean {
  return node.score < score || (node.score === score && node.member < member);
}

export interface ScoreBound { readonly value: number; readonly exclusive: boolean }
export interface LexBound { readonly value: string; readonly exclusive: boolean; readonly infinite?: 'min' | 'max' }

export function aboveMin(score: number, min: ScoreBound): boolean {
  return min.exclusive ? score > min.value : score >= min.value;
}

export function belowMax(score: number, max: ScoreBound): boolean {
  return max.exclusive ? score < max.value : score <= max.value;
}

export function lexAboveMin(member: string, min: LexBound): boolean {
  if (min.infinite === 'min') return true;
  if (min.infinite === 'max') return false;
  return min.exclusive ? member > min.value : member >= min.value;
}

export function lexBelowMax(member: string, max: LexBound): boolean {
  if (max.infinite === 'max') return true;
  if (max.infinite === 'min') return false;
  return max.exclusive ? member < max.value : member <= max.value;
}

export class SortedSetValue implements CollectionValue {
  readonly type = 'zset';
  estimatedBytes = 0;
  readonly scores = new Map<string, number>();
  private readonly head = new SkipNode('', -Infinity, MAX_LEVEL);
  private level = 1;
  private readonly random = seededRandom(0x5eed);

  get size(): number {
    return this.scores.size;
  }

  clone(): SortedSetValue {
    const copy = new SortedSetValue();
    for (const [member, score] of this.entries()) copy.add(member, score);
    return copy;
  }

  sampleElementBytes(limit: number): number {
    let bytes = 0;
    let sampled = 0;
    for (const member of this.scores.keys()) {
      if (sampled++ === limit) break;
      bytes += member.length + 24;
    }
    return sampled === 0 ? 0 : bytes / Math.min(sampled, limit);
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Adds or re-scores a member. */
  add(member: string, score: number): void {
    assert.ok(!Number.isNaN(score), 'sorted set scores are never NaN');
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return;
      this.unlink(member, old);
    }
    this.scores.set(member, score);
    this.insert(member, score);
  }

  remove(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.scores.delete(member);
    this.unlink(member, score);
    return true;
  }

  /** 0-based rank of a member in ascending order, or undefined. */
  rank(member: string): number | undefined {
    const score = this.scores.get(member);
    if (score === undefined) return undefined;
    let rank = 0;
    let node = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = node.next[i]; next !== null && (before(score, member, next) || (next.score === score && next.member === member)); next = node.next[i]) {
        rank += node.span[i];
        node = next;
      }
      if (node.member === member && node !== this.head) return rank - 1;
    }
    assert.fail('member in the map but not in the skip list');
  }

  /** The node at 0-based rank, which must be in range. */
  private nodeAt(rank: number): SkipNode {
    assert.ok(rank >= 0 && rank < this.size, 'rank in range');
    let traversed = 0;
    let node = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (node.next[i] !== null && traversed + node.span[i] <= rank + 1) {
        traversed += node.span[i];
        node = node.next[i] as SkipNode;
      }
      if (traversed === rank + 1) return node;
    }
    assert.fail('rank not reached');
  }

  /** Members with scores from rank `start` to `end` inclusive (already clamped), ascending or not. */
  rangeByRank(start: number, end: number, reverse: boolean): Array<[string, number]> {
    const result: Array<[string, number]> = [];
    if (start > end) return result;
    let node: SkipNode | null = this.nodeAt(reverse ? this.size - 1 - start : start);
    for (let i = start; i <= end && node !== null; i++) {
      result.push([node.member, node.score]);
      node = reverse ? node.backward : node.next[0];
    }
    return result;
  }

  /** 0-based rank of the first member with score within `min`, or size if none. */
  firstRankAtLeast(min: ScoreBound): number {
    let rank = 0;
    let node = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = node.next[i]; next !== null && !aboveMin(next.score, min); next = node.next[i]) {
        rank += node.span[i];
        node = next;
      }
    }
    return rank;
  }

  /** 0-based rank of the first member not below the lex bound (scores assumed equal). */
  firstRankAtLeastLex(min: LexBound): number {
    let rank = 0;
    let node = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = node.next[i]; next !== null && !lexAboveMin(next.member, min); next = node.next[i]) {
        rank += node.span[i];
        node = next;
      }
    }
    return rank;
  }

  *entries(): IterableIterator<[string, number]> {
    for (let node = this.head.next[0]; node !== null; node = node.next[0]) yield [node.member, node.score];
  }

  private randomLevel(): number {
    let level = 1;
    while (level < MAX_LEVEL && this.random() < LEVEL_PROBABILITY) level++;
    return level;
  }

  private insert(member: string, score: number): void {
    const update = scratchUpdate;
    const rank = scratchRank;
    let node = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      for (let next = node.next[i]; next !== null && before(score, member, next); next = node.next[i]) {
        rank[i] += node.span[i];
        node = next;
      }
      update[i] = node;
    }
    const level = this.randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.scores.size - 1;
      }
      this.level = level;
    }
    const created = new SkipNode(member, score, level);
    for (let i = 0; i < level; i++) {
      created.next[i] = update[i].next[i];
      update[i].next[i] = created;
      created.span[i] = update[i].span[i] - (rank[0] - rank[i]);
      update[i].span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    created.backward = update[0] === this.head ? null : update[0];
    if (created.next[0] !== null) (created.next[0] as SkipNode).backward = created;
  }

  private unlink(member: string, score: number): void {
    const update = scratchUpdate;
    let node = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let next = node.next[i]; next !== null && before(score, member, next); next = node.next[i]) node = next;
      update[i] = node;
    }
    const target = node.next[0];
    assert.ok(target !== null && target.member === member && target.score === score, 'unlinked node exists');
    for (let i = 0; i < this.level; i++) {
      if (update[i].next[i] === target) {
        update[i].span[i] += target.span[i] - 1;
        update[i].next[i] = target.next[i];
      } else {
        update[i].span[i]--;
      }
    }
    if (target.next[0] !== null) (target.next[0] as SkipNode).backward = target.backward;
    while (this.level > 1 && this.head.next[this.level - 1] === null) this.level--;
  }
}
