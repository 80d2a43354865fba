// `npm run bench`: redis-benchmark against redis-server and Shoal in the same run, one server
// at a time, median of --repeat runs, printed as a markdown table with the Shoal/Redis ratio
// and written to bench/results/; then memory, the end-to-end queue, and a 3-node Shoal cluster
// against a 3-member etcd cluster.
//
//   npm run bench -- [--quick] [--repeat K] [--requests N] [--only strings,memory,queue,cluster]

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterRows } from './cluster.js';
import { median, runRedisBenchmark } from './redis-benchmark.js';
import { commandVersion, hasCommand, startNats, startRedis, startShoal } from './servers.js';
import { jetStreamQueue, streamQueue } from './queue.js';
import type { QueueResult, QueueSettings } from './queue.js';
import type { RunningServer } from './servers.js';

interface Scenario {
  readonly section: string;
  readonly config: 'memory' | 'durable';
  readonly tests: readonly string[];
  /** A custom command for redis-benchmark, named by its first word in `tests`. */
  readonly command?: readonly string[];
  readonly pipeline: number;
  /** The issue's target for the Shoal/Redis ratio, where one was set. */
  readonly target?: number;
}

const SCENARIOS: readonly Scenario[] = [
  { section: 'strings, in memory', config: 'memory', tests: ['SET', 'GET'], pipeline: 1, target: 0.9 },
  { section: 'strings, in memory', config: 'memory', tests: ['SET', 'GET'], pipeline: 16, target: 0.35 },
  { section: 'strings, durable (fsync before reply)', config: 'durable', tests: ['SET'], pipeline: 1, target: 0.9 },
  { section: 'strings, durable (fsync before reply)', config: 'durable', tests: ['SET'], pipeline: 16 },
  { section: 'collections, in memory', config: 'memory', tests: ['LPUSH', 'LPOP', 'HSET', 'SADD', 'ZADD'], pipeline: 1, target: 0.8 },
  { section: 'queue, durable (fsync before reply)', config: 'durable', tests: ['XADD'], command: ['XADD', 'bench:stream', '*', 'field', 'value-of-16-byte'], pipeline: 1, target: 0.8 },
];

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function measure(start: () => Promise<RunningServer>, scenario: Scenario, requests: number, repeat: number): Promise<{ rates: Map<string, number>; rssBytes: number }> {
  const server = await start();
  try {
    const base = { port: server.port, tests: scenario.tests, command: scenario.command, clients: 50, pipeline: scenario.pipeline, keyspace: 100_000, valueBytes: 16 };
    runRedisBenchmark({ ...base, requests: Math.max(1000, Math.floor(requests / 10)) });
    const samples = new Map<string, number[]>();
    for (let i = 0; i < repeat; i++) {
      for (const [test, rate] of runRedisBenchmark({ ...base, requests })) samples.set(test, [...(samples.get(test) ?? []), rate]);
    }
    return { rates: new Map([...samples].map(([test, rates]) => [test, median(rates)])), rssBytes: server.rssBytes() };
  } finally {
    await server.stop();
  }
}

type Loader = (redis: Redis, count: number) => Promise<void>;

/** Small string keys (key:NNNNNNN → 'xxx') with pipelined MSETs. */
const loadStringKeys: Loader = async (redis, count) => {
  const batch = 1000;
  for (let i = 0; i < count; i += batch * 10) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(count, i + batch * 10); j += batch) {
      const args: string[] = [];
      for (let k = j; k < Math.min(count, j + batch); k++) args.push(`key:${String(k).padStart(7, '0')}`, 'xxx');
      pipeline.mset(...args);
    }
    await pipeline.exec();
  }
  assert.equal(await redis.dbsize(), count, 'every key loaded');
};

/** Entries of one stream (field 'f', value 'xxx') with pipelined XADDs. */
const loadStreamEntries: Loader = async (redis, count) => {
  for (let i = 0; i < count; i += 1000) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(count, i + 1000); j++) pipeline.xadd('bench:stream', `${j + 1}-0`, 'f', 'xxx');
    await pipeline.exec();
  }
  assert.equal(await redis.xlen('bench:stream'), count, 'every entry loaded');
};

interface Footprint {
  readonly idleBytes: number;
  /** Half a second after the load. */
  readonly loadedBytes: number;
  /** After SETTLE_MS of idleness. */
  readonly settledBytes: number;
}

/**
 * How long a server is left idle after the load before its resting RSS is read. V8's memory
 * reducer gives the heap grown under load back some 20 s after a burst, but only once something
 * allocates again: a process left fully idle may keep it. redis-server's RSS does not move.
 */
const SETTLE_MS = 30_000;

/** RSS of a fresh server idle, right after `load` put `count` items into it, and at rest. */
async function memoryFootprint(start: () => Promise<RunningServer>, load: Loader, count: number): Promise<Footprint> {
  const server = await start();
  const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    const idleBytes = server.rssBytes();
    const redis = new Redis({ port: server.port, host: '127.0.0.1' });
    await load(redis, count);
    redis.disconnect();
    await idle(500);
    const loadedBytes = server.rssBytes();
    await idle(SETTLE_MS);
    return { idleBytes, loadedBytes, settledBytes: server.rssBytes() };
  } finally {
    await server.stop();
  }
}

/** Memory rows for one kind of item, Shoal against redis-server. */
async function memoryRows(label: string, unit: string, load: Loader, count: number): Promise<string[]> {
  const redis = await memoryFootprint(() => startRedis('memory'), load, count);
  const shoal = await memoryFootprint(() => startShoal('memory'), load, count);
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const loaded = (memory: Footprint) => (memory.loadedBytes - memory.idleBytes) / count;
  const settled = (memory: Footprint) => (memory.settledBytes - memory.idleBytes) / count;
  const loadedRatio = loaded(shoal) / loaded(redis);
  const settledRatio = settled(shoal) / settled(redis);
  const row = (name: string, memory: Footprint, ratios: string) =>
    `| ${name} | ${mib(memory.idleBytes)} | ${mib(memory.loadedBytes)} | ${mib(memory.settledBytes)} | ${loaded(memory).toFixed(0)} | ${settled(memory).toFixed(0)} |${ratios}`;
  return [
    '',
    `Memory: ${count} ${label}; RSS idle, right after the load and after ${SETTLE_MS / 1000} s at rest, and bytes per ${unit} above the idle RSS at both times.`,
    '',
    `| server | RSS idle MiB | RSS loaded MiB | RSS at rest MiB | bytes/${unit} loaded | bytes/${unit} at rest | Shoal/Redis loaded | Shoal/Redis at rest | target (at rest) |`,
    '|---|---|---|---|---|---|---|---|---|',
    row('redis-server', redis, ' | | |'),
    row('Shoal', shoal, ` ${loadedRatio.toFixed(2)} | ${settledRatio.toFixed(2)} | ≤ 2 ${settledRatio <= 2 ? 'met' : 'not met'} |`),
  ];
}

/** The end-to-end queue table: the same load generator against each server. */
async function queueRows(settings: QueueSettings): Promise<string[]> {
  const measured: Array<[string, QueueResult]> = [];
  for (const [name, start] of [['redis-server (appendfsync always)', () => startRedis('durable')], ['Shoal (appendfsync always)', () => startShoal('durable')]] as const) {
    const server = await start();
    try {
      measured.push([name, await streamQueue(server.port, settings)]);
    } finally {
      await server.stop();
    }
  }
  if (hasCommand('nats-server')) {
    const server = await startNats();
    try {
      measured.push(['NATS JetStream (file storage)', await jetStreamQueue(server.port, settings)]);
    } finally {
      await server.stop();
    }
  } else console.error('nats-server missing (apt-get install -y nats-server): JetStream row left out');
  const shoal = measured.find(([name]) => name.startsWith('Shoal'))?.[1];
  return [
    '',
    `Queue end to end: ${settings.messages} messages, ${settings.producers} producers (each waits for its publish to be acknowledged), ${settings.consumers} consumers (XREADGROUP COUNT 100 + XACK; JetStream: a durable pull consumer, fetch 100 + ack).`,
    '',
    '| server | messages/s | p50 ms | p99 ms | Shoal/peer throughput |',
    '|---|---|---|---|---|',
    ...measured.map(([name, r]) => `| ${name} | ${Math.round(r.messagesPerSecond)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${shoal === undefined || name.startsWith('Shoal') ? '' : (shoal.messagesPerSecond / r.messagesPerSecond).toFixed(2)} |`),
  ];
}

const SECTIONS = ['strings', 'memory', 'queue', 'cluster'] as const;
type Section = (typeof SECTIONS)[number];

/** The strings table: every scenario against redis-server, then Shoal. */
async function stringRows(baseRequests: number, repeat: number): Promise<string[]> {
  const rows = [
    '| scenario | test | pipeline | redis-server req/s | Shoal req/s | Shoal/Redis | target | RSS MiB redis / shoal |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const scenario of SCENARIOS) {
    const requests = baseRequests * (scenario.pipeline > 1 ? 5 : 1);
    const redis = await measure(() => startRedis(scenario.config), scenario, requests, repeat);
    const shoal = await measure(() => startShoal(scenario.config), scenario, requests, repeat);
    for (const test of scenario.tests) {
      const redisRate = redis.rates.get(test) ?? NaN;
      const shoalRate = shoal.rates.get(test) ?? NaN;
      const ratio = shoalRate / redisRate;
      const target = scenario.target === undefined ? '' : `≥ ${scenario.target} ${ratio >= scenario.target ? 'met' : 'not met'}`;
      rows.push(`| ${scenario.section} | ${test} | ${scenario.pipeline} | ${Math.round(redisRate)} | ${Math.round(shoalRate)} | ${ratio.toFixed(2)} | ${target} | ${(redis.rssBytes / 2 ** 20).toFixed(0)} / ${(shoal.rssBytes / 2 ** 20).toFixed(0)} |`);
      console.log(rows[rows.length - 1]);
    }
  }
  return rows;
}

function selectedSections(): Section[] {
  const only = option('--only');
  if (only === undefined) return [...SECTIONS];
  const names = only.split(',');
  for (const name of names) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only ${name}: sections are ${SECTIONS.join(', ')}`);
  }
  return SECTIONS.filter((section) => names.includes(section));
}

async function main(): Promise<number> {
  const sections = selectedSections();
  const needsRedisServer = sections.some((section) => section !== 'cluster');
  if ((needsRedisServer && !hasCommand('redis-server')) || !hasCommand('redis-benchmark')) {
    console.error('redis-server/redis-benchmark missing: apt-get install -y redis-server redis-tools');
    return 1;
  }
  const quick = process.argv.includes('--quick');
  const repeat = Number(option('--repeat') ?? (quick ? 1 : 3));
  const baseRequests = Number(option('--requests') ?? (quick ? 20_000 : 200_000));
  const keys = quick ? 200_000 : 1_000_000;
  const blocks: Record<Section, () => Promise<string[]>> = {
    strings: () => stringRows(baseRequests, repeat),
    memory: async () => [
      ...await memoryRows('small string keys loaded with MSET', 'key', loadStringKeys, keys),
      ...await memoryRows('entries of one stream (one field) loaded with XADD', 'entry', loadStreamEntries, keys / 2),
    ],
    queue: () => queueRows({ messages: quick ? 5_000 : 50_000, producers: 4, consumers: 4, deadlineMs: 120_000 }),
    cluster: () => clusterRows({ requests: Math.floor(baseRequests / 2), repeat, generatorMs: quick ? 3_000 : 15_000, failoverRuns: quick ? 1 : 3 }),
  };
  const rows: string[] = [];
  for (const section of sections) {
    const block = await blocks[section]();
    rows.push(...block);
    if (section !== 'strings') console.log(block.join('\n'));
  }
  const header = [
    `# Shoal vs redis-server${sections.includes('cluster') ? ' and etcd' : ''} — ${new Date().toISOString()}`,
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; node ${process.version}; ${commandVersion('redis-server --version')}${sections.includes('cluster') ? `; ${commandVersion('etcd --version').split('\n')[0]}` : ''}`,
    `Command: npm run bench -- ${process.argv.slice(2).join(' ')} (redis-benchmark -c 50 -r 100000 -d 16, median of ${repeat} runs, one server at a time)`,
    ...(sections.includes('strings') ? ['In memory: redis-server --save "" --appendonly no vs shoal --appendfsync no. Durable: redis-server --appendonly yes --appendfsync always vs shoal --appendfsync always.'] : []),
    '',
  ];
  const report = [...header, ...rows, ''].join('\n');
  console.log(`\n${report}`);
  const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // A partial run keeps its own name, so latest.md always holds a whole run.
  const name = sections.length === SECTIONS.length ? 'strings' : sections.join('-');
  writeFileSync(join(resultsDir, `${stamp}-${name}.md`), report);
  writeFileSync(join(resultsDir, sections.length === SECTIONS.length ? 'latest.md' : `latest-${name}.md`), report);
  return 0;
}

main().then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
