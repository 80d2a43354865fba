// A hash: field → value, both binary-safe latin1 strings, in insertion order.

import type { CollectionValue } from './keyspace.js';
import { MemoryEstimate } from './memory.js';

export class HashValue implements CollectionValue {
  readonly type = 'hash';
  readonly fields: Map<string, string>;

  constructor(fields?: Iterable<[string, string]>) {
    this.fields = new Map(fields);
  }

  readonly memory = new MemoryEstimate();

  sampleElementBytes(limit: number): number {
    let bytes = 0;
    let sampled = 0;
    for (const [field, value] of this.fields) {
      if (sampled++ === limit) break;
      bytes += field.length + value.length + 16;
    }
    return sampled === 0 ? 0 : bytes / Math.min(sampled, limit);
  }

  get size(): number {
    return this.fields.size;
  }

  clone(): HashValue {
    return new HashValue(this.fields);
  }
}
