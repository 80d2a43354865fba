// Active expiry, Redis-style: every cycle, sample keys that have a TTL and propose the deletion
// of those whose time has passed. Runs on the group's leader only; the deletion itself goes
// through the log (apply re-checks expiry against the entry's stamp), so replicas stay identical.

import type { DataGroup } from './host.js';
import { every } from './scheduler.js';
import type { Scheduler } from './scheduler.js';

/** Keys examined per sampling round and the share of expired ones that triggers another round. */
const SAMPLE_KEYS = 20;
const REPEAT_IF_EXPIRED_RATIO = 0.25;
/** Upper bounds on one cycle, so a mass expiry never stalls the event loop. */
const MAX_ROUNDS_PER_CYCLE = 16;
const MAX_KEYS_PER_ENTRY = 512;

export class ActiveExpiry {
  private stopTimer: (() => void) | undefined;
  private cursor: Iterator<[string, number]> | undefined;
  /** Keys proposed for expiry and not yet applied: not proposed twice. */
  private proposedCount = 0;

  constructor(private readonly group: DataGroup, private readonly scheduler: Scheduler) {}

  /** Starts cycling (again, at this interval). */
  setInterval(intervalMs: number): void {
    this.stop();
    this.stopTimer = every(this.scheduler, intervalMs, () => this.cycle());
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  private cycle(): void {
    // Only the leader decides; replicas delete when they apply its entry.
    if (this.proposedCount > 0 || !this.group.isLeader) return;
    const nowMs = this.group.nowMs();
    const expired = new Set<string>();
    for (let round = 0; round < MAX_ROUNDS_PER_CYCLE && expired.size < MAX_KEYS_PER_ENTRY; round++) {
      let sampled = 0;
      let expiredThisRound = 0;
      while (sampled < SAMPLE_KEYS) {
        const next = this.nextVolatileKey();
        if (next === undefined) break;
        sampled++;
        if (next[1] <= nowMs && !expired.has(next[0])) {
          expired.add(next[0]);
          expiredThisRound++;
        }
      }
      if (sampled === 0 || expiredThisRound / sampled <= REPEAT_IF_EXPIRED_RATIO) break;
    }
    if (expired.size === 0) return;
    this.proposedCount = expired.size;
    this.group.propose('expire', [...expired], () => {
      this.proposedCount = 0;
    });
  }

  /**
   * Walks the TTL table round-robin across cycles (a Map iterator tolerates deletions while
   * walking); undefined at the end of a pass, so one round never samples a key twice.
   */
  private nextVolatileKey(): [string, number] | undefined {
    this.cursor ??= this.group.machine.keyspace.volatileKeys();
    const step = this.cursor.next();
    if (!step.done) return step.value;
    this.cursor = undefined;
    return undefined;
  }
}
