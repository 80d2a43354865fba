// Which keys a log entry may change, from the command table's key positions: shared by WATCH
// (at log order) and client tracking (after apply). 'all' for FLUSHALL/FLUSHDB.

import { commandKeys, commandTable } from '../commands/command-table.js';
import { decodeTransaction } from '../commands/log-entry.js';
import type { LogCommandKind } from '../commands/log-entry.js';

export function touchedKeys(kind: LogCommandKind, args: readonly string[]): readonly string[] | 'all' {
  if (kind === 'expire' || kind === 'evict') return args;
  if (kind === 'exec') {
    const keys: string[] = [];
    for (const command of decodeTransaction(args)) {
      const touched = commandTouches(command);
      if (touched === 'all') return 'all';
      keys.push(...touched);
    }
    return keys;
  }
  return commandTouches(args);
}

function commandTouches(args: readonly string[]): readonly string[] | 'all' {
  const spec = commandTable.lookup(args[0]);
  // A blocking read (XREAD) is logged so it can wait its turn, but it changes nothing.
  if (spec === undefined || spec.kind !== 'write' || spec.flags.includes('readonly')) return [];
  if (spec.name === 'flushall' || spec.name === 'flushdb') return 'all';
  return spec.writtenKeys?.(args) ?? commandKeys(spec, args);
}
