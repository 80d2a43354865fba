// Concurrent clients of a real cluster playing registers: each loops, one operation at a time,
// over a few hot keys, doing SET (a value no one else writes) or GET against a random live node,
// and records a history for sim/check's linearizability checker. An error that proves the
// command had no effect (CLUSTERDOWN, TRYAGAIN, never sent) leaves the operation out; a timeout,
// a dropped connection or UNCERTAIN leaves it unknown, so it may take effect at any later time.

import type { Redis } from 'ioredis';
import { seededRandom } from '../../src/engine/seeded-random.js';
import { checkHistory } from '../../sim/check/linearizability.js';
import type { CheckResult } from '../../sim/check/linearizability.js';
import type { Operation, OperationInput, Outcome } from '../../sim/check/history.js';
import { sleep, waitUntil } from './wait.js';

export interface WorkloadCluster {
  /** Nodes a client may send to (their process exists, even if it is paused or cut off). */
  liveIds(): readonly number[];
  /** Nodes that should answer: running and connected to the others. */
  reachableIds(): readonly number[];
  openClient(id: number): Redis;
}

export interface RegisterWorkloadOptions {
  readonly clients?: number;
  /** Keys of one epoch: few, so that clients contend on them. */
  readonly keysPerEpoch?: number;
  readonly readShare?: number;
  readonly seed?: number;
  /** Bounds of each client's loop, whatever happens to the cluster. */
  readonly maxOpsPerClient?: number;
  readonly maxDurationMs?: number;
}

const CONNECT_TIMEOUT_MS = 1000;

/** Errors that prove a command had no effect: the node refused it, or it was never sent. */
const DEFINITE_FAILURE = /^(CLUSTERDOWN|TRYAGAIN)\b|^Stream isn't writeable/;

export function isDefiniteFailure(error: unknown): boolean {
  return error instanceof Error && DEFINITE_FAILURE.test(error.message);
}

const CLIENT_ERRORS: readonly [RegExp, string][] = [
  [/^Stream isn't writeable/, 'not connected'],
  [/^Command timed out/, 'timeout'],
  [/^Reached the max retries|^Connection is closed/, 'connection lost'],
];

/** A short name for counting kinds of errors: the server's error code, or what the client saw. */
function errorKind(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  for (const [pattern, kind] of CLIENT_ERRORS) if (pattern.test(message)) return kind;
  return /^[A-Z]+(?=[\s:]|$)/.exec(message)?.[0] ?? message.slice(0, 60);
}

export interface WorkloadCounts {
  ok: number;
  unknown: number;
  failed: number;
}

export class RegisterWorkload {
  readonly history: Operation[] = [];
  readonly counts: WorkloadCounts = { ok: 0, unknown: 0, failed: 0 };
  /** Why operations failed or became unknown: error kind → count. */
  readonly errors = new Map<string, number>();
  /** key → values whose SET was acknowledged, in acknowledgement order. */
  readonly acknowledged = new Map<string, string[]>();
  readonly seed: number;
  /** operation id → the node it was sent to, for reading a failed check. */
  readonly nodeOf = new Map<number, number>();
  /** Writes refused as having no effect, `key\0value` → error kind: none may ever be read. */
  private readonly refused = new Map<string, string>();
  private readonly allKeys: string[] = [];
  private keys: string[] = [];
  private epoch = 0;
  private nextId = 1;
  private stopping = false;
  private workers: Promise<void>[] = [];
  private readonly connections: Redis[] = [];
  private readonly clients: number;
  private readonly keysPerEpoch: number;
  private readonly readShare: number;
  private readonly maxOpsPerClient: number;
  private readonly maxDurationMs: number;

  constructor(private readonly cluster: WorkloadCluster, options: RegisterWorkloadOptions = {}) {
    this.clients = options.clients ?? 6;
    this.keysPerEpoch = options.keysPerEpoch ?? 5;
    this.readShare = options.readShare ?? 0.5;
    this.seed = options.seed ?? Date.now() % 1_000_000;
    this.maxOpsPerClient = options.maxOpsPerClient ?? 1_000_000;
    this.maxDurationMs = options.maxDurationMs ?? 10 * 60_000;
    this.nextEpoch();
  }

  /**
   * Moves the clients to fresh keys. Each fault gets its own keys, so one key's history (what
   * the checker searches) stays short however long the run is; old keys are still read at the end.
   */
  nextEpoch(): void {
    this.epoch++;
    this.keys = Array.from({ length: this.keysPerEpoch }, (_, i) => `e${this.epoch}:k${i}`);
    this.allKeys.push(...this.keys);
  }

  start(): void {
    this.workers = Array.from({ length: this.clients }, (_, i) => this.runClient(i + 1, seededRandom(this.seed * 1000 + i)));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
    for (const redis of this.connections.splice(0)) redis.disconnect();
  }

  /** Operations of the clients (not the final reads) that were called at or after `time` and succeeded. */
  okSince(time: number): number {
    let count = 0;
    for (const op of this.history) if (op.client > 0 && op.outcome.status === 'ok' && op.callTime >= time) count++;
    return count;
  }

  private async runClient(client: number, random: () => number): Promise<void> {
    const connections = new Map<number, Redis>();
    const deadline = performance.now() + this.maxDurationMs;
    for (let seq = 1; seq <= this.maxOpsPerClient && !this.stopping && performance.now() < deadline; seq++) {
      const targets = this.cluster.liveIds();
      if (targets.length === 0) {
        await sleep(20);
        continue;
      }
      const id = targets[Math.floor(random() * targets.length)];
      let redis = connections.get(id);
      if (redis === undefined) {
        redis = this.cluster.openClient(id);
        connections.set(id, redis);
        this.connections.push(redis);
        // Not an operation yet: without an offline queue the first one would fail unsent.
        await waitUntil(() => redis?.status === 'ready', CONNECT_TIMEOUT_MS);
      }
      const key = this.keys[Math.floor(random() * this.keys.length)];
      const input: OperationInput = random() < this.readShare ? { kind: 'read' } : { kind: 'write', value: `c${client}-${seq}` };
      const outcome = await this.perform(redis, client, key, input, id);
      // Pace retries while there is no leader instead of spinning on instant refusals.
      if (outcome === undefined) await sleep(5 + Math.floor(random() * 20));
    }
  }

  /** Runs and records one operation; undefined if it definitely failed. */
  private async perform(redis: Redis, client: number, key: string, input: OperationInput, node: number): Promise<Outcome | undefined> {
    const callTime = performance.now();
    const base = { id: this.nextId++, client, key, input, callTime };
    this.nodeOf.set(base.id, node);
    try {
      const reply = input.kind === 'read' ? await redis.get(key) : await redis.set(key, input.value);
      const returnTime = performance.now();
      if (input.kind === 'write' && reply !== 'OK') throw new Error(`unexpected reply to SET: ${String(reply)}`);
      const outcome: Outcome = input.kind === 'read' ? { status: 'ok', value: reply } : { status: 'ok' };
      this.history.push({ ...base, outcome, returnTime });
      if (input.kind === 'write') {
        const values = this.acknowledged.get(key) ?? [];
        values.push(input.value);
        this.acknowledged.set(key, values);
      }
      if (client > 0) this.counts.ok++;
      return outcome;
    } catch (error) {
      const kind = errorKind(error);
      this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
      if (isDefiniteFailure(error)) {
        if (input.kind === 'write') this.refused.set(`${key}\u0000${input.value}`, kind);
        if (client > 0) this.counts.failed++;
        return undefined;
      }
      if (client > 0) this.counts.unknown++;
      // A read with no answer changed nothing: it needs no place in the history.
      const outcome: Outcome = { status: 'unknown' };
      if (input.kind === 'write') this.history.push({ ...base, outcome, returnTime: Infinity });
      return outcome;
    }
  }

  /**
   * Reads every key ever used on every reachable node, or on `nodes` (recorded in the history
   * as client 0), retrying what fails until one read per key and node succeeds or `timeoutMs`
   * passes; returns each key's last value read.
   */
  async finalReads(timeoutMs = 20_000, nodes: readonly number[] = this.cluster.reachableIds()): Promise<Map<string, string | null>> {
    const deadline = performance.now() + timeoutMs;
    const values = new Map<string, string | null>();
    const readers = nodes.map((id) => ({ id, redis: this.cluster.openClient(id) }));
    try {
      for (const key of this.allKeys) {
        for (const reader of readers) {
          for (let attempt = 0; ; attempt++) {
            const outcome = await this.perform(reader.redis, 0, key, { kind: 'read' }, reader.id);
            if (outcome?.status === 'ok') {
              values.set(key, outcome.value ?? null);
              break;
            }
            if (performance.now() > deadline) throw new Error(`final read of ${key} got no answer within ${timeoutMs} ms (errors: ${this.errorSummary()})`);
            await sleep(Math.min(10 * (attempt + 1), 200));
          }
        }
      }
    } finally {
      for (const reader of readers) reader.redis.disconnect();
    }
    return values;
  }

  check(): CheckResult {
    return checkHistory(this.history);
  }

  /**
   * Acknowledged writes the final values contradict: a key with an acknowledged SET must hold a
   * value someone wrote, and not one whose SET returned before an acknowledged SET was called
   * (that later write would be lost). The checker proves the rest; this names the loss plainly.
   */
  lostAcknowledgedWrites(finals: ReadonlyMap<string, string | null>): string[] {
    const writes = new Map<string, Operation>();
    for (const op of this.history) if (op.input.kind === 'write') writes.set(`${op.key}\u0000${op.input.value}`, op);
    const lost: string[] = [];
    for (const [key, values] of this.acknowledged) {
      const final = finals.get(key) ?? null;
      const finalWrite = final === null ? undefined : writes.get(`${key}\u0000${final}`);
      if (finalWrite === undefined) {
        lost.push(`${key} holds ${String(final)}, which no one wrote, though ${values.length} SETs were acknowledged`);
        continue;
      }
      for (const value of values) {
        const acked = writes.get(`${key}\u0000${value}`);
        if (acked !== undefined && acked.callTime > finalWrite.returnTime) lost.push(`${key}: acknowledged ${value} lost, holds older ${final}`);
      }
    }
    return lost;
  }

  /** Reads that returned the value of a write the cluster said had no effect. */
  refusedWritesSeen(): string[] {
    const seen: string[] = [];
    for (const op of this.history) {
      if (op.input.kind !== 'read' || op.outcome.status !== 'ok' || op.outcome.value === null || op.outcome.value === undefined) continue;
      const kind = this.refused.get(`${op.key}\u0000${op.outcome.value}`);
      if (kind !== undefined) seen.push(`${op.key}: read ${op.outcome.value}, whose SET was refused with ${kind}`);
    }
    return [...new Set(seen)];
  }

  errorSummary(): string {
    return [...this.errors].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';
  }

  summary(): string {
    const finals = this.history.filter((op) => op.client === 0).length;
    return `${this.counts.ok} ok, ${this.counts.unknown} unknown, ${this.counts.failed} failed (no effect) operations on ${this.allKeys.length} keys; ${finals} final reads; acknowledged SETs ${[...this.acknowledged.values()].reduce((n, v) => n + v.length, 0)}; errors: ${this.errorSummary()} (seed ${this.seed})`;
  }
}
