// The window of appends sent to one follower and not yet acknowledged (flow control): a leader
// stops sending to a follower whose window is full until acknowledgements free it.

import assert from 'node:assert/strict';

export class Inflights {
  /** Last entry index of each in-flight append, oldest first, as a ring buffer. */
  private readonly buffer: number[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    assert.ok(capacity >= 1, 'at least one append must be allowed in flight');
    this.buffer = new Array<number>(capacity).fill(0);
  }

  add(lastIndex: number): void {
    assert.ok(!this.full(), 'in-flight window overflow');
    this.buffer[(this.start + this.count) % this.capacity] = lastIndex;
    this.count++;
  }

  /** Frees every append whose last index is <= `index` (acknowledged). */
  freeLE(index: number): void {
    while (this.count > 0 && this.buffer[this.start] <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  freeFirstOne(): void {
    if (this.count === 0) return;
    this.start = (this.start + 1) % this.capacity;
    this.count--;
  }

  full(): boolean {
    return this.count === this.capacity;
  }

  size(): number {
    return this.count;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}
