// Redis's sdssplitargs (sds.c), which splits an inline command line into arguments. Ported over
// bytes so arguments stay binary-safe latin1 strings. Its rules, including the odd ones:
// - blanks between arguments are C's isspace (space, \t, \n, \v, \f, \r), but an unquoted
//   argument ends only at space, \t, \n or \r (so "a\vb" is one argument);
// - a quote inside a word opens quoting (foo"bar baz" is `foobar baz`);
// - "double quotes" know \n \r \t \b \a, \xHH (two hex digits) and otherwise \c means c;
// - 'single quotes' know only \';
// - a closing quote must be followed by a blank or the end of the line, else the line is
//   rejected, as is a quote left open.
// The caller guarantees the line holds no NUL byte: Redis never sees one in a line.

import assert from 'node:assert/strict';
import { latin1String } from './latin1.js';

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const BACKSLASH = 92;
const LOWER_X = 120;

/** Escapes known inside double quotes, by the byte after the backslash. */
const ESCAPES = new Map<number, number>([[110 /* n */, LF], [114 /* r */, CR], [116 /* t */, TAB], [98 /* b */, 8], [97 /* a */, 7]]);

/** C's isspace: space, \t, \n, \v, \f, \r. */
function isSpace(byte: number): boolean {
  return byte === SPACE || (byte >= TAB && byte <= CR);
}

/** The value of a hex digit, or -1. */
function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  if (byte >= 65 && byte <= 70) return byte - 55;
  return -1;
}

/**
 * The arguments of the line bytes[from, to) ([] for a blank line), or undefined when its
 * quotes are unbalanced ("Protocol error: unbalanced quotes in request").
 */
export function splitInlineArgs(bytes: Buffer, from: number, to: number): string[] | undefined {
  assert.ok(from >= 0 && from <= to && to <= bytes.length, 'the line lies inside the bytes');
  // The C code reads a NUL terminator past the end of the line; so does `at`.
  const at = (i: number): number => (i < to ? bytes[i] : 0);
  const token = Buffer.allocUnsafe(to - from);
  const args: string[] = [];
  let p = from;
  // Every argument consumes at least one byte of the line, so the line bounds this loop.
  while (p < to) {
    while (p < to && isSpace(bytes[p])) p++;
    if (p >= to) break;
    let length = 0;
    let inDouble = false;
    let inSingle = false;
    for (let done = false; !done;) {
      const byte = at(p);
      if (inDouble) {
        const isHexEscape = byte === BACKSLASH && at(p + 1) === LOWER_X && hexValue(at(p + 2)) !== -1 && hexValue(at(p + 3)) !== -1;
        if (isHexEscape) {
          token[length++] = hexValue(bytes[p + 2]) * 16 + hexValue(bytes[p + 3]);
          p += 3;
        } else if (byte === BACKSLASH && at(p + 1) !== 0) {
          p++;
          token[length++] = ESCAPES.get(bytes[p]) ?? bytes[p];
        } else if (byte === DOUBLE_QUOTE) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return undefined;
          done = true;
        } else if (byte === 0) {
          return undefined;
        } else {
          token[length++] = byte;
        }
      } else if (inSingle) {
        if (byte === BACKSLASH && at(p + 1) === SINGLE_QUOTE) {
          p++;
          token[length++] = SINGLE_QUOTE;
        } else if (byte === SINGLE_QUOTE) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return undefined;
          done = true;
        } else if (byte === 0) {
          return undefined;
        } else {
          token[length++] = byte;
        }
      } else if (byte === SPACE || byte === LF || byte === CR || byte === TAB || byte === 0) {
        done = true;
      } else if (byte === DOUBLE_QUOTE) {
        inDouble = true;
      } else if (byte === SINGLE_QUOTE) {
        inSingle = true;
      } else {
        token[length++] = byte;
      }
      if (p < to) p++;
    }
    args.push(latin1String(token, 0, length));
  }
  return args;
}
