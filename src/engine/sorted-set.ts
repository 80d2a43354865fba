// A sorted set: members ordered by (score, member bytes) in an order-statistic B+tree
// (ranked-tree.ts: O(log n) insert, delete, rank and access by rank), plus a Map member → score
// for O(1) lookups. Nothing here draws randomness: replicas applying the same log build the
// same structure.

import assert from 'node:assert/strict';
import type { CollectionValue } from './keyspace.js';
import { RankedTree } from './ranked-tree.js';
import { MemoryEstimate } from './memory.js';

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
  readonly memory = new MemoryEstimate();
  readonly scores = new Map<string, number>();
  private readonly order = new RankedTree();

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

  /**
   * Adds or re-scores a member. -0 is stored as 0, as Redis stores it. A caller that has just
   * looked the member up passes what it found as `old`, saving a second lookup.
   */
  add(member: string, score: number, old = this.scores.get(member)): void {
    assert.ok(!Number.isNaN(score), 'sorted set scores are never NaN');
    const stored = score === 0 ? 0 : score;
    if (old !== undefined) {
      if (old === stored) return;
      this.order.remove(old, member);
    }
    this.scores.set(member, stored);
    this.order.insert(stored, member);
  }

  remove(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.scores.delete(member);
    this.order.remove(score, member);
    return true;
  }

  /** 0-based rank of a member in ascending order, or undefined. */
  rank(member: string): number | undefined {
    const score = this.scores.get(member);
    return score === undefined ? undefined : this.order.rank(score, member);
  }

  /** Members with scores from rank `start` to `end` inclusive (already clamped), ascending or not. */
  rangeByRank(start: number, end: number, reverse: boolean): Array<[string, number]> {
    return this.order.range(start, end, reverse);
  }

  /** 0-based rank of the first member with score within `min`, or size if none. */
  firstRankAtLeast(min: ScoreBound): number {
    return this.order.firstRankWhere((score) => aboveMin(score, min));
  }

  /** 0-based rank of the first member not below the lex bound (scores assumed equal). */
  firstRankAtLeastLex(min: LexBound): number {
    return this.order.firstRankWhere((_score, member) => lexAboveMin(member, min));
  }

  entries(): IterableIterator<[string, number]> {
    return this.order.entries();
  }
}
