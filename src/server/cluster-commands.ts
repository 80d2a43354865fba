// CLUSTER, READONLY and READWRITE: what a Redis Cluster client (or an operator) can learn of
// the cluster map and the groups' leaders. One data group owns all 16384 slots today, so every
// node is one shard's replica: its leader is the master, the others its replicas.

import { OK, RespMap } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { NOT_INTEGER, errorReply } from '../commands/errors.js';
import { parseInt64 } from '../commands/arguments.js';
import { keySlot, SLOT_COUNT } from '../engine/key-slot.js';
import { MapCommand } from '../cluster/cluster-map.js';
import type { NodeRecord } from '../cluster/cluster-map.js';
import type { RaftGroup } from '../cluster/raft-group.js';
import type { Connection } from './connection.js';
import type { NodeServices } from './server-commands.js';
import { helpReply } from '../commands/help-reply.js';

/** Redis Cluster node ids are 40 hex digits; ours carry the Raft member id. */
export function clusterNodeId(id: number): string {
  return id.toString(16).padStart(40, '0');
}

/** One INFO line per hosted group: `<group>:role=...,leader=...,term=...,commit=...,applied=...`. */
export function raftInfoLines(node: NodeServices): Array<[string, string]> {
  const lines: Array<[string, string]> = [...node.host.groups.values()].map((group) => [group.name, describeGroup(group)]);
  const transport = node.host.transportStats;
  if (transport !== undefined) {
    lines.push(
      ['peer_frames_sent', String(transport.framesSent)], ['peer_frames_received', String(transport.framesReceived)],
      ['peer_bytes_sent', String(transport.bytesSent)], ['peer_bytes_received', String(transport.bytesReceived)],
      ['peer_socket_writes', String(transport.writes)], ['peer_reconnects', String(transport.reconnects)],
      ['peer_handshake_failures', String(transport.handshakeFailures)], ['peer_dropped_payloads', String(transport.dropped)],
    );
  }
  return lines;
}

function describeGroup(group: RaftGroup): string {
  const status = group.raw.status();
  const role = status.confState.learners.includes(status.id) ? 'learner' : status.role;
  return `role=${role},leader=${status.lead},term=${status.term},commit=${status.commit},applied=${group.appliedIndex}`;
}

export function clusterCommand(node: NodeServices, connection: Connection, args: readonly string[]): void {
  const sub = args[1].toLowerCase();
  const host = node.host;
  const data = host.dataGroup;
  switch (sub) {
    case 'myid':
      return connection.reply(clusterNodeId(host.nodeId));
    case 'keyslot':
      return connection.reply(keySlot(args[2]));
    case 'info': {
      const healthy = data.leaderId !== 0;
      const lines: Array<[string, string | number]> = [
        ['cluster_state', healthy ? 'ok' : 'fail'], ['cluster_slots_assigned', SLOT_COUNT],
        ['cluster_slots_ok', healthy ? SLOT_COUNT : 0], ['cluster_slots_pfail', 0], ['cluster_slots_fail', healthy ? 0 : SLOT_COUNT],
        ['cluster_known_nodes', host.clusterMap.nodes.length], ['cluster_size', 1],
        ['cluster_current_epoch', host.clusterMap.epoch], ['cluster_my_epoch', host.clusterMap.epoch],
        ['cluster_leader', data.leaderId], ['cluster_term', data.raw.raft.term],
      ];
      return connection.reply(`${lines.map(([field, value]) => `${field}:${value}`).join('\r\n')}\r\n`);
    }
    case 'nodes':
      return connection.reply(host.clusterMap.nodes.map((record) => nodeLine(node, record)).join('\n') + '\n');
    case 'slots': {
      const leader = host.clusterMap.node(data.leaderId);
      if (leader === undefined || leader.resp === '') return connection.reply([]);
      const replicas = host.clusterMap.nodes.filter((record) => record.id !== leader.id && record.resp !== '');
      return connection.reply([[0, SLOT_COUNT - 1, ...[leader, ...replicas].map(slotsEntry)]]);
    }
    case 'addnode': {
      const id = parseNodeId(args[2]);
      if (id === undefined) return connection.reply(errorReply('ERR Invalid node id (a positive integer)'));
      if (!/^[^\s:]+:\d{1,5}$/.test(args[3])) return connection.reply(errorReply('ERR Invalid address, expected host:port of the node\'s peer transport'));
      const answer = connection.reserveReply();
      return host.changeMap(MapCommand.addNode(id, args[3]), answer);
    }
    case 'forget': {
      const id = parseNodeId(args[2]);
      if (id === undefined || host.clusterMap.node(id) === undefined) return connection.reply(errorReply(`ERR Unknown node ${args[2]}`));
      if (host.clusterMap.nodes.length === 1) return connection.reply(errorReply('ERR The last node of a cluster cannot be forgotten'));
      const answer = connection.reserveReply();
      return host.changeMap(MapCommand.removeNode(id), answer);
    }
    case 'help':
      return connection.reply(helpReply('cluster', [
        'INFO', '    Return information about the cluster.',
        'KEYSLOT <key>', '    Return the hash slot for <key>.',
        'MYID', '    Return the node id.',
        'NODES', '    Return cluster configuration seen by node. Output format:',
        '    <id> <ip:port@bus-port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
        'ADDNODE <id> <host:port>', '    Add a node to the cluster (start it with --join yes); it joins as a learner and becomes', '    a voter once caught up.',
        'FORGET <node-id>', '    Remove a node from the cluster (its id, or its 40-digit CLUSTER NODES id).',
        'SLOTS', '    Return information about slots range mappings. Each range is made of:',
        '    start, end, master and replicas IP addresses, ports and ids',
      ]));
    default:
      return connection.reply(errorReply(`ERR unknown subcommand '${args[1]}'. Try CLUSTER HELP.`));
  }
}

/** A member id as given to ADDNODE/FORGET: the number, or the 40-digit CLUSTER NODES form. */
function parseNodeId(text: string): number | undefined {
  const id = /^\d{1,10}$/.test(text) ? Number(text) : /^[0-9a-f]{40}$/i.test(text) ? Number.parseInt(text, 16) : NaN;
  return Number.isSafeInteger(id) && id >= 1 && id <= 2 ** 31 - 1 ? id : undefined;
}

function slotsEntry(record: NodeRecord): RespValue {
  const at = record.resp.lastIndexOf(':');
  // The fourth field is Redis 7's networking metadata (hostname...), none here.
  return [record.resp.slice(0, at), Number(record.resp.slice(at + 1)), clusterNodeId(record.id), new RespMap([])];
}

/** A CLUSTER NODES line, in Redis's format. */
function nodeLine(node: NodeServices, record: NodeRecord): string {
  const host = node.host;
  const leaderId = host.dataGroup.leaderId;
  const flags = [record.id === host.nodeId ? 'myself' : undefined, record.id === leaderId ? 'master' : 'slave'].filter((f) => f !== undefined).join(',');
  const master = record.id === leaderId || leaderId === 0 ? '-' : clusterNodeId(leaderId);
  const busPort = record.bus.slice(record.bus.lastIndexOf(':') + 1);
  const address = record.resp === '' ? `:0@${busPort}` : `${record.resp}@${busPort}`;
  const linked = record.id === host.nodeId || host.isPeerConnected(record.id);
  const slots = record.id === leaderId ? ` 0-${SLOT_COUNT - 1}` : '';
  return `${clusterNodeId(record.id)} ${address} ${flags} ${master} 0 0 ${host.clusterMap.epoch} ${linked ? 'connected' : 'disconnected'}${slots}`;
}

/** Host and port of a `host:port` RESP address. */
function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

/**
 * ROLE, as Redis's replication roles map onto the data group: its leader is the master and
 * lists every other member with the log index it has (Redis: the replication offset); another
 * member is a replica of the leader, "connected" while it knows one, at its applied index.
 */
export function roleCommand(node: NodeServices, connection: Connection): void {
  const host = node.host;
  const group = host.dataGroup;
  const others = host.clusterMap.nodes.filter((record) => record.id !== host.nodeId && record.resp !== '');
  if (group.isLeader) {
    const progress = group.raw.raft.tracker.progress;
    return connection.reply(['master', group.appliedIndex, others.map((record) => {
      const [address, port] = splitAddress(record.resp);
      return [address, String(port), String(progress.get(record.id)?.match ?? 0)];
    })]);
  }
  const leader = others.find((record) => record.id === group.leaderId);
  const [address, port] = leader === undefined ? ['', 0] : splitAddress(leader.resp);
  connection.reply(['slave', address, port, leader === undefined ? 'connect' : 'connected', group.appliedIndex]);
}

/** How often a waiting WAIT looks at the followers' progress again. */
const WAIT_POLL_MS = 5;

/**
 * How many other members are known to hold the data group's log up to `index`: on the leader,
 * those whose match index reached it; on a follower, which sees no one else's progress, the
 * fewest a committed entry can be on besides the leader (a majority, this member included).
 */
function replicasHolding(group: RaftGroup, index: number): number {
  const raft = group.raw.raft;
  if (group.isLeader) {
    let holding = 0;
    for (const [id, progress] of raft.tracker.progress) if (id !== group.nodeId && progress.match >= index) holding++;
    return holding;
  }
  const voters = raft.tracker.voters.length;
  return voters > 1 ? Math.max(1, Math.floor(voters / 2)) : 0;
}

/**
 * WAIT numreplicas timeout: every write this client saw acknowledged is applied here, so the
 * applied index covers them; the reply is how many other members hold it, as soon as that is
 * numreplicas or the timeout (ms, 0: none) passes. Inside MULTI/EXEC it answers at once.
 */
export function waitCommand(node: NodeServices, connection: Connection, args: readonly string[]): void {
  const wanted = parseInt64(args[1]);
  if (wanted === undefined) return connection.reply(NOT_INTEGER);
  const timeoutMs = parseInt64(args[2]);
  if (timeoutMs === undefined) return connection.reply(errorReply('ERR timeout is not an integer or out of range'));
  if (timeoutMs < 0) return connection.reply(errorReply('ERR timeout is negative'));
  const group = node.host.dataGroup;
  const index = group.appliedIndex;
  const holding = replicasHolding(group, index);
  if (holding >= wanted || connection.capturing) return connection.reply(holding);
  const answer = connection.reserveReply();
  const deadline = timeoutMs === 0 ? Infinity : Date.now() + Number(timeoutMs);
  const poll = (): void => {
    const now = replicasHolding(group, index);
    if (now >= wanted || Date.now() >= deadline || connection.isClosing) answer(now);
    else setTimeout(poll, WAIT_POLL_MS);
  };
  setTimeout(poll, WAIT_POLL_MS);
}

export function readonlyCommand(connection: Connection, stale: boolean): void {
  connection.staleReads = stale;
  connection.reply(OK);
}
