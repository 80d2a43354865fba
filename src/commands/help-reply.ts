// The reply to `<COMMAND> HELP`, shaped as Redis's addReplyHelp shapes it.

import { SimpleString } from '../protocol/values.js';

/** The header line, the subcommands' own lines, then HELP itself, each a status reply. */
export function helpReply(command: string, lines: readonly string[]): SimpleString[] {
  return [`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, ...lines, 'HELP', '    Prints this help.']
    .map((line) => new SimpleString(line));
}
