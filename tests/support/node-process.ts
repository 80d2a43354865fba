// Spawns real Shoal node processes for integration tests: a fresh data directory, port 0 (the
// node says which port it got), readiness by PING, and kill/restart helpers for crash tests.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

const here = dirname(fileURLToPath(import.meta.url));
/** The compiled CLI (tests run from dist/tests/support). */
export const CLI_PATH = join(here, '..', '..', 'src', 'cli', 'main.js');

export function freshDataDir(label = 'shoal-test'): string {
  return mkdtempSync(join(tmpdir(), `${label}-`));
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}

/** `count` distinct free ports: each is held until all are found, so none comes back twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(servers.map((server) => new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    })));
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => (server.listening ? server.close(resolve) : resolve(undefined)))));
  }
}

/** One raw PING: true if anything answers (+PONG, or -NOAUTH on a protected node). */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk: Buffer) => done(chunk[0] === 43 || chunk[0] === 45));
  });
}

/** Resolves once something answers PING on the port, or rejects after `timeoutMs`. */
export async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (await pingOnce(port)) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(20 * (attempt + 1), 200)));
  }
  throw new Error(`nothing answered PING on port ${port} within ${timeoutMs} ms`);
}

export interface NodeProcessOptions {
  dataDir?: string;
  port?: number;
  args?: readonly string[];
  env?: Record<string, string>;
}

export interface NodeProcess {
  readonly port: number;
  readonly dataDir: string;
  /** What it was started with (the port resolved), so `restartNodeProcess` can repeat it. */
  readonly options: Readonly<NodeProcessOptions> & { readonly port: number; readonly dataDir: string };
  readonly child: ChildProcess;
  /** Everything the process printed (JSON log lines). */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
}

const READY = /"port":(\d+)[^\n]*"msg":"ready to accept connections"/;
const START_TIMEOUT_MS = 15_000;

/**
 * Spawns `node dist/src/cli/main.js` on a fresh (or the given) data directory. Without a port
 * it asks for port 0 and reads the real one from the "ready to accept connections" log line, so
 * parallel test files never race for a port (so the log level must let info lines through);
 * then it waits until PING is answered.
 */
export async function startNodeProcess(options: NodeProcessOptions = {}): Promise<NodeProcess> {
  const dataDir = options.dataDir ?? freshDataDir();
  const child = spawn(process.execPath, [CLI_PATH, '--port', String(options.port ?? 0), '--data-dir', dataDir, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let announced: ((port: number) => void) | undefined;
  const portAnnounced = new Promise<number>((resolve) => (announced = resolve));
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    const ready = READY.exec(output);
    if (ready !== null) announced?.(Number(ready[1]));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const died = exited.then((code) => Promise.reject(new Error(`node exited (${code}) before answering: ${output}`)));
  died.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`node did not announce readiness within ${START_TIMEOUT_MS} ms: ${output}`)), START_TIMEOUT_MS);
  });
  try {
    const port = options.port ?? (await Promise.race([portAnnounced, died, timedOut]));
    await Promise.race([waitForPing(port), died, timedOut]);
    return { port, dataDir, options: { ...options, port, dataDir }, child, output: () => output, exited };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export async function stopNodeProcess(node: NodeProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
  if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill(signal);
  return node.exited;
}

/** Starts a node again as `node` was started: same port, data directory, arguments, environment. */
export async function restartNodeProcess(node: NodeProcess): Promise<NodeProcess> {
  assert.ok(node.child.exitCode !== null || node.child.signalCode !== null, 'restart a node that has exited');
  return startNodeProcess(node.options);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function client(port: number, options: RedisOptions = {}): Redis {
  return new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, ...options });
}
