// Parsing of numeric arguments and stored numeric strings, with Redis's exact rules
// (string2ll / string2ld): no leading '+', no leading zeros, no spaces, 64-bit range.

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** A 64-bit signed integer as Redis parses it, or undefined. Small values come back as numbers. */
export function parseInt64(text: string): number | bigint | undefined {
  const length = text.length;
  if (length === 0 || length > 20) return undefined;
  let i = 0;
  const negative = text.charCodeAt(0) === 45; /* - */
  if (negative) {
    if (length === 1) return undefined;
    i = 1;
  }
  const first = text.charCodeAt(i);
  if (first === 48 /* 0 */) return length === 1 ? 0 : undefined; // "-0" and "01" are rejected
  if (first < 49 || first > 57) return undefined;
  let value = 0;
  for (let j = i; j < length; j++) {
    const digit = text.charCodeAt(j) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  if (value <= Number.MAX_SAFE_INTEGER) return negative ? -value : value;
  const big = BigInt(text);
  return big > INT64_MAX || big < INT64_MIN ? undefined : big;
}

/** parseInt64, but only values that fit a JS safe integer (counts, offsets, times). */
export function parseSafeInteger(text: string): number | undefined {
  const value = parseInt64(text);
  return typeof value === 'number' ? value : undefined;
}

/** Adds two 64-bit integers, or undefined on overflow. */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  const sum = BigInt(a) + BigInt(b);
  if (sum > INT64_MAX || sum < INT64_MIN) return undefined;
  return sum >= BigInt(Number.MIN_SAFE_INTEGER) && sum <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sum) : sum;
}

export function negateInt64(value: number | bigint): number | bigint | undefined {
  if (typeof value === 'number') return -value;
  return value === INT64_MIN ? undefined : -value;
}

/**
 * A float argument as Redis's string2ld (C's strtold) accepts it: decimal or exponent
 * notation, hexadecimal ("0x1.8p3"), "inf"/"infinity" with an optional sign (any case); no
 * spaces, no NaN.
 */
export function parseFloatArg(text: string): number | undefined {
  const integer = plainInteger(text);
  if (integer !== undefined) return integer;
  if (text.length === 0 || text.length > 5000) return undefined;
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (/^[+-]?0x/.test(lower)) return parseHexFloat(lower);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/**
 * Up to 15 decimal digits, perhaps after a minus sign: exactly a double, as strtod reads it, and
 * what most scores and increments look like — parsed without the regular expressions below.
 */
function plainInteger(text: string): number | undefined {
  const start = text.charCodeAt(0) === 45 ? 1 : 0;
  const digits = text.length - start;
  if (digits === 0 || digits > 15) return undefined;
  let value = 0;
  for (let i = start; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return start === 1 ? -value : value;
}

/** C's hexadecimal floating constant: 0x, hex digits with an optional point, optional p exponent. */
function parseHexFloat(lower: string): number | undefined {
  const match = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d{1,6}))?$/.exec(lower);
  if (match === null) return undefined;
  const fraction = match[3] ?? '';
  const digits = match[2] + fraction;
  if (digits.length === 0) return undefined;
  let mantissa = 0;
  for (const digit of digits) mantissa = mantissa * 16 + parseInt(digit, 16);
  const value = mantissa * 2 ** (Number(match[4] ?? 0) - 4 * fraction.length);
  return match[1] === '-' ? -value : value;
}

/** How Redis prints the result of INCRBYFLOAT: plain decimal, no exponent, no trailing zeros. */
export function formatHumanFloat(value: number): string {
  const shortest = String(value);
  if (!/e/i.test(shortest)) return shortest;
  const [mantissa, exponentText] = shortest.split(/e/i);
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const pointAt = (mantissa.replace(/^-/, '').indexOf('.') === -1 ? digits.length : mantissa.replace(/^-/, '').indexOf('.')) + exponent;
  let text: string;
  if (pointAt <= 0) text = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) text = digits + '0'.repeat(pointAt - digits.length);
  else text = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${text}` : text;
}

/** Lower-cases an ASCII option name for comparison (arguments are latin1). */
export function option(text: string): string {
  return text.toLowerCase();
}
