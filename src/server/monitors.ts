// MONITOR: every command a client runs, as one status line to each monitoring connection, in
// Redis's format: wall-clock seconds and microseconds, the database and the client's address,
// then the arguments quoted as Redis's sdscatrepr quotes them. Administrative commands are not
// shown, and passwords are replaced by "(redacted)", as in Redis 7.

import { SimpleString } from '../protocol/values.js';
import { findSubcommand } from '../commands/command-table.js';
import type { CommandSpec } from '../commands/command-spec.js';
import type { Connection } from './connection.js';

const ESCAPES: Readonly<Record<number, string>> = { 34: '\\"', 92: '\\\\', 10: '\\n', 13: '\\r', 9: '\\t', 7: '\\a', 8: '\\b' };

function quoted(argument: string): string {
  let text = '"';
  for (let i = 0; i < argument.length; i++) {
    const byte = argument.charCodeAt(i);
    text += ESCAPES[byte] ?? (byte >= 0x20 && byte <= 0x7e ? argument[i] : `\\x${byte.toString(16).padStart(2, '0')}`);
  }
  return `${text}"`;
}

/** The arguments as a monitor sees them: AUTH's, and HELLO's after AUTH, hidden. */
function shown(spec: CommandSpec, args: readonly string[]): string[] {
  if (spec.name === 'auth') return [args[0], ...args.slice(1).map(() => '(redacted)')];
  if (spec.name !== 'hello') return [...args];
  const auth = args.findIndex((arg, i) => i > 1 && arg.toLowerCase() === 'auth');
  return auth === -1 ? [...args] : args.map((arg, i) => (i === auth + 1 || i === auth + 2 ? '(redacted)' : arg));
}

export class Monitors {
  private readonly watching = new Set<Connection>();

  add(connection: Connection): void {
    this.watching.add(connection);
  }

  forget(connection: Connection): void {
    this.watching.delete(connection);
  }

  get active(): boolean {
    return this.watching.size > 0;
  }

  feed(from: Connection, spec: CommandSpec, args: readonly string[]): void {
    // A subcommand's own flags decide (CONFIG GET is administrative, CLIENT SETNAME is not).
    const flags = (spec.subcommands !== undefined && args.length > 1 ? findSubcommand(spec, args[1])?.flags : undefined) ?? spec.flags;
    if (flags.includes('admin') || flags.includes('skip_monitor')) return;
    const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const line = `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')} [0 ${from.remoteAddress}] ${shown(spec, args).map(quoted).join(' ')}`;
    const message = new SimpleString(line);
    for (const monitor of this.watching) monitor.push(message);
  }
}
