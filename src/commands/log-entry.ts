// What a data group's log entries carry: the leader's time stamp and either a client's write
// command or an internal one (expiring keys). The encoding is the bytes that go through the
// WAL (and later Raft), so it is versioned.
//
//   u8 kind  f64 stampMs  u32 argCount  (u32 length, latin1 bytes)*

import assert from 'node:assert/strict';

export type LogCommandKind = 'command' | 'retry' | 'expire' | 'exec' | 'evict';

export interface LogCommand {
  readonly kind: LogCommandKind;
  /** The proposing leader's clock, never decreasing along the log. */
  readonly stampMs: number;
  /**
   * For 'command': the client's arguments ('retry': a blocked client's command proposed again,
   * which some commands answer as Redis answers an unblocked client); for 'expire': the keys to expire (if expired at the
   * stamp); for 'evict': keys the leader chose to evict for maxmemory; for 'exec': the
   * transaction's commands flattened by encodeTransaction.
   */
  readonly args: readonly string[];
}

const KIND_CODES: Record<LogCommandKind, number> = { command: 1, expire: 2, exec: 3, evict: 4, retry: 5 };
const KIND_NAMES: Record<number, LogCommandKind> = { 1: 'command', 2: 'expire', 3: 'exec', 4: 'evict', 5: 'retry' };

/** A MULTI/EXEC transaction as one entry's args: count, then (argc, args...) per command. */
export function encodeTransaction(commands: ReadonlyArray<readonly string[]>): string[] {
  const flat = [String(commands.length)];
  for (const args of commands) flat.push(String(args.length), ...args);
  return flat;
}

export function decodeTransaction(flat: readonly string[]): string[][] {
  const commands: string[][] = [];
  let at = 1;
  for (let i = Number(flat[0]); i > 0; i--) {
    const argc = Number(flat[at]);
    commands.push(flat.slice(at + 1, at + 1 + argc));
    at += 1 + argc;
  }
  assert.equal(at, flat.length, 'transaction entry fully decoded');
  return commands;
}

export function encodeLogCommand(command: LogCommand): Buffer {
  let sizeBytes = 1 + 8 + 4;
  for (const arg of command.args) sizeBytes += 4 + arg.length;
  const buffer = Buffer.allocUnsafe(sizeBytes);
  let offset = buffer.writeUInt8(KIND_CODES[command.kind], 0);
  offset = buffer.writeDoubleLE(command.stampMs, offset);
  offset = buffer.writeUInt32LE(command.args.length, offset);
  for (const arg of command.args) {
    offset = buffer.writeUInt32LE(arg.length, offset);
    offset += buffer.write(arg, offset, 'latin1');
  }
  assert.equal(offset, sizeBytes, 'log entry size');
  return buffer;
}

/** The stamp of an encoded entry, read without decoding its arguments. */
export function logCommandStampMs(data: Uint8Array): number {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).readDoubleLE(1);
}

export function decodeLogCommand(data: Uint8Array): LogCommand {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const kind = KIND_NAMES[buffer.readUInt8(0)];
  if (kind === undefined) throw new Error(`log entry: unknown kind ${buffer.readUInt8(0)}`);
  const stampMs = buffer.readDoubleLE(1);
  const count = buffer.readUInt32LE(9);
  let offset = 13;
  const args: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const length = buffer.readUInt32LE(offset);
    offset += 4;
    if (offset + length > buffer.length) throw new Error('log entry: truncated argument');
    args[i] = buffer.toString('latin1', offset, offset + length);
    offset += length;
  }
  if (offset !== buffer.length) throw new Error('log entry: trailing bytes');
  return { kind, stampMs, args };
}
