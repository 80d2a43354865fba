// The INFO command's text: "# Section" headers and "field:value" lines, Redis's layout, with
// Redis's field names where the concept is the same so existing dashboards and tools work.

import { arch, hostname, platform, release } from 'node:os';
import type { NodeServices } from './server-commands.js';
import { SERVER_VERSION, SHOAL_VERSION } from './server-commands.js';
import { raftInfoLines } from './cluster-commands.js';

type Section = (node: NodeServices) => Array<[string, string | number]>;

const sections: Record<string, Section> = {
  server: (node) => {
    const uptimeSeconds = Math.floor((Date.now() - node.stats.startedAtMs) / 1000);
    return [
      ['redis_version', SERVER_VERSION], ['shoal_version', SHOAL_VERSION], ['redis_mode', 'standalone'], ['shoal_node_id', node.host.nodeId],
      ['os', `${platform()} ${release()} ${arch()}`], ['arch_bits', 64], ['process_id', process.pid],
      ['run_id', node.runId], ['tcp_port', node.config.port], ['uptime_in_seconds', uptimeSeconds],
      ['uptime_in_days', Math.floor(uptimeSeconds / 86400)], ['executable', process.argv[1] ?? ''],
      ['config_file', node.configFile ?? ''], ['hostname', hostname()], ['node_version', process.version],
    ];
  },
  clients: (node) => [
    ['connected_clients', node.clients.size], ['maxclients', node.config.maxclients], ['blocked_clients', node.blockedClients()],
  ],
  memory: (node) => {
    const memory = process.memoryUsage();
    const used = node.host.dataGroup.machine.keyspace.usedBytes;
    return [
      // used_memory is Shoal's estimate of the keyspace, the figure maxmemory is enforced on.
      ['used_memory', used], ['used_memory_human', humanBytes(used)],
      ['used_memory_rss', memory.rss], ['used_memory_rss_human', humanBytes(memory.rss)],
      ['used_memory_heap', memory.heapUsed], ['used_memory_heap_total', memory.heapTotal], ['used_memory_external', memory.external],
      ['maxmemory', node.config.maxmemory], ['maxmemory_human', humanBytes(node.config.maxmemory)],
      ['maxmemory_policy', node.config.maxmemoryPolicy], ['evicted_keys', node.evictor.evictedKeys],
    ];
  },
  persistence: (node) => {
    const wal = node.host.walStats;
    const recovery = node.host.recovery;
    return [
      ['loading', 0], ['aof_enabled', 1], ['appendfsync', node.config.appendfsync],
      ['wal_segments', wal.segments], ['wal_bytes_since_snapshot', wal.bytesSinceCompaction], ['wal_written_bytes', wal.writtenBytes],
      ['wal_appended_records', wal.appendedRecords], ['wal_fsyncs', wal.fsyncs], ['wal_last_fsync_ms', round(wal.lastFsyncDurationMs)],
      ['wal_recovered_records', recovery.records], ['wal_truncated_bytes_at_start', recovery.truncated?.droppedBytes ?? 0],
      ['rdb_last_save_time', Math.floor((node.host.dataGroup.lastSaveMs || node.stats.startedAtMs) / 1000)],
      ['snapshot_log_bytes', node.config.snapshotLogBytes], ['applied_index', node.host.dataGroup.appliedIndex],
    ];
  },
  stats: (node) => [
    ['total_connections_received', node.stats.connectionsReceived], ['total_commands_processed', node.stats.commandsProcessed],
    ['total_net_input_bytes', node.stats.netInputBytes], ['total_net_output_bytes', node.stats.netOutputBytes],
    ['rejected_connections', node.stats.rejectedConnections], ['total_error_replies', node.stats.errorReplies],
    ['protocol_errors', node.stats.protocolErrors], ['client_output_buffer_limit_disconnections', node.stats.outputLimitDisconnections],
    ['pubsub_channels', node.pubsub.channels('channel', undefined).length], ['pubsub_patterns', node.pubsub.patternCount], ['log_pending_entries', node.host.dataGroup.pendingCount],
  ],
  replication: () => [['role', 'master'], ['connected_slaves', 0]],
  cpu: () => {
    const usage = process.cpuUsage();
    return [['used_cpu_sys', round(usage.system / 1e6)], ['used_cpu_user', round(usage.user / 1e6)]];
  },
  // Shoal's own: one line per Raft group this node hosts.
  raft: (node) => raftInfoLines(node),
  keyspace: (node) => {
    const keyspace = node.host.dataGroup.machine.keyspace;
    return keyspace.size === 0 ? [] : [['db0', `keys=${keyspace.size},expires=${keyspace.volatileCount},avg_ttl=0`]];
  },
};

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'raft', 'keyspace'];

export function infoText(node: NodeServices, requested: readonly string[]): string {
  const names = new Set<string>();
  for (const name of requested.length === 0 ? ['default'] : requested.map((r) => r.toLowerCase())) {
    if (name === 'default' || name === 'all' || name === 'everything') DEFAULT_SECTIONS.forEach((s) => names.add(s));
    else if (name in sections) names.add(name);
  }
  const blocks: string[] = [];
  for (const name of DEFAULT_SECTIONS) {
    if (!names.has(name)) continue;
    const lines = sections[name](node).map(([field, value]) => `${field}:${value}`);
    blocks.push([`# ${name[0].toUpperCase()}${name.slice(1)}`, ...lines].join('\r\n'));
  }
  return blocks.length === 0 ? '' : `${blocks.join('\r\n\r\n')}\r\n`;
}

function humanBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(2)}${units[unit]}`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
