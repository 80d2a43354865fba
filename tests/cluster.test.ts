// A 3-node cluster of real processes, driven by real clients: what a user of a plain Redis
// client sees (forwarding, linearizable reads on any node, READONLY), what an operator sees
// (INFO raft, CLUSTER ...), and the failure answers (CLUSTERDOWN fast, hand-off on SIGTERM).

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { after, before, describe, test } from 'node:test';
import { ProcessCluster, parseRaftInfo } from './support/cluster-processes.js';
import type { NodeId } from './support/cluster-processes.js';
import { waitUntil } from './support/wait.js';
import { clusterNodeId } from '../src/server/cluster-commands.js';
import { untilBlocked } from './support/blocked-clients.js';

const execFileAsync = promisify(execFile);
const hasRedisCli = spawnSync('sh', ['-c', 'command -v redis-cli']).status === 0;

/** The cluster's clients queue nothing while connecting: wait until one is connected. */
async function connected(client: Redis): Promise<Redis> {
  if (client.status !== 'ready') await once(client, 'ready');
  return client;
}

/** Everything a READONLY client can read of a replica's keys starting with `rep:`, in key order. */
async function replicaState(reader: Redis): Promise<unknown[]> {
  const keys = ((await reader.keys('rep:*')) as string[]).sort();
  const state: unknown[] = [];
  for (const key of keys) {
    const type = await reader.type(key);
    const hasTtl = (await reader.pttl(key)) > 0;
    const read: Record<string, () => Promise<unknown>> = {
      string: () => reader.get(key),
      list: () => reader.lrange(key, 0, -1),
      hash: () => reader.hgetall(key),
      set: async () => ((await reader.smembers(key)) as string[]).sort(),
      zset: () => reader.zrange(key, '0', '-1', 'WITHSCORES'),
      stream: async () => [await reader.xrange(key, '-', '+'), await reader.xinfo('GROUPS', key), (await reader.xpending(key, 'g', '-', '+', '100') as unknown[][]).map(([id, consumer, , deliveries]) => [id, consumer, deliveries])],
    };
    state.push([key, type, hasTtl, await read[type]()]);
  }
  return state;
}

describe('a 3-node cluster', () => {
  let cluster: ProcessCluster;
  let leader: NodeId;
  let followers: NodeId[];

  before(async () => {
    cluster = await ProcessCluster.start({ commandTimeoutMs: 5000 });
    leader = await cluster.leaderId();
    followers = await cluster.followerIds();
  });
  after(async () => cluster.close());

  test('a write sent to a follower is forwarded, and every node reads it at once', async () => {
    const follower = cluster.clients.get(followers[0]);
    assert.ok(follower !== undefined);
    assert.equal(await follower.set('forwarded', 'v1'), 'OK');
    assert.equal(await follower.incr('counter'), 1);
    for (const id of cluster.ids) {
      const client = cluster.clients.get(id);
      assert.ok(client !== undefined);
      // No waiting: a read on any node reflects every write acknowledged before it.
      assert.equal(await client.get('forwarded'), 'v1', `node ${id}`);
    }
    // A pipeline through a follower keeps its order: each read sees exactly the writes before it.
    const replies = await follower.pipeline().set('p', '1').get('p').set('p', '2').get('p').incr('counter').get('counter').exec();
    assert.deepEqual(replies?.map(([, value]) => value), ['OK', '1', 'OK', '2', 2, '2']);
  });

  test('MULTI/EXEC and blocking commands work through a follower', async () => {
    const follower = await connected(cluster.openClient(followers[1]));
    const other = await connected(cluster.openClient(leader));
    try {
      const results = await follower.multi().set('tx', 'a').append('tx', 'b').get('tx').exec();
      assert.deepEqual(results?.map(([, value]) => value), ['OK', 2, 'ab']);
      const popped = follower.blpop('queue', 5);
      const observer = cluster.clients.get(followers[1]);
      assert.ok(observer !== undefined && await untilBlocked(observer, 1));
      await other.rpush('queue', 'job');
      assert.deepEqual(await popped, ['queue', 'job']);
    } finally {
      follower.disconnect();
      other.disconnect();
    }
  });

  test('WATCH on a follower sees a write the leader committed that this follower has not received yet', async () => {
    leader = await cluster.leaderId();
    const [slow] = await cluster.followerIds();
    const watcher = await connected(cluster.openClient(slow));
    const writer = cluster.clients.get(leader);
    try {
      assert.equal(await watcher.watch('watched'), 'OK');
      cluster.setNodeDelay(slow, 400);
      // Committed with the other follower while the slow one has not seen it.
      assert.equal(await writer?.set('watched', 'changed'), 'OK');
      const result = await watcher.multi().set('watched', 'mine').exec();
      assert.equal(result, null, 'EXEC aborted: a watched key changed after WATCH');
    } finally {
      cluster.setNodeDelay(slow, 0);
      watcher.disconnect();
    }
    assert.equal(await writer?.get('watched'), 'changed');
  });

  test('every command family, written through the leader and a follower, leaves identical replicas', async () => {
    // The leader applies the commands it proposed as they are, followers decode them from the
    // log: the two must build the same state, down to seeded choices (SPOP) and stream IDs.
    leader = await cluster.leaderId();
    followers = await cluster.followerIds();
    const writers = [cluster.clients.get(leader), cluster.clients.get(followers[0])];
    for (let round = 0; round < 20; round++) {
      const pipeline = writers[round % 2]?.pipeline();
      assert.ok(pipeline !== undefined);
      pipeline.set(`rep:s${round % 5}`, `v${round}`).incr('rep:counter').append('rep:s0', `+${round}`).setrange('rep:s1', round, 'x');
      pipeline.expire(`rep:s${round % 5}`, 3600).rpush('rep:list', `a${round}`, `b${round}`).lpush('rep:list', `c${round}`).lrem('rep:list', 1, `b${round - 1}`).lpop('rep:list');
      pipeline.hset('rep:hash', `f${round % 7}`, `${round}`).hincrbyfloat('rep:hash', 'float', 0.1).hdel('rep:hash', `f${(round + 3) % 7}`);
      pipeline.sadd('rep:set', `m${round}`, `m${round + 1}`).spop('rep:set').smove('rep:set', 'rep:set2', `m${round}`).srem('rep:set', `m${round - 2}`);
      pipeline.zadd('rep:zset', round % 4, `z${round}`).zincrby('rep:zset', 1.5, `z${round % 3}`).zpopmin('rep:zset').zunionstore('rep:zunion', 2, 'rep:zset', 'rep:zunion');
      pipeline.xadd('rep:stream', '*', 'n', `${round}`).xadd('rep:stream', 'MAXLEN', '~', '50', '*', 'n', `${round}b`);
      if (round === 0) pipeline.xgroup('CREATE', 'rep:stream', 'g', '0');
      pipeline.xreadgroup('GROUP', 'g', `c${round % 2}`, 'COUNT', 2, 'STREAMS', 'rep:stream', '>');
      for (const [error] of (await pipeline.exec()) ?? []) assert.equal(error, null);
      const transaction = await writers[round % 2]?.multi().incr('rep:tx').sunionstore('rep:sunion', 'rep:set', 'rep:set2').copy('rep:hash', `rep:hash-copy${round % 2}`, 'REPLACE').exec();
      for (const [error] of transaction ?? []) assert.equal(error, null);
    }
    const pending = await cluster.clients.get(leader)?.xpending('rep:stream', 'g', '-', '+', '3') as Array<[string, string, number, number]>;
    const acker = cluster.clients.get(followers[0]);
    assert.equal(await acker?.xack('rep:stream', 'g', ...pending.map(([id]) => id)), 3);
    // The node that answered the last write has applied every write (it was the last in the
    // log). Not the leader's commit index: on a loaded machine an election may have made the
    // node read as leader a follower that has not heard of that write yet.
    const target = parseRaftInfo(await (acker?.info('raft') ?? '')).get('data-0')?.applied ?? 0;
    const replicas: string[] = [];
    for (const id of cluster.ids) {
      const reader = await connected(cluster.openClient(id));
      try {
        assert.equal(await reader.readonly(), 'OK');
        assert.ok(await waitUntil(async () => (parseRaftInfo(await reader.info('raft')).get('data-0')?.applied ?? 0) >= target, 10_000), `node ${id} applied the writes`);
        replicas.push(JSON.stringify(await replicaState(reader)));
      } finally {
        reader.disconnect();
      }
    }
    assert.ok(replicas[0].includes('rep:stream') && replicas[0].includes('rep:zunion'), 'the workload wrote every family');
    for (const replica of replicas.slice(1)) assert.equal(replica, replicas[0]);
  });

  test('redis-cli without -c just works on every node', { skip: hasRedisCli ? false : 'redis-cli is not installed' }, async () => {
    // Asynchronously: the proxies between the nodes live in this process and must keep running.
    const cli = async (id: NodeId, ...args: string[]) => (await execFileAsync('redis-cli', ['-p', String(cluster.port(id)), ...args])).stdout.trim();
    assert.equal(await cli(followers[0], 'SET', 'from-cli', 'hello'), 'OK');
    for (const id of cluster.ids) assert.equal(await cli(id, 'GET', 'from-cli'), 'hello');
  });

  test('INFO raft has one line per group on every node, agreeing on the leader', async () => {
    leader = await cluster.leaderId();
    for (const id of cluster.ids) {
      const groups = parseRaftInfo(await (cluster.clients.get(id)?.info('raft') ?? ''));
      assert.deepEqual([...groups.keys()].sort(), ['data-0', 'meta']);
      const data = groups.get('data-0');
      assert.equal(data?.leader, leader);
      assert.equal(data?.role, id === leader ? 'leader' : 'follower');
      assert.ok((data?.applied ?? 0) > 0 && (data?.term ?? 0) >= 1);
      const transport = new Map([...(await (cluster.clients.get(id)?.info('raft') ?? '')).matchAll(/^(peer_\w+):(\d+)\r?$/gm)].map(([, field, value]) => [field, Number(value)]));
      assert.ok((transport.get('peer_frames_sent') ?? 0) > 0 && (transport.get('peer_frames_received') ?? 0) > 0, `node ${id} counts its peer traffic`);
      assert.ok((transport.get('peer_socket_writes') ?? 0) > 0 && (transport.get('peer_bytes_sent') ?? 0) > 0);
      assert.equal(transport.get('peer_handshake_failures'), 0);
    }
  });

  test('CLUSTER NODES, INFO, MYID, SLOTS and KEYSLOT describe the cluster as Redis Cluster does', async () => {
    leader = await cluster.leaderId();
    const client = cluster.clients.get(followers[0]);
    assert.ok(client !== undefined);
    const lines = String(await client.cluster('NODES')).trim().split('\n');
    assert.equal(lines.length, 3);
    const masters = lines.filter((line) => line.split(' ')[2].includes('master'));
    assert.equal(masters.length, 1);
    assert.match(masters[0], new RegExp(`^${clusterNodeId(leader)} 127\\.0\\.0\\.1:${cluster.port(leader)}@\\d+ master - 0 0 \\d+ connected 0-16383$`));
    assert.equal(lines.filter((line) => line.includes('myself')).length, 1);
    assert.equal(await client.cluster('MYID'), clusterNodeId(followers[0]));
    assert.match(String(await client.cluster('INFO')), /cluster_state:ok\r\ncluster_slots_assigned:16384\r\n/);
    assert.equal(await client.cluster('KEYSLOT', 'foo'), 12182); // as redis-cli CLUSTER KEYSLOT foo
    assert.equal(await client.cluster('KEYSLOT', '{user1}.name'), await client.cluster('KEYSLOT', 'user1'));
    const slots = await client.cluster('SLOTS');
    assert.deepEqual(slots[0].slice(0, 3), [0, 16383, ['127.0.0.1', cluster.port(leader), clusterNodeId(leader), []]]);
    assert.equal(slots[0].length, 5);
  });

  test('ROLE: the leader is the master listing its replicas, each follower a connected replica of it; WAIT counts the replicas holding a write', async () => {
    leader = await cluster.leaderId();
    const [role, offset, replicas] = (await cluster.clients.get(leader)?.call('ROLE')) as [string, number, Array<[string, string, string]>];
    assert.equal(role, 'master');
    assert.ok(offset > 0);
    assert.deepEqual(replicas.map(([host, port]) => [host, Number(port)]).sort(), cluster.ids.filter((id) => id !== leader).map((id) => ['127.0.0.1', cluster.port(id)]).sort());
    const writer = cluster.clients.get(leader);
    await writer?.set('role:wait', 'x');
    assert.equal(await writer?.call('WAIT', 2, 5000), 2, 'both followers hold the write');
    const follower = cluster.ids.find((id) => id !== leader) as number;
    assert.equal(await cluster.clients.get(follower)?.call('WAIT', 5, 50), 1, 'a follower can vouch for a majority only');
    for (const id of cluster.ids.filter((member) => member !== leader)) {
      const reply = (await cluster.clients.get(id)?.call('ROLE')) as unknown[];
      assert.deepEqual(reply.slice(0, 4), ['slave', '127.0.0.1', cluster.port(leader), 'connected']);
      assert.ok(Number(reply[4]) > 0);
    }
  });

  test('an isolated follower refuses linearizable reads and writes quickly; READONLY reads its stale replica', async () => {
    leader = await cluster.leaderId();
    const isolated = (await cluster.followerIds())[1];
    const client = await connected(cluster.openClient(isolated));
    const stale = await connected(cluster.openClient(isolated));
    try {
      await cluster.clients.get(leader)?.set('before-cut', 'old');
      assert.ok(await waitUntil(async () => (await stale.get('before-cut')) === 'old', 5000));
      assert.equal(await stale.readonly(), 'OK');
      cluster.isolate(isolated, 'refuse');
      await cluster.clients.get(leader)?.set('before-cut', 'new');
      const started = performance.now();
      await assert.rejects(client.set('cut', 'x'), /^ReplyError: (CLUSTERDOWN|TRYAGAIN|UNCERTAIN) /);
      await assert.rejects(client.get('before-cut'), /^ReplyError: (CLUSTERDOWN|TRYAGAIN) /);
      // Bounded by the request timeout, never a hang (the command timeout is 5 s).
      assert.ok(performance.now() - started < 5000);
      assert.equal(await stale.get('before-cut'), 'old');
    } finally {
      cluster.heal(isolated);
      client.disconnect();
      stale.disconnect();
    }
    // Until it hears from the leader again its reads are refused (not answered stale).
    assert.ok(await waitUntil(async () => (await cluster.clients.get(isolated)?.get('before-cut').catch(() => undefined)) === 'new', 10_000));
  });

  test('SIGTERM on the leader hands leadership over: a writer on another node sees no error', async () => {
    leader = await cluster.leaderId();
    const survivor = (await cluster.followerIds())[0];
    const writer = await connected(cluster.openClient(survivor));
    const errors: string[] = [];
    let acknowledged = 0;
    let running = true;
    const loop = (async () => {
      for (let i = 0; running && i < 100_000; i++) {
        try {
          await writer.set('handoff', String(i));
          acknowledged++;
        } catch (error) {
          errors.push(String(error));
        }
      }
    })();
    try {
      assert.ok(await waitUntil(() => acknowledged > 50, 5000));
      assert.equal(await cluster.stop(leader), 0);
      const newLeader = await cluster.leaderId();
      assert.notEqual(newLeader, leader);
      const before = acknowledged;
      assert.ok(await waitUntil(() => acknowledged > before + 50, 5000));
    } finally {
      running = false;
      await loop;
      writer.disconnect();
    }
    assert.deepEqual(errors, []);
    await cluster.restart(leader);
    assert.ok(await waitUntil(async () => typeof (await cluster.clients.get(leader)?.get('handoff').catch(() => undefined)) === 'string', 10_000));
  });
});
