// The expiry options shared by SET, SETEX, PSETEX and GETEX: EX, PX, EXAT, PXAT, KEEPTTL,
// PERSIST. Times are validated like Redis (positive, no 64-bit overflow) and kept as
// milliseconds; a relative time is resolved against the log entry's stamp at apply.

import assert from 'node:assert/strict';
import { ErrorReply } from '../protocol/values.js';
import { option, parseInt64 } from './arguments.js';
import { NOT_INTEGER, SYNTAX, invalidExpireTime } from './errors.js';

export type ExpiryOption =
  | { readonly kind: 'at'; readonly relative: boolean; readonly ms: bigint }
  | { readonly kind: 'keepttl' }
  | { readonly kind: 'persist' };

/** An expiry whose time is resolved to the absolute millisecond the keyspace stores. */
export type ResolvedExpiry =
  | { readonly kind: 'at'; readonly atMs: number }
  | { readonly kind: 'keepttl' }
  | { readonly kind: 'persist' };

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/** The largest double that is not above INT64_MAX (2^63 - 1024). */
const INT64_MAX_DOUBLE = 9223372036854774784;

/**
 * Redis keeps expiry times as int64 milliseconds; the keyspace keeps doubles, which are exact
 * up to 2^53 ms (about 285,000 years from 1970). A time beyond that is rounded to the nearest
 * double (at most 2^63 - 1024), which only changes the last digits PEXPIRETIME reports for such
 * keys (a documented difference).
 */
export function msAsDouble(ms: bigint): number {
  return Math.max(-INT64_MAX_DOUBLE, Math.min(Number(ms), INT64_MAX_DOUBLE));
}

/** A positive time argument in ms whose value fits int64, or an error. */
export function parseTimeMs(text: string, unitMs: 1 | 1000, command: string): bigint | ErrorReply {
  const value = parseInt64(text);
  if (value === undefined) return NOT_INTEGER;
  if (value <= 0) return invalidExpireTime(command);
  const ms = BigInt(value) * BigInt(unitMs);
  return ms > INT64_MAX ? invalidExpireTime(command) : ms;
}

/**
 * Resolves a relative time against the log entry's stamp. Like Redis, a relative time that
 * overflows int64 once the current time is added is refused; apply decides this
 * deterministically from the stamp.
 */
export function resolveExpiry(expiry: ExpiryOption, nowMs: number, command: string): ResolvedExpiry | ErrorReply {
  if (expiry.kind !== 'at') return expiry;
  const atMs = expiry.relative ? expiry.ms + BigInt(nowMs) : expiry.ms;
  if (atMs > INT64_MAX) return invalidExpireTime(command);
  return { kind: 'at', atMs: msAsDouble(atMs) };
}

type ExpiryName = 'ex' | 'px' | 'exat' | 'pxat' | 'keepttl' | 'persist';

/** An expiry option as written, before its time is parsed. */
export interface ExpiryArgument {
  readonly name: ExpiryName;
  readonly time?: string;
}

const TIME_UNITS: Readonly<Record<string, readonly [unitMs: 1 | 1000, relative: boolean]>> = {
  ex: [1000, true], px: [1, true], exat: [1000, false], pxat: [1, false],
};

/**
 * Reads the expiry option at args[i], if it is one (undefined otherwise). As in Redis's
 * parseExtendedStringArgumentsOrReply, an option may repeat (the last time wins) but two
 * different ones conflict, and a time option needs its value: both are a syntax error.
 */
export function readExpiryArgument(
  args: readonly string[],
  i: number,
  previous: ExpiryArgument | undefined,
  allowed: { readonly keepTtl: boolean; readonly persist: boolean },
): ExpiryArgument | ErrorReply | undefined {
  const name = option(args[i]);
  const known = name in TIME_UNITS || (name === 'keepttl' && allowed.keepTtl) || (name === 'persist' && allowed.persist);
  if (!known) return undefined;
  if (previous !== undefined && previous.name !== name) return SYNTAX;
  if (!(name in TIME_UNITS)) return { name: name as ExpiryName };
  return i + 1 < args.length ? { name: name as ExpiryName, time: args[i + 1] } : SYNTAX;
}

/** The option with its time parsed and validated (positive, fits int64 once in ms). */
export function parseExpiryArgument(argument: ExpiryArgument, command: string): ExpiryOption | ErrorReply {
  if (argument.name === 'keepttl' || argument.name === 'persist') return { kind: argument.name };
  const [unitMs, relative] = TIME_UNITS[argument.name];
  assert.ok(argument.time !== undefined, 'a time option carries its time');
  const ms = parseTimeMs(argument.time, unitMs, command);
  return ms instanceof ErrorReply ? ms : { kind: 'at', relative, ms };
}

/** A whole option list of only expiry options (GETEX): syntax first, then the time. */
export function parseExpiryOptions(
  args: readonly string[],
  command: string,
  allowed: { readonly keepTtl: boolean; readonly persist: boolean },
): ExpiryOption | ErrorReply {
  let argument: ExpiryArgument | undefined;
  for (let i = 0; i < args.length; i += argument.time === undefined ? 1 : 2) {
    const next = readExpiryArgument(args, i, argument, allowed);
    if (next === undefined || next instanceof ErrorReply) return SYNTAX;
    argument = next;
  }
  return argument === undefined ? SYNTAX : parseExpiryArgument(argument, command);
}
