// Growing and shrinking a running cluster of real processes: CLUSTER ADDNODE brings in a node
// started with --join (learner, then voter once caught up), CLUSTER FORGET takes one out — the
// leader included, which hands leadership over first. Data written before is on the newcomer,
// writes keep working throughout, and a forgotten node refuses to serve instead of going stale
// and still shuts down cleanly.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { freePorts, startNodeProcess, stopNodeProcess } from './support/node-process.js';
import type { NodeProcess } from './support/node-process.js';
import { ProcessCluster, parseRaftInfo } from './support/cluster-processes.js';
import { waitUntil } from './support/wait.js';

const nodes = new Map<number, NodeProcess>();
const clients = new Map<number, Redis>();
after(async () => {
  for (const client of clients.values()) client.disconnect();
  for (const node of nodes.values()) {
    await stopNodeProcess(node).catch(() => undefined);
    rmSync(node.dataDir, { recursive: true, force: true });
  }
});

async function dataGroup(id: number) {
  const info = await clients.get(id)?.info('raft').catch(() => '');
  return parseRaftInfo(info ?? '').get('data-0');
}

test('a node joins a running cluster with CLUSTER ADDNODE and leaves it with CLUSTER FORGET', async () => {
  const secret = randomBytes(8).toString('hex');
  const [bus1, bus2, bus3, bus4] = await freePorts(4);
  const founders = `1=127.0.0.1:${bus1},2=127.0.0.1:${bus2},3=127.0.0.1:${bus3}`;
  // Snapshots every few entries: the log the newcomer would need is gone, so it catches up
  // through the snapshot path (sent in parts, installed, then the log after it).
  const common = ['--cluster-secret', secret, '--heartbeat-ms', '50', '--election-timeout-ms', '300', '--snapshot-log-bytes', '4096'];
  await Promise.all([1, 2, 3].map(async (id) => {
    nodes.set(id, await startNodeProcess({ args: ['--node-id', String(id), '--peers', founders, ...common] }));
  }));
  for (const [id, node] of nodes) clients.set(id, new Redis({ port: node.port, maxRetriesPerRequest: 1 }));
  assert.ok(await waitUntil(async () => (await dataGroup(1))?.leader !== 0 && (await dataGroup(1))?.leader !== undefined, 10_000));
  for (let i = 0; i < 1500; i += 100) {
    const pipeline = clients.get(1)?.pipeline();
    for (let j = i; j < i + 100; j++) pipeline?.set(`before:${j}`, String(j));
    await pipeline?.exec();
  }

  nodes.set(4, await startNodeProcess({ args: ['--node-id', '4', '--peers', `${founders},4=127.0.0.1:${bus4}`, '--join', 'yes', ...common] }));
  clients.set(4, new Redis({ port: nodes.get(4)?.port, maxRetriesPerRequest: 1 }));
  // Not a member yet: it refuses rather than answering from an empty replica.
  await assert.rejects(clients.get(4)?.get('before:1') ?? Promise.reject(new Error('no client')), /CLUSTERDOWN This node is not a member/);
  assert.equal(await clients.get(2)?.call('CLUSTER', 'ADDNODE', '4', `127.0.0.1:${bus4}`), 'OK');
  // Caught up is not enough: a snapshot taken before its ADDNODE leaves it outside the group
  // until the entries after the snapshot arrive. Serving is what counts.
  assert.ok(await waitUntil(async () => (await clients.get(4)?.get('before:1499').catch(() => undefined)) === '1499', 10_000));
  // Then it is promoted from learner to voter.
  assert.ok(await waitUntil(async () => (await dataGroup(4))?.role === 'follower', 10_000));
  assert.equal(await clients.get(4)?.dbsize(), 1500);
  assert.match(nodes.get(4)?.output() ?? '', /installed a snapshot from the leader/);
  assert.equal(await clients.get(4)?.set('via-4', 'yes'), 'OK');
  assert.equal(await clients.get(3)?.get('via-4'), 'yes');
  assert.equal(String(await clients.get(1)?.cluster('NODES')).trim().split('\n').length, 4);

  // Remove the leader itself: it hands leadership over, then the new leader removes it.
  const leader = (await dataGroup(1))?.leader ?? 0;
  const survivor = [1, 2, 3, 4].find((id) => id !== leader) ?? 1;
  assert.equal(await clients.get(survivor)?.cluster('FORGET', String(leader)), 'OK');
  assert.ok(await waitUntil(async () => {
    const group = await dataGroup(survivor);
    return group !== undefined && group.leader !== 0 && group.leader !== leader;
  }, 10_000));
  assert.ok(await waitUntil(async () => String(await clients.get(survivor)?.cluster('NODES')).trim().split('\n').length === 3, 10_000));
  assert.equal(await clients.get(survivor)?.set('after-forget', 'ok'), 'OK');
  for (const id of [1, 2, 3, 4].filter((n) => n !== leader)) assert.equal(await clients.get(id)?.get('after-forget'), 'ok');
  // The forgotten node does not serve a replica that no longer follows the log.
  assert.ok(await waitUntil(async () => {
    const answer = await clients.get(leader)?.get('after-forget').catch((error: Error) => error.message);
    return typeof answer === 'string' && answer.startsWith('CLUSTERDOWN This node is not a member');
  }, 10_000));
  await assert.rejects(clients.get(2)?.cluster('FORGET', '99') ?? Promise.reject(new Error('no client')), /Unknown node 99/);
});

test('a forgotten node exits cleanly on SIGTERM, also when the map lists a node it did not found the cluster with', { timeout: 120_000 }, async () => {
  // A short request timeout: a forgotten node's retries to announce itself (which it keeps
  // making) are never held up long by one still waiting for its answer.
  const cluster = await ProcessCluster.start({ commandTimeoutMs: 10_000, args: ['--cluster-request-timeout-ms', '300'] });
  try {
    const added = await cluster.addNode();
    await cluster.untilVoter(added);
    // Enough data that the snapshot a node writes on its way out takes a while: whatever is
    // still scheduled runs in that time.
    const leader = cluster.clients.get(await cluster.leaderId());
    const value = 'x'.repeat(100_000);
    for (let i = 0; i < 600; i += 20) {
      const pipeline = leader?.pipeline();
      for (let j = i; j < i + 20; j++) pipeline?.set(`big:${j}`, value);
      await pipeline?.exec();
    }
    const founder = (await cluster.followerIds()).find((id) => id !== added) ?? 0;
    await cluster.removeNode(founder);
    assert.deepEqual(cluster.uncleanExits, []);
  } finally {
    await cluster.close();
  }
});
