// How many clients a node has parked in blocking commands (INFO's blocked_clients): tests order
// their waiters by this, never by sleeping (a loaded machine reorders sleeps).

import type { Redis } from 'ioredis';
import { waitUntil } from './wait.js';

export async function blockedClients(redis: Redis): Promise<number> {
  return Number(/blocked_clients:(\d+)/.exec(await redis.info('clients'))?.[1]);
}

/** Waits until exactly `count` clients are blocked; whether they were within `timeoutMs`. */
export function untilBlocked(redis: Redis, count: number, timeoutMs = 5000): Promise<boolean> {
  return waitUntil(async () => (await blockedClients(redis)) === count, timeoutMs);
}
