// A set of distinct binary-safe latin1 strings, in insertion order.

import type { CollectionValue } from './keyspace.js';

export class SetValue implements CollectionValue {
  readonly type = 'set';
  readonly members: Set<string>;

  constructor(members?: Iterable<string>) {
    this.members = new Set(members);
  }

  get size(): number {
    return this.members.size;
  }

  clone(): SetValue {
    return new SetValue(this.members);
  }
}
