// Memory accounting: a deterministic estimate of the bytes each key costs, close enough to
// V8's real layout to enforce maxmemory and answer MEMORY USAGE. Strings are exact to the
// estimate's model; collections extrapolate from a sample of their first elements (as
// Redis's MEMORY USAGE samples), cached on the value and refreshed after each write to it.

import type { Value } from './keyspace.js';

/** A Map entry of the keyspace plus the key string's header. */
export const KEY_OVERHEAD_BYTES = 56;
/** A V8 sequential one-byte string's header. */
const STRING_HEADER_BYTES = 16;
/** Per element of a collection: its slot in a Map/Set/array plus the element's string header. */
const ELEMENT_OVERHEAD_BYTES = 40;
const COLLECTION_BASE_BYTES = 96;
/** Elements sampled when estimating a collection. */
export const SAMPLE_ELEMENTS = 8;

export function stringBytes(text: string): number {
  return STRING_HEADER_BYTES + ((text.length + 7) & ~7);
}

/** The estimated size of a value; for collections, from up to `samples` elements. */
export function valueBytes(value: Value, samples = SAMPLE_ELEMENTS): number {
  if (typeof value === 'string') return stringBytes(value);
  if (value.size === 0) return COLLECTION_BASE_BYTES;
  const sampledBytes = value.sampleElementBytes(samples);
  return COLLECTION_BASE_BYTES + Math.round(value.size * (ELEMENT_OVERHEAD_BYTES + sampledBytes));
}

export function keyBytes(key: string): number {
  return KEY_OVERHEAD_BYTES + stringBytes(key);
}
