// Starting and stopping the servers a benchmark compares, one at a time, each on a free
// loopback port with a fresh data directory.

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
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

/** One member of a cluster under test; `port` is where clients connect (RESP, or etcd's HTTP). */
export interface ClusterMember {
  readonly id: string;
  readonly port: number;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
}

export interface RunningCluster {
  readonly members: readonly ClusterMember[];
  /** The member that currently leads (the data group's leader for Shoal), once one does. */
  leader(): Promise<ClusterMember>;
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

export interface TrackedProcess {
  readonly pid: number;
  /** SIGKILL, then wait for the exit; killed by the exit handlers too if still running. */
  kill(): Promise<void>;
}

/** A child process with its output ignored that dies with the benchmark. */
export function spawnTracked(executable: string, args: readonly string[], cwd: string): TrackedProcess {
  const child = spawn(executable, args, { stdio: 'ignore', cwd });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid ?? 0,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      children.delete(child);
    },
  };
}

/**
 * `count` distinct free loopback ports: every listener stays open until all are chosen, so
 * the kernel cannot hand out one port twice (a cluster needs its ports before any member starts).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

async function launch(name: string, executable: string, args: (port: number, dir: string) => string[], ready = waitForPing): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const child = spawnTracked(executable, args(port, dir), dir);
  await ready(port, 20_000);
  return {
    name,
    port,
    pid: child.pid,
    rssBytes: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    stop: async () => {
      await child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function startRedis(config: 'memory' | 'durable'): Promise<RunningServer> {
  const persistence = config === 'durable' ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  return launch('redis-server', 'redis-server', (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...persistence]);
}

const here = dirname(fileURLToPath(import.meta.url));
export const SHOAL_CLI = join(here, '..', 'src', 'cli', 'main.js');

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
