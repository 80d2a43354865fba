// The simulator's clock: a priority queue of callbacks by simulated time (ties broken by
// insertion order, so a seed always replays the same interleaving).

import assert from 'node:assert/strict';

interface Event {
  readonly timeMs: number;
  readonly seq: number;
  readonly run: () => void;
}

export class EventQueue {
  private heap: Event[] = [];
  private seq = 0;
  nowMs = 0;

  constructor(readonly maxEvents = 5_000_000) {}

  at(timeMs: number, run: () => void): void {
    assert.ok(timeMs >= this.nowMs, `scheduling in the past: ${timeMs} < ${this.nowMs}`);
    assert.ok(this.heap.length < this.maxEvents, 'the event queue is bounded');
    this.heap.push({ timeMs, seq: this.seq++, run });
    this.up(this.heap.length - 1);
  }

  after(delayMs: number, run: () => void): void {
    this.at(this.nowMs + delayMs, run);
  }

  size(): number {
    return this.heap.length;
  }

  /** Runs the next event; false when none is left before `untilMs`. */
  runNext(untilMs: number): boolean {
    const top = this.heap[0];
    if (top === undefined || top.timeMs > untilMs) return false;
    const last = this.heap.pop();
    assert.ok(last !== undefined);
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    this.nowMs = top.timeMs;
    top.run();
    return true;
  }

  private less(a: Event, b: Event): boolean {
    return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
