// Every error reply text a command can produce, in one place, worded exactly as Redis 7.2
// words them so that clients which match on messages keep working.

import { ErrorReply } from '../protocol/values.js';

export const WRONGTYPE = new ErrorReply('WRONGTYPE Operation against a key holding the wrong kind of value');
export const NOT_INTEGER = new ErrorReply('ERR value is not an integer or out of range');
export const NOT_FLOAT = new ErrorReply('ERR value is not a valid float');
export const OVERFLOW = new ErrorReply('ERR increment or decrement would overflow');
export const NAN_OR_INFINITY = new ErrorReply('ERR increment would produce NaN or Infinity');
export const SYNTAX = new ErrorReply('ERR syntax error');
export const NO_SUCH_KEY = new ErrorReply('ERR no such key');
export const STRING_TOO_LONG = new ErrorReply('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
export const OFFSET_OUT_OF_RANGE = new ErrorReply('ERR offset is out of range');
export const INVALID_CURSOR = new ErrorReply('ERR invalid cursor');
export const DB_OUT_OF_RANGE = new ErrorReply('ERR DB index is out of range');
export const NOAUTH = new ErrorReply('NOAUTH Authentication required.');
export const WRONGPASS = new ErrorReply('WRONGPASS invalid username-password pair or user is disabled.');
export const MAX_CLIENTS = new ErrorReply('ERR max number of clients reached');

export function invalidExpireTime(command: string): ErrorReply {
  return new ErrorReply(`ERR invalid expire time in '${command}' command`);
}

export function wrongArity(command: string): ErrorReply {
  return new ErrorReply(`ERR wrong number of arguments for '${command}' command`);
}

export function unknownSubcommand(subcommand: string, command: string): ErrorReply {
  return new ErrorReply(`ERR unknown subcommand '${truncate(subcommand)}'. Try ${command.toUpperCase()} HELP.`);
}

/** Redis's addReplySubcommandSyntaxError: a known subcommand given arguments it does not take. */
export function subcommandSyntaxError(subcommand: string, command: string): ErrorReply {
  return new ErrorReply(`ERR unknown subcommand or wrong number of arguments for '${truncate(subcommand)}'. Try ${command.toUpperCase()} HELP.`);
}

/** Redis quotes at most 128 characters of the offending arguments. */
export function unknownCommand(args: readonly string[]): ErrorReply {
  let quoted = '';
  for (let i = 1; i < args.length && quoted.length < 128; i++) {
    quoted += `'${args[i].slice(0, 128 - quoted.length)}' `;
  }
  return new ErrorReply(`ERR unknown command '${truncate(args[0])}', with args beginning with: ${quoted}`);
}

function truncate(text: string): string {
  return text.length > 128 ? text.slice(0, 128) : text;
}

export function errorReply(message: string): ErrorReply {
  return new ErrorReply(message);
}

/** The error of a parse result, if it is one: a `check` that reuses the parser of `apply`. */
export function errorOf(parsed: unknown): ErrorReply | undefined {
  return parsed instanceof ErrorReply ? parsed : undefined;
}

/** The group has no leader (no quorum, or an election in progress): nothing was executed. */
export function clusterDown(group: string): ErrorReply {
  return new ErrorReply(`CLUSTERDOWN The cluster is down: group ${group} has no leader; the command was not executed`);
}

/** Leadership is moving, or the leader is too busy: nothing was executed, retrying is safe. */
export function tryAgain(group: string, why: string): ErrorReply {
  return new ErrorReply(`TRYAGAIN ${why} (group ${group}); the command was not executed`);
}

/** The write reached a leader but whether it committed is not known: retrying may apply it twice. */
export function uncertain(group: string, why: string): ErrorReply {
  return new ErrorReply(`UNCERTAIN The write may or may not have been applied: ${why} (group ${group})`);
}

/** This node is not (or no longer) a member of the group: nothing was executed. */
export function notMember(group: string): ErrorReply {
  return new ErrorReply(`CLUSTERDOWN This node is not a member of group ${group} (not yet added, or removed from the cluster); the command was not executed`);
}
