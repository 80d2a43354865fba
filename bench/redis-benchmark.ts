// Runs redis-benchmark and parses its CSV output.

import { spawnSync } from 'node:child_process';

export interface BenchmarkOptions {
  readonly port: number;
  readonly tests: readonly string[];
  /** A command to run instead of the built-in `tests` (XADD has no built-in test). */
  readonly command?: readonly string[];
  readonly clients: number;
  readonly pipeline: number;
  readonly requests: number;
  readonly keyspace: number;
  readonly valueBytes: number;
}

/** requests/s per test name (upper case, as redis-benchmark names them). */
export function runRedisBenchmark(options: BenchmarkOptions): Map<string, number> {
  const args = [
    '-h', '127.0.0.1', '-p', String(options.port), '-c', String(options.clients),
    '-P', String(options.pipeline), '-n', String(options.requests), '-r', String(options.keyspace), '-d', String(options.valueBytes), '--csv',
    ...(options.command ?? ['-t', options.tests.join(',')]),
  ];
  const result = spawnSync('redis-benchmark', args, { encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`redis-benchmark failed: ${result.stderr}`);
  const rates = new Map<string, number>();
  for (const line of result.stdout.split('\n')) {
    const fields = line.split(',').map((field) => field.replace(/"/g, ''));
    if (fields.length >= 2 && fields[0] !== 'test' && !Number.isNaN(Number(fields[1]))) rates.set(fields[0].split(' ')[0], Number(fields[1]));
  }
  return rates;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
