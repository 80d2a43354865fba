// Typed access to values for the per-type command files: a missing key reads as empty (null
// for a string), a key of another type is WRONGTYPE, and an emptied collection's key is deleted.

import type { ErrorReply } from '../protocol/values.js';
import type { CollectionValue } from '../engine/keyspace.js';
import type { ApplyContext, ReadContext } from './command-spec.js';
import { WRONGTYPE } from './errors.js';

type CollectionClass<T extends CollectionValue> = abstract new (...args: never[]) => T;

/** The value at `key` if it is a `type`; undefined if missing; WRONGTYPE otherwise. Never mutates. */
export function readCollection<T extends CollectionValue>(context: ReadContext, key: string, type: CollectionClass<T>): T | undefined | ErrorReply {
  const value = context.keyspace.get(key, context.nowMs);
  if (value === undefined) return undefined;
  return value instanceof type ? value : WRONGTYPE;
}

/** Inside apply: like readCollection, but an expired key is removed first. */
export function writeCollection<T extends CollectionValue>(context: ApplyContext, key: string, type: CollectionClass<T>): T | undefined | ErrorReply {
  const value = context.keyspace.getForWrite(key, context.nowMs);
  if (value === undefined) return undefined;
  return value instanceof type ? value : WRONGTYPE;
}

/** Stores a collection that a write created, or deletes the key of one it emptied. */
export function storeCollection(context: ApplyContext, key: string, value: CollectionValue, existed: boolean): void {
  if (value.size === 0) {
    if (existed) context.keyspace.delete(key);
  } else if (!existed) context.keyspace.set(key, value);
}

/** The string at `key`, null if missing, WRONGTYPE for a collection. Never mutates. */
export function readString(context: ReadContext, key: string): string | null | ErrorReply {
  const value = context.keyspace.get(key, context.nowMs);
  if (value === undefined) return null;
  return typeof value === 'string' ? value : WRONGTYPE;
}

/** Inside apply: like readString, but an expired key is removed first. */
export function writeString(context: ApplyContext, key: string): string | null | ErrorReply {
  const value = context.keyspace.getForWrite(key, context.nowMs);
  if (value === undefined) return null;
  return typeof value === 'string' ? value : WRONGTYPE;
}
