// SLOWLOG: the most recent commands whose execution took longer than a threshold, in a
// bounded ring, with Redis's entry layout (id, unix time, microseconds, arguments, client).

import type { RespValue } from '../protocol/values.js';

const MAX_LOGGED_ARGS = 32;
const MAX_ARG_CHARS = 128;

interface SlowlogEntry {
  readonly id: number;
  readonly unixSeconds: number;
  readonly durationMicros: number;
  readonly args: readonly string[];
  readonly client: string;
  readonly clientName: string;
}

export class Slowlog {
  private entries: SlowlogEntry[] = [];
  private nextId = 0;

  constructor(private readonly settings: { readonly thresholdMicros: number; readonly maxLength: number }) {}

  /** Records a command if it was slow enough (a negative threshold disables the log). */
  record(args: readonly string[], durationMicros: number, client: { readonly remoteAddress: string; readonly name: string }): void {
    const threshold = this.settings.thresholdMicros;
    if (threshold < 0 || durationMicros < threshold) return;
    this.entries.unshift({
      id: this.nextId++, unixSeconds: Math.floor(Date.now() / 1000), durationMicros: Math.round(durationMicros),
      args: shorten(args), client: client.remoteAddress, clientName: client.name,
    });
    if (this.entries.length > this.settings.maxLength) this.entries.length = this.settings.maxLength;
  }

  get length(): number {
    return this.entries.length;
  }

  reset(): void {
    this.entries = [];
  }

  /** The newest `count` entries (all of them for a negative count). */
  newest(count: number): RespValue[] {
    const chosen = count < 0 ? this.entries : this.entries.slice(0, count);
    return chosen.map((entry) => [entry.id, entry.unixSeconds, entry.durationMicros, [...entry.args], entry.client, entry.clientName]);
  }
}

function shorten(args: readonly string[]): string[] {
  const kept = args.slice(0, args.length > MAX_LOGGED_ARGS ? MAX_LOGGED_ARGS - 1 : MAX_LOGGED_ARGS).map((arg) =>
    arg.length > MAX_ARG_CHARS ? `${arg.slice(0, MAX_ARG_CHARS)}... (${arg.length - MAX_ARG_CHARS} more bytes)` : arg);
  if (args.length > MAX_LOGGED_ARGS) kept.push(`... (${args.length - MAX_LOGGED_ARGS + 1} more arguments)`);
  return kept;
}
