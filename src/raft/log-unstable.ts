// The part of the log not yet known durable: entries (and perhaps a snapshot) that the next
// Ready hands to the host to persist. Entries below `offset` are in Storage.

import assert from 'node:assert/strict';
import type { Entry, Snapshot } from './types.js';

export class Unstable {
  snapshot: Snapshot | undefined = undefined;
  entries: Entry[] = [];

  constructor(public offset: number) {}

  maybeFirstIndex(): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.meta.index + 1;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot === undefined ? undefined : this.snapshot.meta.index;
  }

  maybeTerm(i: number): number | undefined {
    if (i < this.offset) {
      if (this.snapshot !== undefined && this.snapshot.meta.index === i) return this.snapshot.meta.term;
      return undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || i > last) return undefined;
    if (i - this.offset < 0 || i - this.offset >= this.entries.length) return undefined;
    return this.entries[i - this.offset].term;
  }

  /** The host made entries up to (i, t) durable; t guards against a truncation meanwhile. */
  stableTo(i: number, t: number): void {
    if (this.maybeTerm(i) !== t || i < this.offset) return;
    this.entries = this.entries.slice(i + 1 - this.offset);
    this.offset = i + 1;
  }

  stableSnapTo(i: number): void {
    if (this.snapshot !== undefined && this.snapshot.meta.index === i) this.snapshot = undefined;
  }

  restore(snapshot: Snapshot): void {
    this.offset = snapshot.meta.index + 1;
    this.entries = [];
    this.snapshot = snapshot;
  }

  truncateAndAppend(entries: readonly Entry[]): void {
    const after = entries[0].index;
    if (after === this.offset + this.entries.length) {
      for (const e of entries) this.entries.push(e);
    } else if (after <= this.offset) {
      // Replaces everything unstable, and tells the host to overwrite stable entries from `after`.
      this.offset = after;
      this.entries = entries.slice();
    } else {
      this.entries = this.entries.slice(0, after - this.offset).concat(entries);
    }
  }

  slice(lo: number, hi: number): Entry[] {
    assert.ok(lo >= this.offset && hi <= this.offset + this.entries.length && lo <= hi, `unstable slice [${lo}, ${hi}) out of bounds`);
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
