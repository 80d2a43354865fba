// MULTI/EXEC/DISCARD/WATCH/UNWATCH. Declared here; the server implements them because they
// act on connection state. An EXEC becomes one log entry (kind 'exec') applied atomically.

import type { CommandFlag, ServerCommand } from './command-spec.js';
import { NO_KEYS } from './command-spec.js';

const control: readonly CommandFlag[] = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'];

function declare(name: string, arity: number, flags: readonly CommandFlag[], summary: string, since: string, keys = NO_KEYS): ServerCommand {
  return { name, kind: 'server', arity, flags, keys, categories: ['transaction'], group: 'transactions', summary, since, complexity: 'O(1)' };
}

export const transactionCommands: readonly ServerCommand[] = [
  declare('multi', 1, control, 'Starts a transaction.', '1.2.0'),
  declare('exec', 1, ['noscript', 'loading', 'stale', 'skip_slowlog'], 'Executes all commands in a transaction.', '1.2.0'),
  declare('discard', 1, control, 'Discards a transaction.', '2.0.0'),
  declare('watch', -2, control, 'Monitors changes to keys to determine the execution of a transaction.', '2.2.0', { first: 1, last: -1, step: 1 }),
  declare('unwatch', 1, control, 'Forgets about watched keys of a transaction.', '2.2.0'),
];

/** Commands that act on the transaction itself instead of being queued inside MULTI. */
export const TRANSACTION_CONTROL: ReadonlySet<string> = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
