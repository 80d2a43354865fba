// Structured logging: JSON lines through pino, one logger per node with the node's fields.

import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, fields: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...fields } });
}
