// A real redis-server for differential tests, when the machine has one (CI installs it).

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { freePort, waitForPing } from './node-process.js';

export function redisServerPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts redis-server without persistence on a free port, or returns undefined if absent. */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer | undefined> {
  const path = redisServerPath();
  if (path === undefined) return undefined;
  const port = await freePort();
  const child: ChildProcess = spawn(path, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPing(port);
  return {
    port,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
