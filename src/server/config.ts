// Node configuration: one table of parameters, read from (lowest to highest precedence)
// defaults, an optional Redis-style config file ("name value" lines), SHOAL_* environment
// variables, and command-line flags. The same table answers CONFIG GET / CONFIG SET.

import { readFileSync } from 'node:fs';
import type { FsyncPolicy } from '../storage/wal.js';
import { MAX_ARGUMENT_BYTES } from '../protocol/parser.js';
import { EVICTION_POLICIES } from '../cluster/eviction.js';
import type { EvictionPolicy } from '../cluster/eviction.js';

export interface NodeConfig {
  port: number;
  bind: string;
  dataDir: string;
  appendfsync: FsyncPolicy;
  requirepass: string;
  maxclients: number;
  logLevel: string;
  /** Take a snapshot and compact the log after this many bytes of log. */
  snapshotLogBytes: number;
  /** proto-max-bulk-len: the largest bulk string a client may send. */
  protoMaxBulkLen: number;
  /** Milliseconds between active-expiry cycles. */
  activeExpireIntervalMs: number;
  /** Bytes of keyspace (Shoal's estimate) above which writes evict or fail; 0 = no limit. */
  maxmemory: number;
  maxmemoryPolicy: EvictionPolicy;
  maxmemorySamples: number;
  /** Commands slower than this many microseconds go to the SLOWLOG (negative: never). */
  slowlogLogSlowerThan: number;
  slowlogMaxLen: number;
  /** This node's id in the cluster (Raft member id), unique among the members. */
  nodeId: number;
  /** Port of the peer transport; 0 means the RESP port + 10000, as Redis Cluster's bus. */
  clusterPort: number;
  /** The founding members' peer addresses, `id=host:port,...`; empty for a one-node cluster. */
  peers: string;
  /** Shared by the members; a peer that cannot prove it is refused. */
  clusterSecret: string;
  /** Join a running cluster (CLUSTER ADDNODE on a member first) instead of founding one. */
  join: boolean;
  heartbeatMs: number;
  /** The minimum election timeout; each election draws one from [this, 2 × this). */
  electionTimeoutMs: number;
  /** How long a replicated request may wait before the client is told its outcome is unknown. */
  clusterRequestTimeoutMs: number;
}

export const defaultConfig: Readonly<NodeConfig> = {
  port: 6379,
  bind: '127.0.0.1',
  dataDir: './data',
  appendfsync: 'always',
  requirepass: '',
  maxclients: 10000,
  logLevel: 'info',
  snapshotLogBytes: 64 * 1024 * 1024,
  protoMaxBulkLen: MAX_ARGUMENT_BYTES,
  activeExpireIntervalMs: 100,
  maxmemory: 0,
  maxmemoryPolicy: 'noeviction',
  maxmemorySamples: 5,
  slowlogLogSlowerThan: 10_000,
  slowlogMaxLen: 128,
  nodeId: 1,
  clusterPort: 0,
  peers: '',
  clusterSecret: '',
  join: false,
  heartbeatMs: 50,
  electionTimeoutMs: 300,
  clusterRequestTimeoutMs: 2000,
};

type Parameter = {
  /** Name in config files, CONFIG GET/SET and (as --name) on the command line. */
  readonly name: string;
  readonly field: keyof NodeConfig;
  readonly env: string;
  /** Parses a textual value, or returns an error message. */
  readonly parse: (text: string) => NodeConfig[keyof NodeConfig] | { error: string };
  readonly format: (value: NodeConfig[keyof NodeConfig]) => string;
  /** Whether CONFIG SET may change it while the node runs. */
  readonly mutable: boolean;
};

/** A whole number in [min, max] (Redis's texts for CONFIG SET failures). */
const integer = (min: number, max: number) => (text: string) => {
  if (!/^-?\d{1,16}$/.test(text.trim())) return { error: "argument couldn't be parsed into an integer" };
  return inRange(Number(text), min, max);
};

/** Bytes, with Redis's unit suffixes (1k = 1000, 1kb = 1024, ...). */
const memory = (min: number, max: number) => (text: string) => {
  const value = parseMemory(text);
  if (value === undefined) return { error: 'argument must be a memory value' };
  return inRange(value, min, max);
};

function inRange(value: number, min: number, max: number): number | { error: string } {
  return value < min || value > max ? { error: `argument must be between ${min} and ${max} inclusive` } : value;
}

function parseMemory(text: string): number | undefined {
  const match = /^(\d+)(k|kb|m|mb|g|gb)?$/i.exec(text.trim());
  if (match === null) return undefined;
  const units: Record<string, number> = { k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  const value = Number(match[1]) * (match[2] === undefined ? 1 : units[match[2].toLowerCase()]);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** One of a fixed list of words, listed in the error in Redis's order. */
const oneOf = <T extends string>(choices: readonly T[]) => (text: string) => {
  const lower = text.toLowerCase() as T;
  return choices.includes(lower) ? lower : { error: `argument(s) must be one of the following: ${choices.join(', ')}` };
};

const text = (value: string) => value;
const yesNo = (value: string) => (/^(yes|true|1)$/i.test(value) ? true : /^(no|false|0)$/i.test(value) ? false : { error: "argument must be 'yes' or 'no'" });
const asString = (value: NodeConfig[keyof NodeConfig]) => String(value);

export const parameters: readonly Parameter[] = [
  { name: 'port', field: 'port', env: 'SHOAL_PORT', parse: integer(0, 65535), format: asString, mutable: false },
  { name: 'bind', field: 'bind', env: 'SHOAL_BIND', parse: text, format: asString, mutable: false },
  { name: 'dir', field: 'dataDir', env: 'SHOAL_DATA_DIR', parse: text, format: asString, mutable: false },
  {
    name: 'appendfsync', field: 'appendfsync', env: 'SHOAL_APPENDFSYNC', mutable: true, format: asString,
    parse: oneOf<FsyncPolicy>(['everysec', 'always', 'no']),
  },
  { name: 'requirepass', field: 'requirepass', env: 'SHOAL_REQUIREPASS', parse: text, format: asString, mutable: true },
  { name: 'maxclients', field: 'maxclients', env: 'SHOAL_MAXCLIENTS', parse: integer(1, 4_294_967_295), format: asString, mutable: true },
  { name: 'loglevel', field: 'logLevel', env: 'SHOAL_LOG_LEVEL', parse: text, format: asString, mutable: false },
  { name: 'snapshot-log-bytes', field: 'snapshotLogBytes', env: 'SHOAL_SNAPSHOT_LOG_BYTES', parse: memory(1024, Number.MAX_SAFE_INTEGER), format: asString, mutable: true },
  { name: 'proto-max-bulk-len', field: 'protoMaxBulkLen', env: 'SHOAL_PROTO_MAX_BULK_LEN', parse: memory(1024 * 1024, MAX_ARGUMENT_BYTES), format: asString, mutable: true },
  { name: 'maxmemory', field: 'maxmemory', env: 'SHOAL_MAXMEMORY', parse: memory(0, Number.MAX_SAFE_INTEGER), format: asString, mutable: true },
  {
    name: 'maxmemory-policy', field: 'maxmemoryPolicy', env: 'SHOAL_MAXMEMORY_POLICY', mutable: true, format: asString,
    parse: oneOf<EvictionPolicy>(EVICTION_POLICIES),
  },
  { name: 'maxmemory-samples', field: 'maxmemorySamples', env: 'SHOAL_MAXMEMORY_SAMPLES', parse: integer(1, 64), format: asString, mutable: true },
  { name: 'slowlog-log-slower-than', field: 'slowlogLogSlowerThan', env: 'SHOAL_SLOWLOG_LOG_SLOWER_THAN', parse: integer(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), format: asString, mutable: true },
  { name: 'slowlog-max-len', field: 'slowlogMaxLen', env: 'SHOAL_SLOWLOG_MAX_LEN', parse: integer(0, 1_000_000), format: asString, mutable: true },
  { name: 'active-expire-interval-ms', field: 'activeExpireIntervalMs', env: 'SHOAL_ACTIVE_EXPIRE_INTERVAL_MS', parse: integer(1, 60_000), format: asString, mutable: true },
  { name: 'node-id', field: 'nodeId', env: 'SHOAL_NODE_ID', parse: integer(1, 2 ** 31 - 1), format: asString, mutable: false },
  { name: 'cluster-port', field: 'clusterPort', env: 'SHOAL_CLUSTER_PORT', parse: integer(0, 65535), format: asString, mutable: false },
  { name: 'peers', field: 'peers', env: 'SHOAL_PEERS', parse: peerList, format: asString, mutable: false },
  { name: 'cluster-secret', field: 'clusterSecret', env: 'SHOAL_CLUSTER_SECRET', parse: text, format: () => '', mutable: false },
  { name: 'join', field: 'join', env: 'SHOAL_JOIN', parse: yesNo, format: (value) => (value === true ? 'yes' : 'no'), mutable: false },
  { name: 'heartbeat-ms', field: 'heartbeatMs', env: 'SHOAL_HEARTBEAT_MS', parse: integer(5, 10_000), format: asString, mutable: false },
  { name: 'election-timeout-ms', field: 'electionTimeoutMs', env: 'SHOAL_ELECTION_TIMEOUT_MS', parse: integer(20, 60_000), format: asString, mutable: false },
  { name: 'cluster-request-timeout-ms', field: 'clusterRequestTimeoutMs', env: 'SHOAL_CLUSTER_REQUEST_TIMEOUT_MS', parse: integer(100, 600_000), format: asString, mutable: true },
];

export interface PeerAddress {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/** `id=host:port,...` → the founding members, sorted by id; an error text for a bad list. */
export function parsePeers(list: string): PeerAddress[] | { error: string } {
  if (list.trim() === '') return [];
  const peers: PeerAddress[] = [];
  for (const item of list.split(',')) {
    const match = /^\s*(\d+)=([^\s:]+):(\d+)\s*$/.exec(item);
    if (match === null) return { error: `'${item}' is not id=host:port` };
    const [id, host, port] = [Number(match[1]), match[2], Number(match[3])];
    if (id < 1 || id > 2 ** 31 - 1 || port < 1 || port > 65535) return { error: `'${item}': id or port out of range` };
    if (peers.some((peer) => peer.id === id)) return { error: `node ${id} is listed twice` };
    peers.push({ id, host, port });
  }
  return peers.sort((a, b) => a.id - b.id);
}

function peerList(value: string): string | { error: string } {
  const parsed = parsePeers(value);
  return 'error' in parsed ? parsed : value;
}

/** Aliases accepted on the command line for readability (`--data-dir` for `dir`). */
const flagAliases: Record<string, string> = { 'data-dir': 'dir', 'log-level': 'loglevel' };

export function findParameter(name: string): Parameter | undefined {
  const lower = name.toLowerCase();
  return parameters.find((parameter) => parameter.name === (flagAliases[lower] ?? lower));
}

export class ConfigError extends Error {}

function assign(config: NodeConfig, name: string, value: string, source: string): void {
  const parameter = findParameter(name);
  if (parameter === undefined) throw new ConfigError(`${source}: unknown setting '${name}'`);
  const parsed = parameter.parse(value);
  if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) throw new ConfigError(`${source}: ${name}: ${parsed.error}`);
  (config as unknown as Record<string, unknown>)[parameter.field] = parsed;
}

/** Parses a Redis-style config file: `name value` per line, `#` comments, quotes allowed. */
export function parseConfigFile(contents: string, path: string): Array<[string, string]> {
  const settings: Array<[string, string]> = [];
  contents.split(/\r?\n/).forEach((line, lineIndex) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^(\S+)\s+(.*)$/.exec(trimmed);
    if (match === null) throw new ConfigError(`${path}:${lineIndex + 1}: expected 'name value'`);
    settings.push([match[1], match[2].replace(/^"(.*)"$/, '$1')]);
  });
  return settings;
}

export interface ConfigSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Builds the configuration from flags > environment > config file > defaults. */
export function loadConfig(sources: ConfigSources): NodeConfig {
  const flags: Array<[string, string]> = [];
  let configFile: string | undefined = sources.env.SHOAL_CONFIG;
  for (let i = 0; i < sources.argv.length; i++) {
    const arg = sources.argv[i];
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument '${arg}' (settings are --name value)`);
    const [name, inlineValue] = arg.slice(2).split(/=(.*)/s, 2);
    const value = inlineValue ?? sources.argv[++i];
    if (value === undefined) throw new ConfigError(`--${name} needs a value`);
    if (name === 'config') configFile = value;
    else flags.push([name, value]);
  }
  const config: NodeConfig = { ...defaultConfig };
  if (configFile !== undefined) {
    for (const [name, value] of parseConfigFile(readFileSync(configFile, 'utf8'), configFile)) assign(config, name, value, configFile);
  }
  for (const parameter of parameters) {
    const value = sources.env[parameter.env];
    if (value !== undefined) assign(config, parameter.name, value, `environment ${parameter.env}`);
  }
  for (const [name, value] of flags) assign(config, name, value, `--${name}`);
  return config;
}

/** Applies overrides given as a partial config object (the embedding API). */
export function configWith(overrides: Partial<NodeConfig>): NodeConfig {
  const config: NodeConfig = { ...defaultConfig };
  for (const [field, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const parameter = parameters.find((candidate) => candidate.field === field);
    if (parameter === undefined) throw new ConfigError(`unknown option '${field}'`);
    assign(config, parameter.name, String(value), `option ${field}`);
  }
  return config;
}

export const usage = `Usage: shoal [--config FILE] [--name value ...]

Settings (flag, environment variable, default):
${parameters.map((p) => `  --${p.name.padEnd(26)} ${p.env.padEnd(32)} ${p.format(defaultConfig[p.field]) || '""'}`).join('\n')}
  (--data-dir is accepted for --dir, --log-level for --loglevel)

Precedence: command-line flags > environment variables > config file > defaults.
The config file has one "name value" per line, as in redis.conf.`;
