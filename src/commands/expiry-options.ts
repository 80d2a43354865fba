// The expiry options shared by SET, SETEX, PSETEX and GETEX: EX, PX, EXAT, PXAT, KEEPTTL,
// PERSIST. Times are validated like Redis (positive, no 64-bit overflow) and kept as
// milliseconds; a relative time is resolved against the log entry's stamp at apply.

import { ErrorReply } from '../protocol/values.js';
import { option, parseInt64 } from './arguments.js';
import { NOT_INTEGER, SYNTAX, invalidExpireTime } from './errors.js';

export type ExpiryOption =
  | { readonly kind: 'at'; readonly relative: boolean; readonly ms: number }
  | { readonly kind: 'keepttl' }
  | { readonly kind: 'persist' };

const INT64_MAX = 9223372036854775807n;

/**
 * A time argument in ms, or an error. Redis accepts times up to 2^63-1 ms; beyond the JS safe
 * range (about 285,000 years) we clamp, which only changes what TTL reports for such keys.
 */
export function parseTimeMs(text: string, unitMs: 1 | 1000, command: string): number | ErrorReply {
  const value = parseInt64(text);
  if (value === undefined) return NOT_INTEGER;
  if (value <= 0) return invalidExpireTime(command);
  const ms = BigInt(value) * BigInt(unitMs);
  if (ms > INT64_MAX) return invalidExpireTime(command);
  return ms > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(ms);
}

export function parseExpiryOptions(
  args: readonly string[],
  command: string,
  allowed: { readonly keepTtl: boolean; readonly persist: boolean },
): ExpiryOption | ErrorReply {
  if (args.length === 0) return SYNTAX;
  const name = option(args[0]);
  if (name === 'keepttl' && allowed.keepTtl && args.length === 1) return { kind: 'keepttl' };
  if (name === 'persist' && allowed.persist && args.length === 1) return { kind: 'persist' };
  if (args.length !== 2) return SYNTAX;
  const units: Record<string, [unitMs: 1 | 1000, relative: boolean]> = { ex: [1000, true], px: [1, true], exat: [1000, false], pxat: [1, false] };
  const unit = units[name];
  if (unit === undefined) return SYNTAX;
  const ms = parseTimeMs(args[1], unit[0], command);
  if (ms instanceof ErrorReply) return ms;
  return { kind: 'at', relative: unit[1], ms };
}
