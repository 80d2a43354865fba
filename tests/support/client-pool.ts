// ioredis clients that a suite opens and closes together, so a failed test never leaves a
// client reconnecting to a node that is gone.

import type { Redis, RedisOptions } from 'ioredis';
import { client } from './node-process.js';

export class ClientPool {
  private readonly clients = new Set<Redis>();

  open(port: number, options: RedisOptions = {}): Redis {
    const redis = client(port, options);
    // Errors reach the commands that failed; the event would only repeat them as noise.
    redis.on('error', () => undefined);
    this.clients.add(redis);
    redis.once('end', () => this.clients.delete(redis));
    return redis;
  }

  closeAll(): void {
    for (const redis of this.clients) redis.disconnect();
    this.clients.clear();
  }
}
