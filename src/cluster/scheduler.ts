// Time, timers and randomness as the cluster layer sees them. A node uses the process's own;
// the simulator passes its simulated clock and event queue, so the real host code runs on
// simulated time, deterministically per seed.

export interface Scheduler {
  /** Monotonic milliseconds: ticks, leases, deadlines. */
  monotonicMs(): number;
  /** Wall-clock milliseconds: the stamps entries carry. */
  wallClockMs(): number;
  /** Runs `run` once the current event-loop turn is done (batching per turn). */
  soon(run: () => void): void;
  /** Runs `run` after `delayMs`; the returned function cancels it. */
  after(delayMs: number, run: () => void): () => void;
  /** Uniform in [0, 1): election timeouts. */
  random(): number;
}

export const processScheduler: Scheduler = {
  monotonicMs: () => performance.now(),
  wallClockMs: () => Date.now(),
  soon: (run) => setImmediate(run),
  after: (delayMs, run) => {
    const timer = setTimeout(run, delayMs);
    return () => clearTimeout(timer);
  },
  random: Math.random,
};

export function sleep(scheduler: Scheduler, delayMs: number): Promise<void> {
  return new Promise((resolve) => scheduler.after(delayMs, resolve));
}

/** Runs `run` every `intervalMs` until the returned function is called. */
export function every(scheduler: Scheduler, intervalMs: number, run: () => void): () => void {
  let cancel: () => void = () => {};
  let stopped = false;
  const loop = (): void => {
    if (stopped) return;
    run();
    if (!stopped) cancel = scheduler.after(intervalMs, loop);
  };
  cancel = scheduler.after(intervalMs, loop);
  return () => {
    stopped = true;
    cancel();
  };
}
