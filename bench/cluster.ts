// The cluster section of `npm run bench`: a 3-node Shoal cluster against a 3-member etcd
// cluster on loopback, one cluster at a time. Replicated write throughput with each system's
// own tool (redis-benchmark; etcdctl check perf) and with one shared Node.js load generator,
// then failover: SIGKILL the leader while writing to a survivor, time to the first
// acknowledged write. Every run starts from a fresh cluster.

import { closedLoopWrites, failoverMs, redisWriter } from './load.js';
import type { WriterFactory } from './load.js';
import { etcdCheckPerf, etcdWriter, startEtcdCluster } from './etcd.js';
import { median, runRedisBenchmark } from './redis-benchmark.js';
import type { BenchmarkOptions } from './redis-benchmark.js';
import { hasCommand } from './servers.js';
import type { RunningCluster } from './servers.js';
import { shoalHasCluster, startShoalCluster } from './shoal-cluster.js';

export interface ClusterSettings {
  /** redis-benchmark requests at pipeline 1 (five times as many at pipeline 16). */
  readonly requests: number;
  /** redis-benchmark runs per pipeline depth; the median is reported. */
  readonly repeat: number;
  /** How long the shared load generator writes against each cluster. */
  readonly generatorMs: number;
  readonly failoverRuns: number;
}

const CLIENTS = 50;
/** Longer than a healthy replicated write takes, short enough that the failover pool stays small. */
const FAILOVER_WRITE_TIMEOUT_MS = 250;
const FAILOVER_INTERVAL_MS = 5;
const FAILOVER_DEADLINE_MS = 15_000;
const THROUGHPUT_TARGET = 10;
const FAILOVER_TARGET_MS = 1000;

interface Figures {
  /** Each system's own load generator: redis-benchmark at pipeline 1 and 16 (Shoal), check perf (etcd). */
  readonly ownTool: readonly [number, number];
  readonly generator: number;
  readonly failoversMs: readonly number[];
}

type Start = () => Promise<RunningCluster>;

const rate = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(0));
const milliseconds = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : `> ${FAILOVER_DEADLINE_MS}`);
const failoverCell = (values: readonly number[] | undefined) => (values === undefined ? 'n/a' : `${milliseconds(median(values))} (${values.map(milliseconds).join(', ')})`);

async function withCluster<T>(start: Start, body: (cluster: RunningCluster) => Promise<T>): Promise<T> {
  const cluster = await start();
  try {
    return await body(cluster);
  } finally {
    await cluster.stop();
  }
}

/** Writes/s of CLIENTS connections to `port`, each waiting for its write before the next. */
async function generatorRate(factory: WriterFactory, port: number, durationMs: number): Promise<number> {
  const writers = await Promise.all(Array.from({ length: CLIENTS }, () => factory(port, 10_000)));
  try {
    return await closedLoopWrites(writers, durationMs);
  } finally {
    for (const writer of writers) writer.close();
  }
}

/** One failover per fresh cluster: the writers talk to a member that is not the leader. */
async function failovers(start: Start, factory: WriterFactory, runs: number, label: string): Promise<number[]> {
  const measured: number[] = [];
  for (let run = 0; run < runs; run++) {
    measured.push(await withCluster(start, async (cluster) => {
      const leader = await cluster.leader();
      const survivor = cluster.members.find((member) => member !== leader) ?? leader;
      const poolSize = Math.ceil(FAILOVER_WRITE_TIMEOUT_MS / FAILOVER_INTERVAL_MS) + 1;
      const pool = await Promise.all(Array.from({ length: poolSize }, () => factory(survivor.port, FAILOVER_WRITE_TIMEOUT_MS)));
      try {
        return await failoverMs(pool, () => leader.kill(), { intervalMs: FAILOVER_INTERVAL_MS, deadlineMs: FAILOVER_DEADLINE_MS });
      } finally {
        for (const writer of pool) writer.close();
      }
    }));
    console.log(`cluster: ${label} failover ${run + 1}/${runs}: ${milliseconds(measured[run])} ms`);
  }
  return measured;
}

function benchmarkMedian(options: BenchmarkOptions, repeat: number): number {
  runRedisBenchmark({ ...options, requests: Math.max(1000, Math.floor(options.requests / 10)) });
  return median(Array.from({ length: repeat }, () => runRedisBenchmark(options).get('SET') ?? NaN));
}

async function measureShoal(settings: ClusterSettings): Promise<Figures> {
  const throughput = await withCluster(startShoalCluster, async (cluster) => {
    const leader = await cluster.leader();
    const base = { port: leader.port, tests: ['SET'], clients: CLIENTS, keyspace: 100_000, valueBytes: 16 };
    const p1 = benchmarkMedian({ ...base, pipeline: 1, requests: settings.requests }, settings.repeat);
    const p16 = benchmarkMedian({ ...base, pipeline: 16, requests: settings.requests * 5 }, settings.repeat);
    console.log(`cluster: Shoal redis-benchmark SET p1 ${p1.toFixed(0)}/s, p16 ${p16.toFixed(0)}/s`);
    const generator = await generatorRate(redisWriter, leader.port, settings.generatorMs);
    console.log(`cluster: Shoal same generator ${generator.toFixed(0)} writes/s`);
    return { ownTool: [p1, p16] as const, generator };
  });
  return { ...throughput, failoversMs: await failovers(startShoalCluster, redisWriter, settings.failoverRuns, 'Shoal') };
}

async function measureEtcd(settings: ClusterSettings): Promise<Figures> {
  const throughput = await withCluster(startEtcdCluster, async (cluster) => {
    const leader = await cluster.leader();
    const generator = await generatorRate(etcdWriter, leader.port, settings.generatorMs);
    console.log(`cluster: etcd same generator ${generator.toFixed(0)} writes/s`);
    const checkPerf = etcdCheckPerf(cluster);
    console.log(`cluster: etcdctl check perf --load=l ${checkPerf} writes/s`);
    return { ownTool: [checkPerf, checkPerf] as const, generator };
  });
  return { ...throughput, failoversMs: await failovers(startEtcdCluster, etcdWriter, settings.failoverRuns, 'etcd') };
}


function throughputRow(label: string, shoal: number | undefined, etcd: number | undefined): string {
  const ratio = shoal === undefined || etcd === undefined ? undefined : shoal / etcd;
  const target = ratio === undefined ? `≥ ${THROUGHPUT_TARGET}` : `≥ ${THROUGHPUT_TARGET} ${ratio >= THROUGHPUT_TARGET ? 'met' : 'not met'}`;
  return `| ${label} | ${rate(shoal)} | ${rate(etcd)} | ${ratio === undefined ? '' : ratio.toFixed(2)} | ${target} |`;
}

function failoverRow(runs: number, shoal: readonly number[] | undefined, etcd: readonly number[] | undefined): string {
  const shoalMs = shoal === undefined ? undefined : median(shoal);
  const ratio = shoalMs === undefined || etcd === undefined ? '' : (shoalMs / median(etcd)).toFixed(2);
  const target = shoalMs === undefined ? `≤ ${FAILOVER_TARGET_MS} ms` : `≤ ${FAILOVER_TARGET_MS} ms ${shoalMs <= FAILOVER_TARGET_MS ? 'met' : 'not met'}`;
  return `| failover ms, leader SIGKILL → first acknowledged write (median of ${runs}; each run) | ${failoverCell(shoal)} | ${failoverCell(etcd)} | ${ratio} | ${target} |`;
}

/** The cluster table, with a note for each side that could not run. */
export async function clusterRows(settings: ClusterSettings): Promise<string[]> {
  const notes: string[] = [];
  let shoal: Figures | undefined;
  let etcd: Figures | undefined;
  const skip = (note: string) => {
    console.error(note);
    notes.push(note);
  };
  // A side that fails becomes a note, so the sections measured before this one are still written.
  const attempt = async (name: string, measure: () => Promise<Figures>) => {
    try {
      return await measure();
    } catch (error) {
      skip(`${name} failed, its figures left out: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
  if (shoalHasCluster()) shoal = await attempt('The Shoal cluster', () => measureShoal(settings));
  else skip('This Shoal build has no cluster mode (no --peers in `shoal --help`): Shoal figures left out.');
  if (hasCommand('etcd') && hasCommand('etcdctl')) etcd = await attempt('The etcd cluster', () => measureEtcd(settings));
  else skip('etcd/etcdctl missing (apt-get install -y etcd-server etcd-client): etcd figures left out.');
  return [
    '',
    `Cluster: 3 Shoal nodes (--appendfsync always) against 3 etcd members (default fsync), loopback, one cluster at a time. Throughput: Shoal through redis-benchmark (-c ${CLIENTS} -r 100000 -d 16, median of ${settings.repeat}) at the data group's leader, etcd through \`etcdctl check perf --load=l\` (500 clients, limited to 8,000 puts/s, 1 KiB values, 60 s) at all members; same generator: ${CLIENTS} Node.js clients for ${settings.generatorMs / 1000} s, each waiting for its write (SET through ioredis; put through etcd's HTTP gateway), at the leader. Failover: a write every ${FAILOVER_INTERVAL_MS} ms (timeout ${FAILOVER_WRITE_TIMEOUT_MS} ms) to a follower, the leader SIGKILLed, a fresh cluster per run. Shoal/etcd for failover: lower is better.`,
    ...notes,
    '',
    '| cluster | Shoal | etcd | Shoal/etcd | target |',
    '|---|---|---|---|---|',
    throughputRow('replicated SET p1 writes/s (redis-benchmark; etcd: check perf)', shoal?.ownTool[0], etcd?.ownTool[0]),
    throughputRow('replicated SET p16 writes/s (redis-benchmark; etcd: check perf)', shoal?.ownTool[1], etcd?.ownTool[1]),
    throughputRow(`replicated writes/s, same generator (${CLIENTS} clients)`, shoal?.generator, etcd?.generator),
    failoverRow(settings.failoverRuns, shoal?.failoversMs, etcd?.failoversMs),
  ];
}
