// A real redis-server for differential tests, when the machine has one (CI installs it).
// Its absence is the only reason a test in this suite may skip.

import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort, waitForPing } from './node-process.js';

/** The message a differential test skips with when there is no peer to compare against. */
export const REDIS_ABSENT = 'redis-server is absent (apt-get install redis-server enables this test)';

export function redisServerPath(): string | null {
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : null;
}

export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts redis-server without persistence on a free loopback port, or returns null if absent. */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer | null> {
  const path = redisServerPath();
  if (path === null) return null;
  const port = await freePort();
  const child: ChildProcess = spawn(path, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([waitForPing(port), exited.then(() => Promise.reject(new Error(`redis-server exited before answering on port ${port}`)))]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * A redis-server for a describe block's tests, stopped after them: `client()` connects to it
 * (closed at the end too), or is null when redis-server is absent.
 */
export function redisServerForSuite(): { readonly server: RedisServer | null; client(): Redis | null } {
  let server: RedisServer | null = null;
  const clients: Redis[] = [];
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    for (const redis of clients) redis.disconnect();
    await server?.stop();
  });
  return {
    get server() {
      return server;
    },
    client() {
      if (server === null) return null;
      const redis = new Redis({ port: server.port, host: '127.0.0.1' });
      clients.push(redis);
      return redis;
    },
  };
}
