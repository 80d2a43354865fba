// The one Node.js load generator the cluster section drives both Shoal and etcd with, so the
// like-for-like rows differ only in the server: the same client count, keys, values, pacing
// and clock. Each system supplies a Writer (one connection); everything else is here.

import { Redis } from 'ioredis';

/** One client connection that can store a key. Rejects on an error reply or a timeout. */
export interface Writer {
  write(key: string, value: string): Promise<void>;
  close(): void;
}

export type WriterFactory = (port: number, timeoutMs: number) => Promise<Writer>;

/** The shape of redis-benchmark -r 100000 -d 16: random keys out of 100,000, 16-byte values. */
const KEYSPACE = 100_000;
const VALUE = 'v'.repeat(16);

function randomKey(): string {
  return `key:${String(Math.floor(Math.random() * KEYSPACE)).padStart(12, '0')}`;
}

/** SET over one ioredis connection; no retries and no offline queue, so a failure shows at once. */
export const redisWriter: WriterFactory = async (port, timeoutMs) => {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, commandTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  await redis.connect();
  return {
    write: async (key, value) => {
      await redis.set(key, value);
    },
    close: () => redis.disconnect(),
  };
};

/**
 * Closed loop: every writer waits for its write before sending the next, for `durationMs`.
 * Returns acknowledged writes per second; a failed write stops the run, since a benchmark
 * of a healthy cluster should see none.
 */
export async function closedLoopWrites(writers: readonly Writer[], durationMs: number): Promise<number> {
  const started = performance.now();
  const until = started + durationMs;
  let acknowledged = 0;
  await Promise.all(writers.map(async (writer) => {
    while (performance.now() < until) {
      await writer.write(randomKey(), VALUE);
      acknowledged++;
    }
  }));
  return (acknowledged / (performance.now() - started)) * 1000;
}

export interface FailoverOptions {
  /** A new write starts this often, whether or not earlier ones have answered. */
  readonly intervalMs: number;
  /** Give up (Infinity) if no write succeeds this long after the kill. */
  readonly deadlineMs: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Milliseconds from `kill` (called right after the clock is read) to the first acknowledged
 * write among those started after it. Writes overlap, each on an idle writer of the pool, so a
 * write stuck behind the dead leader does not hide one that would already succeed: the pool
 * must hold at least (writer timeout / interval) writers for a write to start every interval.
 */
export async function failoverMs(pool: readonly Writer[], kill: () => Promise<void>, options: FailoverOptions): Promise<number> {
  await writeWithin(pool[0], options.deadlineMs);
  const idle = [...pool];
  const inFlight = new Set<Promise<void>>();
  let succeededAt: number | undefined;
  const killedAt = performance.now();
  const killed = kill();
  while (succeededAt === undefined && performance.now() - killedAt < options.deadlineMs) {
    const writer = idle.pop();
    if (writer !== undefined) {
      const attempt = writer.write(randomKey(), VALUE).then(() => {
        succeededAt ??= performance.now();
      }, () => undefined).finally(() => {
        idle.push(writer);
        inFlight.delete(attempt);
      });
      inFlight.add(attempt);
    }
    await sleep(options.intervalMs);
  }
  await Promise.all([killed, ...inFlight]);
  return succeededAt === undefined ? Infinity : succeededAt - killedAt;
}

/** Retries one write until it succeeds: the cluster serves writes before the leader dies. */
async function writeWithin(writer: Writer, deadlineMs: number): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    try {
      await writer.write(randomKey(), VALUE);
      return;
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
