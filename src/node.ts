// The composition root of a node: configuration → host (storage, groups) → dispatcher →
// RESP listener, plus an orderly shutdown. Used by the CLI and by the embedding API.

import { Host } from './cluster/host.js';
import { createLogger } from './logger.js';
import type { Logger } from './logger.js';
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
  const host = await Host.open({
    dataDir: config.dataDir,
    fsync: config.appendfsync,
    snapshotAfterLogBytes: config.snapshotLogBytes,
    activeExpireIntervalMs: config.activeExpireIntervalMs,
    logger,
  });
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
  logger.info({ host: address.host, port: address.port, dataDir: config.dataDir, appendfsync: config.appendfsync }, 'ready to accept connections');
  return { host: address.host, port: address.port, closed, close };
}
