// The composition root of a node: configuration → host (storage, groups) → dispatcher →
// RESP listener, plus an orderly shutdown. Used by the CLI and by the embedding API.

import assert from 'node:assert/strict';
import { Host } from './cluster/host.js';
import type { HostOptions } from './cluster/host.js';
import { createLogger } from './logger.js';
import type { Logger } from './logger.js';
import { ConfigError, parsePeers } from './server/config.js';
import type { NodeConfig } from './server/config.js';
import { Dispatcher } from './server/dispatcher.js';
import { RespServer } from './server/resp-server.js';
import { ServerCommandHandlers, newRunId } from './server/server-commands.js';
import type { NodeServices } from './server/server-commands.js';
import { ServerStats } from './server/stats.js';
import type { Connection } from './server/connection.js';
import { Evictor } from './cluster/eviction.js';

export interface NodeHandle {
  readonly host: string;
  readonly port: number;
  /** Resolves when the node has shut down, whoever asked for it (close(), SHUTDOWN, a signal). */
  readonly closed: Promise<void>;
  /** Finishes in-flight writes, writes a snapshot, closes connections and files. */
  close(options?: { readonly snapshot?: boolean }): Promise<void>;
}

export async function runNode(config: NodeConfig, options: { logger?: Logger; configFile?: string } = {}): Promise<NodeHandle> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const host = await Host.open(hostOptions(config, logger));
  const stats = new ServerStats();
  // The evictor reads the live configuration, so CONFIG SET maxmemory* applies at once.
  const evictor = new Evictor(host.dataGroup, {
    get maxmemory() { return config.maxmemory; },
    get policy() { return config.maxmemoryPolicy; },
    get samples() { return config.maxmemorySamples; },
  });
  const clients = new Map<number, Connection>();
  const dispatcher = new Dispatcher(host.dataGroup, stats, evictor, clients, config);
  const server = new RespServer(clients, config, dispatcher, logger);
  let closing: Promise<void> | undefined;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const close = (closeOptions: { readonly snapshot?: boolean } = {}): Promise<void> => {
    closing ??= (async () => {
      logger.info('shutting down');
      // While clients are still served: a planned restart should cost them no errors.
      await host.transferLeadership();
      await server.close();
      await host.close({ snapshot: closeOptions.snapshot ?? true });
      logger.info('bye');
      resolveClosed();
    })();
    return closing;
  };
  const services: NodeServices = {
    config,
    stats,
    host,
    clients: server.clients,
    runId: newRunId(),
    configFile: options.configFile,
    blockedClients: () => dispatcher.blocked.count,
    watches: dispatcher.watches,
    pubsub: dispatcher.pubsub,
    evictor,
    dispatcher,
    applyConfig: (field) => {
      if (field === 'activeExpireIntervalMs') host.setActiveExpireInterval(config.activeExpireIntervalMs);
    },
    shutdown: (shutdownOptions) => void close(shutdownOptions),
  };
  dispatcher.attach(new ServerCommandHandlers(services));
  let address: { host: string; port: number };
  try {
    address = await server.listen();
  } catch (error) {
    await host.close({ snapshot: false });
    throw error;
  }
  config.port = address.port;
  host.announce(`${address.host}:${address.port}`);
  logger.info({ host: address.host, port: address.port, dataDir: config.dataDir, appendfsync: config.appendfsync }, 'ready to accept connections');
  return { host: address.host, port: address.port, closed, close };
}

/** The host's settings from the node's configuration, with the checks that span settings. */
function hostOptions(config: NodeConfig, logger: Logger): HostOptions {
  const peers = parsePeers(config.peers);
  assert.ok(!('error' in peers), 'peers were validated when the configuration was read');
  const self = peers.find((peer) => peer.id === config.nodeId);
  if (peers.length > 0 && self === undefined) throw new ConfigError(`--peers does not list this node (--node-id ${config.nodeId})`);
  if ((peers.length > 1 || config.join) && config.clusterSecret === '') throw new ConfigError('a cluster of several nodes needs --cluster-secret');
  if (config.electionTimeoutMs < 2 * config.heartbeatMs) throw new ConfigError('--election-timeout-ms must be at least twice --heartbeat-ms');
  return {
    dataDir: config.dataDir,
    fsync: config.appendfsync,
    snapshotAfterLogBytes: () => config.snapshotLogBytes,
    activeExpireIntervalMs: config.activeExpireIntervalMs,
    nodeId: config.nodeId,
    peers,
    clusterBind: { host: config.bind, port: config.clusterPort !== 0 ? config.clusterPort : self?.port ?? 0 },
    clusterSecret: config.clusterSecret,
    join: config.join,
    heartbeatMs: config.heartbeatMs,
    electionTimeoutMs: config.electionTimeoutMs,
    requestTimeoutMs: () => config.clusterRequestTimeoutMs,
    logger,
  };
}
