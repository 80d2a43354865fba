// The TCP listener: accepts connections (up to maxclients), owns the registry of live
// connections, and closes them all on shutdown.

import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { encodeReply } from '../protocol/encoder.js';
import { MAX_CLIENTS } from '../commands/errors.js';
import type { Logger } from '../logger.js';
import { Connection } from './connection.js';
import type { Dispatcher } from './dispatcher.js';
import type { NodeConfig } from './config.js';

export class RespServer {
  private readonly server: Server;
  private nextClientId = 1;

  constructor(
    readonly clients: Map<number, Connection>,
    private readonly config: NodeConfig,
    private readonly dispatcher: Dispatcher,
    private readonly logger: Logger,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', (error) => this.logger.error({ err: error.message }, 'listener error'));
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.bind, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        if (address === null || typeof address === 'string') return reject(new Error('listener has no TCP address'));
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  private accept(socket: Socket): void {
    const stats = this.dispatcher.stats;
    stats.connectionsReceived++;
    if (this.clients.size >= this.config.maxclients) {
      stats.rejectedConnections++;
      // Closed for good once the error is written: a half-closed socket the client never ends
      // would otherwise hold up the listener's close at shutdown (it is not a tracked client).
      socket.on('error', () => socket.destroy());
      socket.end(encodeReply(MAX_CLIENTS, 2), () => socket.destroy());
      return;
    }
    const connection = new Connection(this.nextClientId++, socket, this.dispatcher, {
      maxBulkBytes: this.config.protoMaxBulkLen,
      requiresAuth: this.config.requirepass !== '',
    });
    this.clients.set(connection.id, connection);
    socket.on('close', () => {
      this.clients.delete(connection.id);
      this.dispatcher.blocked.forget(connection);
      this.dispatcher.watches.unwatchAll(connection);
      this.dispatcher.pubsub.forget(connection);
      this.dispatcher.tracking.disable(connection);
      this.dispatcher.monitors.forget(connection);
    });
    // A reset by the peer is routine; anything else is worth a line, never a crash.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') this.logger.warn({ client: connection.id, err: error.message }, 'client socket error');
    });
  }

  /** Stops accepting, then closes every connection after its already-answered replies. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.clients.values()) {
      connection.flush();
      connection.socket.end();
    }
    const forceAfterMs = 1000;
    const timer = setTimeout(() => {
      for (const connection of this.clients.values()) connection.socket.destroy();
    }, forceAfterMs);
    await closed;
    clearTimeout(timer);
  }
}
