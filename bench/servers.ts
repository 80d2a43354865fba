// Starting and stopping the servers a benchmark compares, one at a time, each on a free
// loopback port with a fresh data directory.

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPing } from '../tests/support/node-process.js';

export interface RunningServer {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  /** Resident memory of the server process, from /proc. */
  rssBytes(): number;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export function commandVersion(command: string): string {
  return spawnSync('sh', ['-c', command], { encoding: 'utf8' }).stdout.trim();
}

async function launch(name: string, executable: string, args: (port: number, dir: string) => string[], ready = waitForPing): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const child = spawn(executable, args(port, dir), { stdio: 'ignore', cwd: dir });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await ready(port, 20_000);
  return {
    name,
    port,
    pid: child.pid ?? 0,
    rssBytes: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
      children.delete(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function startRedis(config: 'memory' | 'durable'): Promise<RunningServer> {
  const persistence = config === 'durable' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  return launch('redis-server', 'redis-server', (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...persistence]);
}

const here = dirname(fileURLToPath(import.meta.url));
const SHOAL_CLI = join(here, '..', 'src', 'cli', 'main.js');

export function startShoal(config: 'memory' | 'durable'): Promise<RunningServer> {
  return launch('shoal', process.execPath, (port, dir) => [
    SHOAL_CLI, '--port', String(port), '--data-dir', dir, '--appendfsync', config === 'durable' ? 'always' : 'no', '--loglevel', 'warn',
  ]);
}

/** Waits until a TCP listener accepts on `port` (NATS does not speak RESP). */
async function waitForListener(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** nats-server with JetStream storing in files under a fresh directory. */
export function startNats(): Promise<RunningServer> {
  return launch('nats-server', 'nats-server', (port, dir) => ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], waitForListener);
}
