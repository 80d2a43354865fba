// A 3-member etcd cluster on loopback for the cluster section, and the two ways it is loaded:
// etcd's own `etcdctl check perf`, and a Writer for the shared Node.js load generator through
// etcd's HTTP JSON gateway (gRPC would need a dependency; the gateway is served by etcd itself).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, spawnTracked } from './servers.js';
import type { ClusterMember, RunningCluster, TrackedProcess } from './servers.js';
import type { WriterFactory } from './load.js';

const START_TIMEOUT_MS = 20_000;

/** POSTs JSON and resolves with the parsed reply; rejects on a non-200 status or after `timeoutMs`. */
function postJson(port: number, path: string, body: unknown, agent: Agent, timeoutMs: number): Promise<unknown> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const call = request({ host: '127.0.0.1', port, path, method: 'POST', agent, timeout: timeoutMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode === 200) resolve(JSON.parse(text));
        else reject(new Error(`etcd ${path}: ${response.statusCode} ${text}`));
      });
      response.on('error', reject);
    });
    call.on('timeout', () => call.destroy(new Error(`etcd ${path}: no reply within ${timeoutMs} ms`)));
    call.on('error', reject);
    call.end(payload);
  });
}

function getHealth(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const call = request({ host: '127.0.0.1', port, path: '/health', timeout: 1000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(response.statusCode === 200 && Buffer.concat(chunks).toString('utf8').includes('"health":"true"')));
      response.on('error', () => resolve(false));
    });
    call.on('timeout', () => call.destroy());
    call.on('error', () => resolve(false));
    call.end();
  });
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** `POST /v3/kv/put` over one keep-alive connection (an agent with one socket). */
export const etcdWriter: WriterFactory = async (port, timeoutMs) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    write: async (key, value) => {
      await postJson(port, '/v3/kv/put', { key: base64(key), value: base64(value) }, agent, timeoutMs);
    },
    close: () => agent.destroy(),
  };
};

interface MemberStatus {
  readonly header: { readonly member_id: string };
  readonly leader: string;
}

/**
 * Three etcd processes with the default timing (heartbeat 100 ms, election timeout 1 s) and
 * the default durability (fsync of the WAL before a write is acknowledged), each with a
 * fresh data directory; resolves once every member reports healthy (which needs a leader).
 */
export async function startEtcdCluster(): Promise<RunningCluster> {
  const ports = await freePorts(6);
  const dir = mkdtempSync(join(tmpdir(), 'bench-etcd-'));
  const names = ['m1', 'm2', 'm3'];
  const clientPort = (i: number) => ports[i];
  const peerUrl = (i: number) => `http://127.0.0.1:${ports[3 + i]}`;
  const initialCluster = names.map((name, i) => `${name}=${peerUrl(i)}`).join(',');
  const processes: TrackedProcess[] = names.map((name, i) => spawnTracked('etcd', [
    '--name', name, '--data-dir', join(dir, name),
    '--listen-client-urls', `http://127.0.0.1:${clientPort(i)}`, '--advertise-client-urls', `http://127.0.0.1:${clientPort(i)}`,
    '--listen-peer-urls', peerUrl(i), '--initial-advertise-peer-urls', peerUrl(i),
    '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'bench',
    '--logger', 'zap', '--log-level', 'error',
  ], dir));
  const alive = new Set(names.map((_, i) => i));
  const members: ClusterMember[] = names.map((name, i) => ({
    id: name,
    port: clientPort(i),
    kill: async () => {
      alive.delete(i);
      await processes[i].kill();
    },
  }));
  const statusAgent = new Agent({ keepAlive: false });
  const stop = async () => {
    statusAgent.destroy();
    await Promise.all(processes.map((child) => child.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (const member of members) {
      while (!(await getHealth(member.port))) {
        if (Date.now() > deadline) throw new Error(`etcd ${member.id} not healthy within ${START_TIMEOUT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    members,
    leader: async () => {
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (;;) {
        for (const i of alive) {
          const status = await postJson(clientPort(i), '/v3/maintenance/status', {}, statusAgent, 1000).catch(() => undefined) as MemberStatus | undefined;
          if (status !== undefined && status.leader === status.header.member_id) return members[i];
        }
        if (Date.now() > deadline) throw new Error(`no etcd leader within ${START_TIMEOUT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop,
  };
}

/**
 * `etcdctl check perf --load=l` against every member: 500 clients, a rate limit of 8,000
 * puts/s, 256-byte keys and 1 KiB values for 60 s. It exits non-zero when it judges the
 * throughput too low, so the figure is read from its output rather than its status.
 */
export function etcdCheckPerf(cluster: RunningCluster): number {
  const endpoints = cluster.members.map((member) => `127.0.0.1:${member.port}`).join(',');
  const result = spawnSync('etcdctl', ['--endpoints', endpoints, 'check', 'perf', '--load=l'], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, ETCDCTL_API: '3' } });
  const throughput = /Throughput (?:is|too low:) (\d+) writes\/s/.exec(result.stdout);
  if (throughput === null) throw new Error(`etcdctl check perf printed no throughput: ${result.stdout.slice(-500)} ${result.stderr}`);
  return Number(throughput[1]);
}
