// Redis 7.2's double text. The table's expected strings come from Redis's own C code (util.c
// d2string with deps/fpconv) compiled and run on these values; the properties compare the
// 32-bit-halves arithmetic with a plain BigInt transcription of the same algorithm.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDouble } from './double-format.js';

const redisText: Array<[number, string]> = [
  [0.1, '0.1'],
  [1, '1'],
  [1.5, '1.5'],
  [-1.5, '-1.5'],
  [1e21, '1e+21'],
  [1e-7, '1e-7'],
  [3.0000000000000004, '3.0000000000000004'],
  [-0, '-0'],
  [0, '0'],
  [1.7976931348623157e308, '1.7976931348623157e+308'],
  [-1.7976931348623157e308, '-1.7976931348623157e+308'],
  [5e-324, '5e-324'],
  [-5e-324, '-5e-324'],
  [2.2250738585072014e-308, '2.2250738585072014e-308'],
  [2.225073858507201e-308, '2.225073858507201e-308'],
  [2 ** 62, '4611686018427387904'],
  [2 ** 62 + 1024, '4611686018427389000'],
  [-(2 ** 62), '-4611686018427387904'],
  [-(2 ** 62) - 1024, '-4611686018427389000'],
  [4.7e18, '4.7e+18'],
  [1.234e-6, '1.234e-6'],
  [2 ** 63, '9223372036854776000'],
  [1e20, '1e+20'],
  [1e22, '1e+22'],
  [1e23, '99999999999999990000000'],
  [1e100, '1e+100'],
  [1.5e-300, '1.5e-300'],
  [115.365982056, '115.36598205599999'],
  [-8.478498064460817e-134, '-8.4784980644608165e-134'],
  [123456789.123, '123456789.123'],
  [0.000001, '0.000001'],
  [1.1e-6, '1.1e-6'],
  [12345678.9, '12345678.9'],
  [1e15, '1000000000000000'],
  [1e17, '100000000000000000'],
  [9007199254740993, '9007199254740992'],
  [9007199254740994, '9007199254740994'],
  [-59074561592386050, '-59074561592386048'],
  [1 / 3, '0.3333333333333333'],
  [2 / 3, '0.6666666666666666'],
  [Math.PI, '3.141592653589793'],
  [-Math.E, '-2.718281828459045'],
  [0.3, '0.3'],
  [1e-5, '0.00001'],
  [1.5e-7, '1.5e-7'],
  [123e-20, '1.23e-18'],
  [1e308, '1e+308'],
  [5e-7, '5e-7'],
  [0.5, '0.5'],
  [1234.5678, '1234.5678'],
  [1e-10, '1e-10'],
  [3.14159e250, '3.14159e+250'],
  [100.25, '100.25'],
  [-0.0001, '-0.0001'],
  [1.2345678901234567, '1.2345678901234567'],
  [0.1 + 0.2, '0.30000000000000004'],
  [1e-100, '1e-100'],
  [123456.789e3, '123456789'],
  [4.35, '4.35'],
  [NaN, 'nan'],
  [Infinity, 'inf'],
  [-Infinity, '-inf'],
];

for (const [value, text] of redisText) {
  test(`formatDouble(${Object.is(value, -0) ? '-0' : String(value)}) is Redis's ${JSON.stringify(text)}`, () => {
    assert.equal(formatDouble(value), text);
  });
}

test('Grisu2 is not always the shortest round trip, and Redis prints what it gives', () => {
  assert.equal(String(115.365982056), '115.365982056');
  assert.equal(formatDouble(115.365982056), '115.36598205599999');
});

// --- A BigInt transcription of fpconv's grisu2, as the oracle for the fast arithmetic. ---

const MASK64 = (1n << 64n) - 1n;

/** Grisu's cached power 10^k as a 64-bit fraction and binary exponent, rounded to nearest. */
function cachedPower(k: number): [bigint, number] {
  if (k >= 0) {
    const value = 10n ** BigInt(k);
    const shift = value.toString(2).length - 64;
    if (shift <= 0) return [value << BigInt(-shift), shift];
    const quotient = value >> BigInt(shift);
    const remainder = value - (quotient << BigInt(shift));
    return [quotient + (remainder >= 1n << BigInt(shift - 1) ? 1n : 0n), shift];
  }
  const divisor = 10n ** BigInt(-k);
  let shift = 0;
  while ((1n << BigInt(shift)) / divisor < 1n << 63n) shift++;
  const quotient = (1n << BigInt(shift)) / divisor;
  const remainder = (1n << BigInt(shift)) - quotient * divisor;
  return [quotient + (2n * remainder >= divisor ? 1n : 0n), -shift];
}

function multiplyHigh(a: bigint, b: bigint): bigint {
  const low = 0xffffffffn;
  const ahBl = (a >> 32n) * (b & low);
  const alBh = (a & low) * (b >> 32n);
  const alBl = (a & low) * (b & low);
  const ahBh = (a >> 32n) * (b >> 32n);
  const middle = (ahBl & low) + (alBh & low) + (alBl >> 32n) + (1n << 31n);
  return (ahBh + (ahBl >> 32n) + (alBh >> 32n) + (middle >> 32n)) & MASK64;
}

/** fpconv's digits and K for a positive finite nonzero double. */
function grisu2Oracle(value: number): { digits: number[]; k: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  let frac = bits & 0xfffffffffffffn;
  let exponent = Number((bits >> 52n) & 0x7ffn);
  if (exponent !== 0) {
    frac += 1n << 52n;
    exponent -= 1075;
  } else {
    exponent = -1074;
  }
  let upper = (frac << 1n) + 1n;
  let upperExponent = exponent - 1;
  while ((upper & (1n << 53n)) === 0n) {
    upper <<= 1n;
    upperExponent--;
  }
  upper <<= 10n;
  upperExponent -= 10;
  const lowerShift = frac === 1n << 52n ? 2 : 1;
  let lower = (frac << BigInt(lowerShift)) - 1n;
  lower = (lower << BigInt(exponent - lowerShift - upperExponent)) & MASK64;
  let w = frac;
  while ((w & (1n << 52n)) === 0n) w <<= 1n;
  w <<= 11n;
  let index = Math.trunc((Math.trunc(-(upperExponent + 87) * 0.30102999566398114) + 348) / 8);
  for (;;) {
    const scaled = upperExponent + cachedPower(-348 + index * 8)[1] + 64;
    if (scaled < -60) index++;
    else if (scaled > -32) index--;
    else break;
  }
  const [power, powerExponent] = cachedPower(-348 + index * 8);
  let k = -(-348 + index * 8);
  const wScaled = multiplyHigh(w, power);
  const upperScaled = (multiplyHigh(upper, power) - 1n) & MASK64;
  const lowerScaled = (multiplyHigh(lower, power) + 1n) & MASK64;
  const oneShift = BigInt(-(upperExponent + powerExponent + 64));
  const one = 1n << oneShift;
  const wfrac = (upperScaled - wScaled) & MASK64;
  let delta = (upperScaled - lowerScaled) & MASK64;
  let part1 = upperScaled >> oneShift;
  let part2 = upperScaled & (one - 1n);
  const digits: number[] = [];
  const round = (rem: bigint, kappa: bigint, fracTarget: bigint): void => {
    while (rem < fracTarget && ((delta - rem) & MASK64) >= kappa
      && (((rem + kappa) & MASK64) < fracTarget || ((fracTarget - rem) & MASK64) > ((rem + kappa - fracTarget) & MASK64))) {
      digits[digits.length - 1]--;
      rem = (rem + kappa) & MASK64;
    }
  };
  let kappa = 10;
  for (let power10 = 9; power10 >= 0; power10--) {
    const divisor = 10n ** BigInt(power10);
    const digit = part1 / divisor;
    if (digit !== 0n || digits.length > 0) digits.push(Number(digit));
    part1 -= digit * divisor;
    kappa--;
    const rem = ((part1 << oneShift) + part2) & MASK64;
    if (rem <= delta) {
      round(rem, (divisor << oneShift) & MASK64, wfrac);
      return { digits, k: k + kappa };
    }
  }
  for (let unit = 10n; ; unit *= 10n) {
    part2 = (part2 * 10n) & MASK64;
    delta = (delta * 10n) & MASK64;
    kappa--;
    const digit = part2 >> oneShift;
    if (digit !== 0n || digits.length > 0) digits.push(Number(digit));
    part2 &= one - 1n;
    if (part2 < delta) {
      k += kappa;
      round(part2, one, (wfrac * unit) & MASK64);
      return { digits, k };
    }
  }
}

/** Significant digits without trailing zeros, and the exponent of the last one. */
function canonical(digits: string, exponent: number): string {
  let significant = digits.replace(/^0+/, '');
  let lastExponent = exponent;
  while (significant.endsWith('0')) {
    significant = significant.slice(0, -1);
    lastExponent++;
  }
  return `${significant}e${lastExponent}`;
}

function canonicalOfText(text: string): string {
  const [mantissa, exponentText] = text.replace(/^-/, '').split('e');
  const [integral, fraction = ''] = mantissa.split('.');
  return canonical(integral + fraction, Number(exponentText ?? 0) - fraction.length);
}

/** Doubles that take the Grisu2 path: not integers within 2^62. */
const grisuDouble = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
  fc.integer({ min: 1, max: 2 ** 52 - 1 }).map((mantissa) => mantissa * 2 ** -1074),
  fc.tuple(fc.integer({ min: -999_999, max: 999_999 }), fc.integer({ min: 0, max: 9 })).map(([units, decimals]) => units / 10 ** decimals),
).filter((value) => value !== 0 && Number.isFinite(value) && !(Number.isInteger(value) && Math.abs(value) <= 2 ** 62));

test('the fast arithmetic produces the same digits as a BigInt transcription of grisu2', () => {
  fc.assert(fc.property(grisuDouble, (value) => {
    const { digits, k } = grisu2Oracle(Math.abs(value));
    assert.equal(canonicalOfText(formatDouble(value)), canonical(digits.join(''), k));
  }), { numRuns: 3000 });
});

test('every finite double reads back as itself from its Redis text', () => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
    assert.ok(Object.is(Number(formatDouble(value)), value));
  }), { numRuns: 3000 });
});

test('integers within 2^62 print as exact integers', () => {
  fc.assert(fc.property(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), (integer) => {
    const value = Number(integer);
    if (Object.is(value, -0) || value === 0) return;
    assert.equal(formatDouble(value), BigInt(value).toString());
  }), { numRuns: 1000 });
});
