// The values a command can reply with, independent of the wire version. The common replies use
// plain JS values so the hot path allocates nothing extra: a string is a bulk string (keys and
// values are binary-safe latin1 strings: one char per byte), a number or bigint is an integer,
// null is a null bulk string, an array is an array. Everything else is a small class.

export type RespValue =
  | string
  | number
  | bigint
  | null
  | readonly RespValue[]
  | SimpleString
  | ErrorReply
  | NullArray
  | RespDouble
  | RespBoolean
  | RespBigNumber
  | RespVerbatim
  | RespMap
  | RespSet
  | RespPush
  | RespPairs;

/** `+OK`: a status line. Must not contain CR or LF. */
export class SimpleString {
  constructor(readonly value: string) {}
}

/** `-ERR ...`: the text includes the error code prefix (`ERR`, `WRONGTYPE`, ...). */
export class ErrorReply {
  constructor(readonly message: string) {}
}

/** The null array of RESP2 (`*-1`), e.g. a timed-out BLPOP; `_` in RESP3. */
export class NullArray {
  private constructor() {}
  static readonly instance = new NullArray();
}

/** RESP3 double (`,`); a bulk string in RESP2, formatted as Redis formats doubles. */
export class RespDouble {
  /** `text`: how to print it where Redis does not use %.17g (GEOPOS's %.17Lf coordinates). */
  constructor(readonly value: number, readonly text?: string) {}
}

/** RESP3 boolean (`#t`/`#f`); integer 1/0 in RESP2. */
export class RespBoolean {
  constructor(readonly value: boolean) {}
}

/** RESP3 big number (`(`), decimal digits; a bulk string in RESP2. */
export class RespBigNumber {
  constructor(readonly digits: string) {}
}

/** RESP3 verbatim string (`=`) with a three-letter format such as `txt`; a bulk string in RESP2. */
export class RespVerbatim {
  constructor(readonly format: string, readonly text: string) {}
}

/**
 * RESP3 map (`%`); in RESP2 a flat array of key, value, key, value, or, where Redis replies so
 * (XREAD), an array of [key, value] pairs.
 */
export class RespMap {
  constructor(
    readonly entries: ReadonlyArray<readonly [RespValue, RespValue]>,
    readonly resp2Shape: 'flat' | 'pairs' = 'flat',
  ) {}
}

/** RESP3 set (`~`); an array in RESP2. */
export class RespSet {
  constructor(readonly items: readonly RespValue[]) {}
}

/** RESP3 push (`>`), out-of-band data such as pub/sub messages; an array in RESP2. */
export class RespPush {
  constructor(readonly items: readonly RespValue[]) {}
}

export const OK = new SimpleString('OK');

/**
 * Pairs such as field/value or member/score: nested two-element arrays in RESP3, one flat
 * array in RESP2 (HRANDFIELD WITHVALUES, ZRANGE WITHSCORES ...).
 */
export class RespPairs {
  constructor(readonly pairs: ReadonlyArray<readonly [RespValue, RespValue]>) {}
}
