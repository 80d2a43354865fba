// A 3-node Shoal cluster on loopback for the cluster section: three node processes that know
// each other through --peers, fsync before acknowledging (the default), one data group
// replicated on all three.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitForPing } from '../tests/support/node-process.js';
import { SHOAL_CLI, commandVersion, freePorts, spawnTracked } from './servers.js';
import type { ClusterMember, RunningCluster, TrackedProcess } from './servers.js';

const START_TIMEOUT_MS = 20_000;
const DATA_GROUP = 'data-0';

/** Whether this build of Shoal can form a cluster (its --help lists --peers). */
export function shoalHasCluster(): boolean {
  return commandVersion(`"${process.execPath}" "${SHOAL_CLI}" --help`).includes('--peers');
}

/** The role in the data group's line of `INFO raft`: `data-0:role=leader,leader=2,term=3,...`. */
function dataGroupRole(info: string): string | undefined {
  const line = info.split(/\r?\n/).find((text) => text.startsWith(`${DATA_GROUP}:`));
  return line === undefined ? undefined : /(?:^|[:,])role=(\w+)/.exec(line)?.[1];
}

async function raftRole(port: number): Promise<string | undefined> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, commandTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return dataGroupRole(await redis.info('raft'));
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

export async function startShoalCluster(): Promise<RunningCluster> {
  const ports = await freePorts(6);
  const dir = mkdtempSync(join(tmpdir(), 'bench-shoal-cluster-'));
  const ids = ['1', '2', '3'];
  const respPort = (i: number) => ports[i];
  const peers = ids.map((id, i) => `${id}=127.0.0.1:${ports[3 + i]}`).join(',');
  const secret = randomBytes(16).toString('hex');
  const processes: TrackedProcess[] = ids.map((id, i) => spawnTracked(process.execPath, [
    SHOAL_CLI, '--port', String(respPort(i)), '--data-dir', join(dir, id), '--node-id', id,
    '--cluster-port', String(ports[3 + i]), '--peers', peers, '--cluster-secret', secret,
    '--appendfsync', 'always', '--loglevel', 'warn',
  ], dir));
  const alive = new Set(ids.map((_, i) => i));
  const members: ClusterMember[] = ids.map((id, i) => ({
    id,
    port: respPort(i),
    kill: async () => {
      alive.delete(i);
      await processes[i].kill();
    },
  }));
  const leader = async () => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      for (const i of alive) {
        if ((await raftRole(respPort(i))) === 'leader') return members[i];
      }
      if (Date.now() > deadline) throw new Error(`no ${DATA_GROUP} leader within ${START_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const stop = async () => {
    await Promise.all(processes.map((child) => child.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(members.map((member) => waitForPing(member.port, START_TIMEOUT_MS)));
    await leader();
  } catch (error) {
    await stop();
    throw error;
  }
  return { members, leader, stop };
}
