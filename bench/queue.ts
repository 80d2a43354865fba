// End-to-end durable queue benchmark: the same Node.js load generator drives redis-server
// (appendfsync always) and Shoal (the default, fsync before replying) through streams with a
// consumer group, and NATS JetStream through a file-storage stream with a durable pull consumer.
// Producers wait for each publish to be acknowledged; consumers receive, then acknowledge.
// Reported: messages/s from the first publish to the last acknowledgement, and the latency
// from a publish call to its delivery to a consumer (p50, p99).

import { Redis } from 'ioredis';
import { AckPolicy, StorageType, connect } from 'nats';
import { median } from './redis-benchmark.js';

export interface QueueSettings {
  readonly messages: number;
  readonly producers: number;
  readonly consumers: number;
  readonly deadlineMs: number;
}

export interface QueueResult {
  readonly messagesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Delivery latencies in ms, and the run's duration, into the reported figures. */
function summarise(latenciesMs: number[], elapsedMs: number): QueueResult {
  latenciesMs.sort((a, b) => a - b);
  const p99 = latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(latenciesMs.length * 0.99))] ?? NaN;
  return { messagesPerSecond: (latenciesMs.length / elapsedMs) * 1000, p50Ms: median(latenciesMs), p99Ms: p99 };
}

function nowMs(): number {
  return performance.now();
}

/** Splits `total` messages among `parts` producers. */
function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** Streams with a consumer group over the Redis protocol (redis-server or Shoal). */
export async function streamQueue(port: number, settings: QueueSettings): Promise<QueueResult> {
  const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: false });
  await admin.xgroup('CREATE', 'bench:queue', 'workers', '$', 'MKSTREAM');
  const latenciesMs: number[] = [];
  const started = nowMs();
  const deadline = started + settings.deadlineMs;
  const producers = shares(settings.messages, settings.producers).map(async (count) => {
    const redis = new Redis({ port, host: '127.0.0.1' });
    for (let i = 0; i < count && nowMs() < deadline; i++) await redis.xadd('bench:queue', '*', 't', String(nowMs()));
    redis.disconnect();
  });
  const consumers = Array.from({ length: settings.consumers }, async (_, c) => {
    const redis = new Redis({ port, host: '127.0.0.1' });
    while (latenciesMs.length < settings.messages && nowMs() < deadline) {
      const reply = (await redis.xreadgroup('GROUP', 'workers', `c${c}`, 'COUNT', 100, 'BLOCK', 200, 'STREAMS', 'bench:queue', '>')) as Array<[string, Array<[string, string[]]>]> | null;
      if (reply === null) continue;
      const received = nowMs();
      const entries = reply[0][1];
      for (const [, fields] of entries) latenciesMs.push(received - Number(fields[1]));
      await redis.xack('bench:queue', 'workers', ...entries.map(([id]) => id));
    }
    redis.disconnect();
  });
  await Promise.all([...producers, ...consumers]);
  const elapsed = nowMs() - started;
  admin.disconnect();
  return summarise(latenciesMs, elapsed);
}

/** A JetStream stream with file storage and a durable pull consumer shared by the consumers. */
export async function jetStreamQueue(port: number, settings: QueueSettings): Promise<QueueResult> {
  const admin = await connect({ servers: `127.0.0.1:${port}` });
  const manager = await admin.jetstreamManager();
  await manager.streams.add({ name: 'BENCH', subjects: ['bench.queue'], storage: StorageType.File });
  await manager.consumers.add('BENCH', { durable_name: 'workers', ack_policy: AckPolicy.Explicit });
  const latenciesMs: number[] = [];
  const started = nowMs();
  const deadline = started + settings.deadlineMs;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const producers = shares(settings.messages, settings.producers).map(async (count) => {
    const connection = await connect({ servers: `127.0.0.1:${port}` });
    const js = connection.jetstream();
    for (let i = 0; i < count && nowMs() < deadline; i++) await js.publish('bench.queue', encoder.encode(String(nowMs())));
    await connection.close();
  });
  const consumers = Array.from({ length: settings.consumers }, async () => {
    const connection = await connect({ servers: `127.0.0.1:${port}` });
    const consumer = await connection.jetstream().consumers.get('BENCH', 'workers');
    while (latenciesMs.length < settings.messages && nowMs() < deadline) {
      const batch = await consumer.fetch({ max_messages: 100, expires: 1000 });
      for await (const message of batch) {
        latenciesMs.push(nowMs() - Number(decoder.decode(message.data)));
        message.ack();
      }
    }
    await connection.close();
  });
  await Promise.all([...producers, ...consumers]);
  const elapsed = nowMs() - started;
  await admin.close();
  return summarise(latenciesMs, elapsed);
}
