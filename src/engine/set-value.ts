// A set of distinct binary-safe latin1 strings, in insertion order.

import type { CollectionValue } from './keyspace.js';
import { MemoryEstimate } from './memory.js';

export class SetValue implements CollectionValue {
  readonly type = 'set';
  readonly members: Set<string>;

  constructor(members?: Iterable<string>) {
    this.members = new Set(members);
  }

  readonly memory = new MemoryEstimate();

  sampleElementBytes(limit: number): number {
    let bytes = 0;
    let sampled = 0;
    for (const member of this.members) {
      if (sampled++ === limit) break;
      bytes += member.length;
    }
    return sampled === 0 ? 0 : bytes / Math.min(sampled, limit);
  }

  get size(): number {
    return this.members.size;
  }

  clone(): SetValue {
    return new SetValue(this.members);
  }
}
