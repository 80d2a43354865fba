// maxmemory enforcement on the leader. When the keyspace's estimated size exceeds maxmemory, a
// write that may grow memory first gets room: victims are sampled per the policy (Redis's
// approximated LRU/LFU/TTL/random, maxmemory-samples keys per pick) and their deletion is
// proposed as one 'evict' log entry, so replicas delete exactly the same keys. With
// `noeviction`, or when nothing can be evicted, the write gets Redis's OOM error instead.
//
// LRU and LFU need per-key access data: kept here (leader-local, not replicated) only while
// such a policy is active, in one Map, so the default configuration pays nothing for it.

import { ErrorReply } from '../protocol/values.js';
import type { DataGroup } from './host.js';

/** In Redis's order, which its CONFIG SET error lists. */
export const EVICTION_POLICIES = [
  'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction',
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

export const OOM = new ErrorReply('OOM command not allowed when used memory > \'maxmemory\'.');

export interface EvictionSettings {
  maxmemory: number;
  policy: EvictionPolicy;
  samples: number;
}

/** Keys evicted per write at most, so one write never stalls the loop on a huge deficit. */
const MAX_EVICTIONS_PER_WRITE = 512;
/** LFU as Redis: a logarithmic counter starting at 5, decremented once per idle minute. */
const LFU_INIT = 5;
const LFU_LOG_FACTOR = 10;
const LFU_DECAY_MS = 60_000;

interface Access {
  lastMs: number;
  frequency: number;
}

export class Evictor {
  private readonly access = new Map<string, Access>();
  private volatileCursor: Iterator<[string, number]> | undefined;
  /** Victims proposed but not applied yet: not chosen twice, and their bytes count as freed. */
  private readonly pendingVictims = new Set<string>();
  private pendingBytes = 0;
  evictedKeys = 0;

  constructor(private readonly group: DataGroup, readonly settings: EvictionSettings) {}

  /** Whether access data is being kept (an LRU or LFU policy with a limit set). */
  get tracking(): boolean {
    const { policy, maxmemory } = this.settings;
    return maxmemory > 0 && (policy.endsWith('-lru') || policy.endsWith('-lfu'));
  }

  private get lfu(): boolean {
    return this.settings.policy.endsWith('-lfu');
  }

  /** Notes that a command touched `keys` (for LRU/LFU). */
  recordAccess(keys: readonly string[]): void {
    if (!this.tracking) return;
    const nowMs = Date.now();
    for (const key of keys) {
      const entry = this.access.get(key);
      if (entry === undefined) {
        this.access.set(key, { lastMs: nowMs, frequency: LFU_INIT });
        continue;
      }
      entry.frequency = this.decayedFrequency(entry, nowMs);
      const base = Math.max(0, entry.frequency - LFU_INIT);
      if (entry.frequency < 255 && Math.random() < 1 / (base * LFU_LOG_FACTOR + 1)) entry.frequency++;
      entry.lastMs = nowMs;
    }
    // Deleted keys leave entries behind: prune when they clearly outnumber live keys.
    if (this.access.size > 2 * this.group.machine.keyspace.size + 1024) this.prune();
  }

  idleSeconds(key: string): number | ErrorReply {
    if (this.lfu && this.tracking) return new ErrorReply('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    const entry = this.access.get(key);
    return entry === undefined ? 0 : Math.floor((Date.now() - entry.lastMs) / 1000);
  }

  frequency(key: string): number | ErrorReply {
    if (!(this.lfu && this.tracking)) return new ErrorReply('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    const entry = this.access.get(key);
    return entry === undefined ? LFU_INIT : this.decayedFrequency(entry, Date.now());
  }

  /** Ensures room for a write: proposes evictions if needed; an OOM error if there is none. */
  makeRoom(): ErrorReply | undefined {
    const { maxmemory, policy } = this.settings;
    const keyspace = this.group.machine.keyspace;
    // Evictions already in the log will free their bytes: count them as done.
    const excessBytes = keyspace.usedBytes - this.pendingBytes - maxmemory;
    if (maxmemory === 0 || excessBytes <= 0) return undefined;
    if (policy === 'noeviction') return OOM;
    const victims: string[] = [];
    let freedBytes = 0;
    while (freedBytes < excessBytes && victims.length < MAX_EVICTIONS_PER_WRITE) {
      const victim = this.pickVictim(this.pendingVictims);
      if (victim === undefined) break;
      victims.push(victim);
      this.pendingVictims.add(victim);
      freedBytes += keyspace.approximateKeyBytes(victim);
    }
    if (victims.length === 0) return this.pendingVictims.size > 0 ? undefined : OOM;
    for (const key of victims) this.access.delete(key);
    this.pendingBytes += freedBytes;
    this.group.propose('evict', victims, (evicted) => {
      this.evictedKeys += typeof evicted === 'number' ? evicted : 0;
      this.pendingBytes -= freedBytes;
      for (const key of victims) this.pendingVictims.delete(key);
    });
    return undefined;
  }

  /** The best of `samples` sampled keys for the policy, skipping ones already chosen. */
  private pickVictim(excluded: ReadonlySet<string>): string | undefined {
    const { policy, samples } = this.settings;
    const keyspace = this.group.machine.keyspace;
    let best: string | undefined;
    let bestScore = -Infinity;
    for (let i = 0; i < samples * 2 && (i < samples || best === undefined); i++) {
      const candidate = policy.startsWith('volatile-') ? this.sampleVolatile() : keyspace.sampleKey(Math.random);
      if (candidate === undefined) return best;
      if (excluded.has(candidate)) continue;
      const score = this.evictionScore(candidate);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    return best;
  }

  /** Higher means evict first. */
  private evictionScore(key: string): number {
    const policy = this.settings.policy;
    if (policy.endsWith('-random')) return Math.random();
    if (policy === 'volatile-ttl') return -(this.group.machine.keyspace.expireAt(key) ?? Infinity);
    const entry = this.access.get(key);
    if (entry === undefined) return Infinity;
    if (policy.endsWith('-lfu')) return 255 - this.decayedFrequency(entry, Date.now());
    return Date.now() - entry.lastMs;
  }

  private sampleVolatile(): string | undefined {
    for (let attempt = 0; attempt < 2; attempt++) {
      this.volatileCursor ??= this.group.machine.keyspace.volatileKeys();
      const step = this.volatileCursor.next();
      if (!step.done) return step.value[0];
      this.volatileCursor = undefined;
    }
    return undefined;
  }

  private decayedFrequency(entry: Access, nowMs: number): number {
    const periods = Math.floor((nowMs - entry.lastMs) / LFU_DECAY_MS);
    return Math.max(0, entry.frequency - periods);
  }

  private prune(): void {
    const keyspace = this.group.machine.keyspace;
    const nowMs = this.group.nowMs();
    for (const key of this.access.keys()) if (keyspace.get(key, nowMs) === undefined) this.access.delete(key);
  }
}
