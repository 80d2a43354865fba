// A small seeded PRNG (splitmix32 seeding xoshiro128**): the simulator's only randomness, so a
// seed reproduces a run exactly.

import assert from 'node:assert/strict';
import type { RandomSource } from '../src/raft/index.js';

export class Prng implements RandomSource {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  nextInt(bound: number): number {
    assert.ok(Number.isInteger(bound) && bound > 0 && bound <= 0x100000000, `bad bound ${bound}`);
    return Math.floor((this.nextU32() / 0x100000000) * bound);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextU32() / 0x100000000;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  between(lo: number, hi: number): number {
    return lo + this.nextInt(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    assert.ok(items.length > 0, 'pick from an empty list');
    return items[this.nextInt(items.length)];
  }

  /** An independent stream derived from this one (so one concern's draws don't shift another's). */
  fork(): Prng {
    return new Prng(this.nextU32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
