// Redis 7.2's text for a double reply (d2string in util.c): "nan", "inf", "-inf", "0", "-0";
// integers within ±2^62 in plain digits; everything else through fpconv_dtoa (deps/fpconv):
// Grisu2 digits laid out by its own rules. Neither matches JS's Number#toString: Grisu2 is not
// always the shortest round trip, and the layout differs (Redis "1e-7", "4.7e+18",
// "1.234e-6"; JS "1e-7", "4700000000000000000", "0.000001234"). So this is a faithful port of
// that C code (Grisu2 by Florian Loitsch, fpconv by night-shift; Boost Software License 1.0).
// C's unsigned 64-bit arithmetic runs here on pairs of 32-bit halves held in plain numbers:
// BigInt made a conversion about four times slower.

import assert from 'node:assert/strict';

const TWO32 = 4294967296;

/** Normalised 64-bit approximations of 10^k, k = -348, -340, ..., 340: [high, low, exponent]. */
const CACHED_POWERS: readonly number[] = [
  0xfa8fd5a0, 0x081c0288, -1220, 0xbaaee17f, 0xa23ebf76, -1193, 0x8b16fb20, 0x3055ac76, -1166,
  0xcf42894a, 0x5dce35ea, -1140, 0x9a6bb0aa, 0x55653b2d, -1113, 0xe61acf03, 0x3d1a45df, -1087,
  0xab70fe17, 0xc79ac6ca, -1060, 0xff77b1fc, 0xbebcdc4f, -1034, 0xbe5691ef, 0x416bd60c, -1007,
  0x8dd01fad, 0x907ffc3c, -980, 0xd3515c28, 0x31559a83, -954, 0x9d71ac8f, 0xada6c9b5, -927,
  0xea9c2277, 0x23ee8bcb, -901, 0xaecc4991, 0x4078536d, -874, 0x823c1279, 0x5db6ce57, -847,
  0xc2109436, 0x4dfb5637, -821, 0x9096ea6f, 0x3848984f, -794, 0xd77485cb, 0x25823ac7, -768,
  0xa086cfcd, 0x97bf97f4, -741, 0xef340a98, 0x172aace5, -715, 0xb23867fb, 0x2a35b28e, -688,
  0x84c8d4df, 0xd2c63f3b, -661, 0xc5dd4427, 0x1ad3cdba, -635, 0x936b9fce, 0xbb25c996, -608,
  0xdbac6c24, 0x7d62a584, -582, 0xa3ab6658, 0x0d5fdaf6, -555, 0xf3e2f893, 0xdec3f126, -529,
  0xb5b5ada8, 0xaaff80b8, -502, 0x87625f05, 0x6c7c4a8b, -475, 0xc9bcff60, 0x34c13053, -449,
  0x964e858c, 0x91ba2655, -422, 0xdff97724, 0x70297ebd, -396, 0xa6dfbd9f, 0xb8e5b88f, -369,
  0xf8a95fcf, 0x88747d94, -343, 0xb9447093, 0x8fa89bcf, -316, 0x8a08f0f8, 0xbf0f156b, -289,
  0xcdb02555, 0x653131b6, -263, 0x993fe2c6, 0xd07b7fac, -236, 0xe45c10c4, 0x2a2b3b06, -210,
  0xaa242499, 0x697392d3, -183, 0xfd87b5f2, 0x8300ca0e, -157, 0xbce50864, 0x92111aeb, -130,
  0x8cbccc09, 0x6f5088cc, -103, 0xd1b71758, 0xe219652c, -77, 0x9c400000, 0x00000000, -50,
  0xe8d4a510, 0x00000000, -24, 0xad78ebc5, 0xac620000, 3, 0x813f3978, 0xf8940984, 30,
  0xc097ce7b, 0xc90715b3, 56, 0x8f7e32ce, 0x7bea5c70, 83, 0xd5d238a4, 0xabe98068, 109,
  0x9f4f2726, 0x179a2245, 136, 0xed63a231, 0xd4c4fb27, 162, 0xb0de6538, 0x8cc8ada8, 189,
  0x83c7088e, 0x1aab65db, 216, 0xc45d1df9, 0x42711d9a, 242, 0x924d692c, 0xa61be758, 269,
  0xda01ee64, 0x1a708dea, 295, 0xa26da399, 0x9aef774a, 322, 0xf209787b, 0xb47d6b85, 348,
  0xb454e4a1, 0x79dd1877, 375, 0x865b8692, 0x5b9bc5c2, 402, 0xc83553c5, 0xc8965d3d, 428,
  0x952ab45c, 0xfa97a0b3, 455, 0xde469fbd, 0x99a05fe3, 481, 0xa59bc234, 0xdb398c25, 508,
  0xf6c69a72, 0xa3989f5c, 534, 0xb7dcbf53, 0x54e9bece, 561, 0x88fcf317, 0xf22241e2, 588,
  0xcc20ce9b, 0xd35c78a5, 614, 0x98165af3, 0x7b2153df, 641, 0xe2a0b5dc, 0x971f303a, 667,
  0xa8d9d153, 0x5ce3b396, 694, 0xfb9b7cd9, 0xa4a7443c, 720, 0xbb764c4c, 0xa7a44410, 747,
  0x8bab8eef, 0xb6409c1a, 774, 0xd01fef10, 0xa657842c, 800, 0x9b10a4e5, 0xe9913129, 827,
  0xe7109bfb, 0xa19c0c9d, 853, 0xac2820d9, 0x623bf429, 880, 0x80444b5e, 0x7aa7cf85, 907,
  0xbf21e440, 0x03acdd2d, 933, 0x8e679c2f, 0x5e44ff8f, 960, 0xd433179d, 0x9c8cb841, 986,
  0x9e19db92, 0xb4e31ba9, 1013, 0xeb96bf6e, 0xbadf77d9, 1039, 0xaf87023b, 0x9bf0ee6b, 1066,
];
const CACHED_POWER_FIRST_K = -348;
const CACHED_POWER_STEP_K = 8;
/** The exponent window Grisu2 needs after scaling: the integral part of upper fits 32 bits. */
const SCALED_EXPONENT_MIN = -60;
const SCALED_EXPONENT_MAX = -32;

/** 10^k for k = 0..19 as [high, low] halves (10^19 still fits an unsigned 64-bit). */
const TENS_HIGH: number[] = [];
const TENS_LOW: number[] = [];
for (let k = 0, high = 0, low = 1; k <= 19; k++) {
  TENS_HIGH.push(high);
  TENS_LOW.push(low);
  const lowTimesTen = low * 10;
  low = lowTimesTen >>> 0;
  high = high * 10 + (lowTimesTen - low) / TWO32;
}

/** 2^k for k = 0..64, to avoid Math.pow in the hot loops. */
const POWERS_OF_TWO: number[] = Array.from({ length: 65 }, (_, k) => 2 ** k);

/**
 * The Grisu2 state: 64-bit helpers leave their result in (high, low), and the digits with
 * fpconv's K accumulate here. A class with fields, because V8 reads fields much faster than
 * module-level `let` variables (which carry temporal-dead-zone checks).
 */
class Grisu2 {
  high = 0;
  low = 0;
  readonly digits = new Uint8Array(20);
  count = 0;
  /** Decimal exponent of the last digit (fpconv's K). */
  k = 0;

  /** Full product of two unsigned 32-bit numbers: every partial product stays below 2^53. */
  multiply32(a: number, b: number): void {
    const aLow16 = a & 0xffff;
    const product0 = aLow16 * b;
    const product1 = (a - aLow16) / 65536 * b;
    const product1Low16 = product1 & 0xffff;
    const middle = product1Low16 * 65536 + product0;
    this.low = middle >>> 0;
    this.high = (product1 - product1Low16) / 65536 + (middle - this.low) / TWO32;
  }

  /** fpconv's multiply: the high 64 bits of the 128-bit product, rounded half up. */
  multiplyHigh64(aHigh: number, aLow: number, bHigh: number, bLow: number): void {
    this.multiply32(aHigh, bLow);
    const ahBlHigh = this.high;
    const ahBlLow = this.low;
    this.multiply32(aLow, bHigh);
    const alBhHigh = this.high;
    const alBhLow = this.low;
    this.multiply32(aLow, bLow);
    const alBlHigh = this.high;
    this.multiply32(aHigh, bHigh);
    const middle = ahBlLow + alBhLow + alBlHigh + 2147483648;
    const low = this.low + ahBlHigh + alBhHigh + Math.floor(middle / TWO32);
    this.low = low >>> 0;
    this.high = (this.high + (low - this.low) / TWO32) >>> 0;
  }

  /** Low 64 bits of a product, wrapping like C's uint64_t. */
  multiplyLow64(aHigh: number, aLow: number, bHigh: number, bLow: number): void {
    this.multiply32(aLow, bLow);
    this.high = (this.high + (Math.imul(aHigh, bLow) >>> 0) + (Math.imul(aLow, bHigh) >>> 0)) >>> 0;
  }

  add64(aHigh: number, aLow: number, bHigh: number, bLow: number): void {
    const low = aLow + bLow;
    this.low = low >>> 0;
    this.high = (aHigh + bHigh + (low - this.low) / TWO32) >>> 0;
  }

  subtract64(aHigh: number, aLow: number, bHigh: number, bLow: number): void {
    let low = aLow - bLow;
    let high = aHigh - bHigh;
    if (low < 0) {
      low += TWO32;
      high -= 1;
    }
    this.low = low;
    this.high = high < 0 ? high + TWO32 : high;
  }

  /** Times ten, wrapping like C. */
  timesTen64(high: number, low: number): void {
    const lowTimesTen = low * 10;
    this.low = lowTimesTen >>> 0;
    this.high = (high * 10 + (lowTimesTen - this.low) / TWO32) >>> 0;
  }

  pushDigit(digit: number): void {
    if (digit !== 0 || this.count !== 0) this.digits[this.count++] = digit;
  }

  /** fpconv's grisu2 for a positive finite nonzero double given by its two 32-bit halves. */
  run(bitsHigh: number, bitsLow: number): void {
    const biasedExponent = (bitsHigh >>> 20) & 0x7ff;
    let fracHigh = bitsHigh & 0xfffff;
    const fracLow = bitsLow;
    const mantissaIsZero = fracHigh === 0 && fracLow === 0;
    let exponent = -1074;
    if (biasedExponent !== 0) {
      fracHigh += 0x100000;
      exponent = biasedExponent - 1075;
    }
    // w is frac shifted so bit 63 is set. fpconv's shifting loops put the upper and lower
    // boundaries at the same exponent, at w plus or minus a power of two.
    const topBit = fracHigh !== 0 ? 63 - Math.clz32(fracHigh) : 31 - Math.clz32(fracLow);
    const shift = 63 - topBit;
    let wHigh = 0;
    let wLow = 0;
    if (shift >= 32) {
      wHigh = fracLow * POWERS_OF_TWO[shift - 32];
    } else {
      const shifted = fracLow * POWERS_OF_TWO[shift];
      wLow = shifted >>> 0;
      wHigh = fracHigh * POWERS_OF_TWO[shift] + (shifted - wLow) / TWO32;
    }
    const wExponent = exponent - shift;
    const upperStep = shift - 1;
    const lowerStep = shift - (biasedExponent !== 0 && mantissaIsZero ? 2 : 1);
    if (upperStep >= 32) this.add64(wHigh, wLow, POWERS_OF_TWO[upperStep - 32], 0);
    else this.add64(wHigh, wLow, 0, POWERS_OF_TWO[upperStep]);
    let upperHigh = this.high;
    let upperLow = this.low;
    if (lowerStep >= 32) this.subtract64(wHigh, wLow, POWERS_OF_TWO[lowerStep - 32], 0);
    else this.subtract64(wHigh, wLow, 0, POWERS_OF_TWO[lowerStep]);
    let lowerHigh = this.high;
    let lowerLow = this.low;

    // find_cachedpow10: C's int conversions truncate towards zero.
    const approx = Math.trunc(-(wExponent + 87) * 0.30102999566398114);
    let index = Math.trunc((approx - CACHED_POWER_FIRST_K) / CACHED_POWER_STEP_K);
    for (let probe = 0; ; probe++) {
      assert.ok(probe < CACHED_POWERS.length / 3 && index >= 0 && index < CACHED_POWERS.length / 3, 'a cached power fits every double');
      const scaled = wExponent + CACHED_POWERS[index * 3 + 2] + 64;
      if (scaled < SCALED_EXPONENT_MIN) index++;
      else if (scaled > SCALED_EXPONENT_MAX) index--;
      else break;
    }
    const powerHigh = CACHED_POWERS[index * 3];
    const powerLow = CACHED_POWERS[index * 3 + 1];
    const oneShift = -(wExponent + CACHED_POWERS[index * 3 + 2] + 64);
    this.k = -(CACHED_POWER_FIRST_K + index * CACHED_POWER_STEP_K);

    this.multiplyHigh64(wHigh, wLow, powerHigh, powerLow);
    wHigh = this.high;
    wLow = this.low;
    this.multiplyHigh64(upperHigh, upperLow, powerHigh, powerLow);
    this.subtract64(this.high, this.low, 0, 1);
    upperHigh = this.high;
    upperLow = this.low;
    this.multiplyHigh64(lowerHigh, lowerLow, powerHigh, powerLow);
    this.add64(this.high, this.low, 0, 1);
    lowerHigh = this.high;
    lowerLow = this.low;
    this.generateDigits(wHigh, wLow, upperHigh, upperLow, lowerHigh, lowerLow, oneShift);
  }

  /** fpconv's generate_digits; `oneShift` is -one.exp, between 32 and 60. */
  generateDigits(
    wHigh: number, wLow: number, upperHigh: number, upperLow: number,
    lowerHigh: number, lowerLow: number, oneShift: number,
  ): void {
    this.subtract64(upperHigh, upperLow, wHigh, wLow);
    const wfracHigh = this.high;
    const wfracLow = this.low;
    this.subtract64(upperHigh, upperLow, lowerHigh, lowerLow);
    let deltaHigh = this.high;
    let deltaLow = this.low;
    // one = 2^oneShift; with oneShift >= 32 only the high half has a fraction part.
    const highScale = POWERS_OF_TWO[oneShift - 32];
    const highMask = highScale - 1;
    let part1 = Math.floor(upperHigh / highScale);
    let part2High = upperHigh & highMask;
    const part2Low = upperLow;
    this.count = 0;

    let kappa = 10;
    for (let power = 9; power >= 0; power--) {
      const divisor = TENS_LOW[power];
      const digit = Math.floor(part1 / divisor);
      this.pushDigit(digit);
      part1 -= digit * divisor;
      kappa--;
      const remHigh = part1 * highScale + part2High;
      if (!lessThan64(deltaHigh, deltaLow, remHigh, part2Low)) {
        this.k += kappa;
        const kappaHigh = divisor * highScale;
        assert.ok(kappaHigh < TWO32, 'the digit unit fits 64 bits once a digit was produced');
        this.roundDigit(deltaHigh, deltaLow, remHigh, part2Low, kappaHigh, 0, wfracHigh, wfracLow);
        return;
      }
    }

    let part2LowFraction = part2Low;
    for (let unit = 1; ; unit++) {
      assert.ok(unit < TENS_LOW.length && this.count < this.digits.length, 'grisu2 ends within 19 fraction digits');
      this.timesTen64(part2High, part2LowFraction);
      part2High = this.high;
      part2LowFraction = this.low;
      this.timesTen64(deltaHigh, deltaLow);
      deltaHigh = this.high;
      deltaLow = this.low;
      kappa--;
      this.pushDigit(Math.floor(part2High / highScale));
      part2High &= highMask;
      if (lessThan64(part2High, part2LowFraction, deltaHigh, deltaLow)) {
        this.k += kappa;
        this.multiplyLow64(wfracHigh, wfracLow, TENS_HIGH[unit], TENS_LOW[unit]);
        this.roundDigit(deltaHigh, deltaLow, part2High, part2LowFraction, highScale, 0, this.high, this.low);
        return;
      }
    }
  }

  /**
   * fpconv's round_digit: walks the last digit down towards w while the candidate stays
   * inside the interval. Arguments are 64-bit values as (high, low) pairs.
   */
  roundDigit(
    deltaHigh: number, deltaLow: number, remHigh: number, remLow: number,
    kappaHigh: number, kappaLow: number, fracHigh: number, fracLow: number,
  ): void {
    // Each step lowers the digit by one, so ten steps is the most a correct run can take.
    for (let step = 0; ; step++) {
      if (!lessThan64(remHigh, remLow, fracHigh, fracLow)) return;
      this.subtract64(deltaHigh, deltaLow, remHigh, remLow);
      if (lessThan64(this.high, this.low, kappaHigh, kappaLow)) return;
      this.add64(remHigh, remLow, kappaHigh, kappaLow);
      const sumHigh = this.high;
      const sumLow = this.low;
      if (!lessThan64(sumHigh, sumLow, fracHigh, fracLow)) {
        this.subtract64(fracHigh, fracLow, remHigh, remLow);
        const belowHigh = this.high;
        const belowLow = this.low;
        this.subtract64(sumHigh, sumLow, fracHigh, fracLow);
        if (!lessThan64(this.high, this.low, belowHigh, belowLow)) return;
      }
      assert.ok(step < 10 && this.digits[this.count - 1] > 0, 'grisu2 rounding stays within one digit');
      this.digits[this.count - 1]--;
      remHigh = sumHigh;
      remLow = sumLow;
    }
  }
}

function lessThan64(aHigh: number, aLow: number, bHigh: number, bLow: number): boolean {
  return aHigh < bHigh || (aHigh === bHigh && aLow < bLow);
}

const grisu = new Grisu2();

const DIGIT_CHARS = '0123456789';

function digitString(from: number, to: number): string {
  const digits = grisu.digits;
  let text = '';
  for (let i = from; i < to; i++) text += DIGIT_CHARS[digits[i]];
  return text;
}

/** fpconv's emit_digits: plain digits, a decimal point, or scientific notation. */
function emitDigits(negative: boolean): string {
  let count = grisu.count;
  const k = grisu.k;
  let exponent = Math.abs(k + count - 1);
  if (k >= 0 && exponent < count + 7) return digitString(0, count) + '0'.repeat(k);
  if (k < 0 && (k > -7 || exponent < 4)) {
    const offset = count + k;
    if (offset <= 0) return '0.' + '0'.repeat(-offset) + digitString(0, count);
    return digitString(0, offset) + '.' + digitString(offset, count);
  }
  count = Math.min(count, negative ? 17 : 18);
  let text = DIGIT_CHARS[grisu.digits[0]];
  if (count > 1) text += '.' + digitString(1, count);
  text += k + count - 1 < 0 ? 'e-' : 'e+';
  let hundreds = 0;
  if (exponent > 99) {
    hundreds = Math.floor(exponent / 100);
    text += DIGIT_CHARS[hundreds];
    exponent -= hundreds * 100;
  }
  if (exponent > 9) {
    const tens = Math.floor(exponent / 10);
    text += DIGIT_CHARS[tens];
    exponent -= tens * 10;
  } else if (hundreds !== 0) {
    text += '0';
  }
  return text + DIGIT_CHARS[exponent % 10];
}

const bitsView = new DataView(new ArrayBuffer(8));
/** (double)(LLONG_MAX / 2): d2string prints integral doubles up to this magnitude as integers. */
const INTEGER_FORMAT_LIMIT = 2 ** 62;

/** Redis 7.2's d2string: the text of a double reply (RESP3 `,`, or the RESP2 bulk string). */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  if (Number.isInteger(value) && value >= -INTEGER_FORMAT_LIMIT && value <= INTEGER_FORMAT_LIMIT) {
    // Past 2^53 String() rounds to 17 significant digits; Redis prints the exact integer.
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  }
  bitsView.setFloat64(0, value);
  grisu.run(bitsView.getUint32(0), bitsView.getUint32(4));
  const negative = value < 0;
  const text = emitDigits(negative);
  return negative ? '-' + text : text;
}
