// What OBJECT ENCODING reports: Redis 7.2's encoding for a value of this shape (its
// thresholds: 128 entries / 64-byte elements for listpacks, 512 integers for intsets, 44
// bytes for embstr). Shoal's own structures differ; clients that inspect encodings see
// what Redis would use for the same data.

import type { Value } from './keyspace.js';
import { HashValue } from './hash-value.js';
import { ListValue } from './list-value.js';
import { SetValue } from './set-value.js';

const LISTPACK_MAX_ENTRIES = 128;
const LISTPACK_MAX_ELEMENT_BYTES = 64;
const INTSET_MAX_ENTRIES = 512;
const EMBSTR_MAX_BYTES = 44;

function isInteger(text: string): boolean {
  return /^(0|-?[1-9]\d{0,18})$/.test(text) && BigInt(text) <= 9223372036854775807n && BigInt(text) >= -9223372036854775808n;
}

function fitsListpack(size: number, elements: Iterable<string>): boolean {
  if (size > LISTPACK_MAX_ENTRIES) return false;
  for (const element of elements) if (element.length > LISTPACK_MAX_ELEMENT_BYTES) return false;
  return true;
}

export function encodingOf(value: Value): string {
  if (typeof value === 'string') {
    if (value.length <= 20 && isInteger(value)) return 'int';
    return value.length <= EMBSTR_MAX_BYTES ? 'embstr' : 'raw';
  }
  if (value instanceof HashValue) {
    return fitsListpack(value.size, [...value.fields.keys(), ...value.fields.values()]) ? 'listpack' : 'hashtable';
  }
  if (value instanceof SetValue) {
    if (value.size <= INTSET_MAX_ENTRIES && [...value.members].every(isInteger)) return 'intset';
    return fitsListpack(value.size, value.members) ? 'listpack' : 'hashtable';
  }
  if (value instanceof ListValue) return fitsListpack(value.size, value.values()) ? 'listpack' : 'quicklist';
  if (value.type === 'zset') return value.size <= LISTPACK_MAX_ENTRIES && value.sampleElementBytes(LISTPACK_MAX_ENTRIES) <= LISTPACK_MAX_ELEMENT_BYTES ? 'listpack' : 'skiplist';
  return 'stream';
}
