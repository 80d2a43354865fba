// Running the event queue under code that awaits (the real storage code): after every event,
// the promise continuations it made ready run before the next event fires, so what happens
// between two events depends on the seed alone, never on the host's timing.

import type { EventQueue } from './event-queue.js';

/** Resolves once every microtask queued now, and every one those queue in turn, has run. */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs the events due at or before `untilMs`, draining microtasks after each, until `stop()`
 * says so (asked after each event); resolves to how many ran.
 */
export async function runUntil(queue: EventQueue, untilMs: number, stop: () => boolean = () => false): Promise<number> {
  let events = 0;
  await drainMicrotasks();
  while (!stop() && queue.runNext(untilMs)) {
    events++;
    await drainMicrotasks();
  }
  return events;
}

/**
 * Runs events until `work` settles and returns its outcome. Rejects if the queue runs dry
 * first: nothing is left that could ever settle it.
 */
export async function runToCompletion<T>(queue: EventQueue, work: Promise<T>): Promise<T> {
  let settled = false;
  const outcome = work.finally(() => {
    settled = true;
  });
  // Observed here, so a rejection is not reported as unhandled while events still run.
  outcome.catch(() => undefined);
  await drainMicrotasks();
  while (!settled) {
    if (!queue.runNext(Infinity)) throw new Error('the event queue ran dry before the work settled');
    await drainMicrotasks();
  }
  return outcome;
}
