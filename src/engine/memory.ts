// Memory accounting: a deterministic estimate of the bytes each key costs, close enough to
// V8's real layout to enforce maxmemory and answer MEMORY USAGE. Strings are exact to the
// estimate's model; collections extrapolate from a sample of their first elements (as
// Redis's MEMORY USAGE samples), cached on the value and refreshed after each write to it.

import type { CollectionValue } from './keyspace.js';

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

/** A collection's last estimate and the element sample it extrapolated from. */
export class MemoryEstimate {
  bytes = 0;
  elementBytes = 0;
  sampledAtSize = 0;
}

/**
 * Re-estimates a collection after a write: extrapolates from the last sample, resampled only
 * while the collection is small or once its size moved by an eighth. Sampling reads elements
 * (a stream decodes its entries) and ran on every write; the average of a few elements moves
 * far more slowly than that.
 */
export function refreshEstimate(value: CollectionValue): number {
  const estimate = value.memory;
  const { size } = value;
  if (size < 2 * SAMPLE_ELEMENTS || 8 * Math.abs(size - estimate.sampledAtSize) > estimate.sampledAtSize) {
    estimate.elementBytes = size === 0 ? 0 : value.sampleElementBytes(SAMPLE_ELEMENTS);
    estimate.sampledAtSize = size;
  }
  estimate.bytes = extrapolate(value, estimate.elementBytes);
  return estimate.bytes;
}

/** A fresh estimate from `samples` elements (0: all of them), leaving the kept one alone (MEMORY USAGE ... SAMPLES). */
export function sampledEstimate(value: CollectionValue, samples: number): number {
  const { size } = value;
  return extrapolate(value, size === 0 ? 0 : value.sampleElementBytes(samples === 0 ? size : samples));
}

function extrapolate(value: CollectionValue, elementBytes: number): number {
  return COLLECTION_BASE_BYTES + Math.round(value.size * ((value.elementOverheadBytes ?? ELEMENT_OVERHEAD_BYTES) + elementBytes));
}

export function keyBytes(key: string): number {
  return KEY_OVERHEAD_BYTES + stringBytes(key);
}
