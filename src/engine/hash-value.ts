// A hash: field → value, both binary-safe latin1 strings, in insertion order.

import type { CollectionValue } from './keyspace.js';

export class HashValue implements CollectionValue {
  readonly type = 'hash';
  readonly fields: Map<string, string>;

  constructor(fields?: Iterable<[string, string]>) {
    this.fields = new Map(fields);
  }

  get size(): number {
    return this.fields.size;
  }

  clone(): HashValue {
    return new HashValue(this.fields);
  }
}
