// One simulated node process: its clocks (monotonic and wall, each node's running at its own
// slightly skewed rate), its timers on the simulator's event queue, and its life — a crash
// drops every pending callback of the old life at once (the process is gone), a pause holds
// them (and every message for the process) until it resumes, in their original order.

import type { Scheduler } from '../../src/cluster/scheduler.js';
import type { FileSystem } from '../../src/storage/file-system.js';
import { fileSystemForLife } from '../sim-file-system.js';
import type { EventQueue } from '../event-queue.js';
import type { Prng } from '../prng.js';

/** Wall clocks start here (a fixed date: stamps and so TTL arithmetic replay identically). */
const EPOCH_MS = Date.UTC(2026, 0, 1);

export class SimProcess {
  alive = false;
  /** Bumped at every start: callbacks of an earlier life are dropped. */
  private life = 0;
  private pausedUntilMs = 0;

  constructor(
    private readonly queue: EventQueue,
    private readonly prng: Prng,
    /** Local time runs this much faster than simulated time (1 ± a little). */
    private readonly skew: number,
    private readonly wallOffsetMs: number,
  ) {}

  get paused(): boolean {
    return this.pausedUntilMs > this.queue.nowMs;
  }

  start(): Scheduler {
    this.alive = true;
    this.life++;
    this.pausedUntilMs = 0;
    return this.scheduler(this.life);
  }

  crash(): void {
    this.alive = false;
    this.life++;
  }

  pause(durationMs: number): void {
    if (this.alive) this.pausedUntilMs = Math.max(this.pausedUntilMs, this.queue.nowMs + durationMs);
  }

  /** The disk as this life of the process sees it: see fileSystemForLife. */
  fileSystem(fs: FileSystem): FileSystem {
    const life = this.life;
    return fileSystemForLife(fs, () => this.alive && life === this.life);
  }

  /** Runs `work` in this process (later if it is paused; never if it dies first). */
  run(work: () => void): void {
    this.at(this.queue.nowMs, this.life, work);
  }

  private at(timeMs: number, life: number, work: () => void): void {
    this.queue.at(timeMs, () => {
      if (!this.alive || life !== this.life) return;
      if (this.paused) return this.at(this.pausedUntilMs, life, work);
      work();
    });
  }

  private scheduler(life: number): Scheduler {
    const { queue } = this;
    return {
      monotonicMs: () => queue.nowMs * this.skew,
      wallClockMs: () => EPOCH_MS + this.wallOffsetMs + queue.nowMs * this.skew,
      soon: (run) => this.at(queue.nowMs, life, run),
      after: (delayMs, run) => {
        let cancelled = false;
        this.at(queue.nowMs + Math.max(0, delayMs) / this.skew, life, () => {
          if (!cancelled) run();
        });
        return () => {
          cancelled = true;
        };
      },
      random: () => this.prng.next(),
    };
  }
}
