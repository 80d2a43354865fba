#!/usr/bin/env node
// `npm run cluster -- --nodes 3 [--base-port P] [--data-dir D]`: a local development cluster,
// each node its own process on 127.0.0.1 (RESP ports P, P+1, ...; peer ports 10000 above),
// their logs prefixed on this terminal. Ctrl-C stops them all (gracefully, then forcibly).

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const NODE_CLI = join(here, 'main.js');
const BUS_OFFSET = 10_000;
const STOP_GRACE_MS = 10_000;

interface Options {
  readonly nodes: number;
  readonly basePort: number;
  readonly dataDir: string;
  readonly passThrough: readonly string[];
}

function parse(argv: readonly string[]): Options {
  let nodes = 3;
  let basePort = 7001;
  let dataDir = './cluster-data';
  const passThrough: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--nodes': nodes = Number(value); i++; break;
      case '--base-port': basePort = Number(value); i++; break;
      case '--data-dir': dataDir = value; i++; break;
      default: passThrough.push(argv[i]);
    }
  }
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new Error('--nodes must be 1 to 9');
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + nodes + BUS_OFFSET > 65535) throw new Error('--base-port out of range');
  return { nodes, basePort, dataDir: resolve(dataDir), passThrough };
}

function main(): void {
  const options = parse(process.argv.slice(2));
  const secret = randomBytes(16).toString('hex');
  const ids = Array.from({ length: options.nodes }, (_, i) => i + 1);
  const peers = ids.map((id) => `${id}=127.0.0.1:${options.basePort + id - 1 + BUS_OFFSET}`).join(',');
  const children: ChildProcess[] = [];
  for (const id of ids) {
    const port = options.basePort + id - 1;
    const dir = join(options.dataDir, `node-${id}`);
    const child = spawn(process.execPath, [
      NODE_CLI, '--node-id', String(id), '--port', String(port), '--data-dir', dir,
      '--peers', peers, '--cluster-secret', secret, ...options.passThrough,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[node ${id}] ${line}\n`));
    }
    child.once('exit', (code, signal) => process.stdout.write(`[node ${id}] exited (${signal ?? code})\n`));
    children.push(child);
    console.log(`node ${id}: redis-cli -p ${port}   peer port ${port + BUS_OFFSET}   data ${dir}`);
  }
  console.log('Ctrl-C stops every node.');
  let stopping = false;
  process.on('SIGINT', () => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), STOP_GRACE_MS).unref();
  });
  process.on('SIGTERM', () => process.emit('SIGINT'));
}

main();
