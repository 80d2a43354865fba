// Bytes to a latin1 string (one char per byte, so binary-safe) as fast as V8 allows. Most
// command arguments are short (command names, keys, small numbers); for those,
// String.fromCharCode with a fixed number of arguments is about three times faster than
// Buffer#latin1Slice, whose native call dominates at that size.

const fromCharCode = String.fromCharCode;

/** Node's Buffer has a latin1Slice that skips toString's encoding dispatch; @types omits it. */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

/** The latin1 string of buffer[start, end). */
export function latin1String(buffer: Buffer, start: number, end: number): string {
  const b = buffer;
  const s = start;
  switch (end - s) {
    case 0: return '';
    case 1: return fromCharCode(b[s]);
    case 2: return fromCharCode(b[s], b[s + 1]);
    case 3: return fromCharCode(b[s], b[s + 1], b[s + 2]);
    case 4: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8: return fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
    default: return (buffer as Latin1Buffer).latin1Slice(start, end);
  }
}
