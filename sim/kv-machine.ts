// The simulated application: a key/value state machine whose commands are Raft entries.
// Apply is deterministic; snapshots are the whole map.

import assert from 'node:assert/strict';

export type KvCommand =
  | { readonly t: 'w'; readonly k: string; readonly v: string }
  | { readonly t: 'c'; readonly k: string; readonly e: string | null; readonly v: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(cmd: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(cmd));
}

export function decodeCommand(data: Uint8Array): KvCommand {
  const cmd = JSON.parse(decoder.decode(data)) as KvCommand;
  assert.ok(cmd.t === 'w' || cmd.t === 'c', 'unknown command');
  return cmd;
}

export class KvMachine {
  private map = new Map<string, string>();
  appliedIndex = 0;
  /** A running digest of every command applied, in order (replicas must agree on it). */
  digest = 0;

  /** Applies a command; returns whether a compare-and-set succeeded (true for writes). */
  apply(index: number, cmd: KvCommand): boolean {
    assert.ok(index > this.appliedIndex, `apply ${index} after ${this.appliedIndex}`);
    this.appliedIndex = index;
    this.digest = mix(this.digest, index, JSON.stringify(cmd));
    if (cmd.t === 'w') {
      this.map.set(cmd.k, cmd.v);
      return true;
    }
    if ((this.map.get(cmd.k) ?? null) !== cmd.e) return false;
    this.map.set(cmd.k, cmd.v);
    return true;
  }

  skip(index: number): void {
    assert.ok(index > this.appliedIndex, `apply ${index} after ${this.appliedIndex}`);
    this.appliedIndex = index;
  }

  read(key: string): string | null {
    return this.map.get(key) ?? null;
  }

  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify({ m: [...this.map.entries()], d: this.digest }));
  }

  restore(index: number, data: Uint8Array): void {
    const parsed = JSON.parse(decoder.decode(data)) as { m: [string, string][]; d: number };
    this.map = new Map(parsed.m);
    this.digest = parsed.d;
    this.appliedIndex = index;
  }
}

function mix(h: number, index: number, text: string): number {
  let x = (h ^ index) >>> 0;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return x;
}
