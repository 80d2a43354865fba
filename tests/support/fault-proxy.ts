// A TCP proxy on loopback that tests put between two cluster nodes to partition them: it
// forwards while healed; `cut` drops every connection and then either resets new ones at once
// (a peer whose process is gone) or accepts and silences them (a network that loses packets:
// the dialer learns nothing until its own timeouts fire). It can also delay every chunk.

import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

export type CutMode = 'refuse' | 'blackhole';

export interface FaultProxyTarget {
  readonly port: number;
  readonly host?: string;
}

/** One direction of a forwarded connection: chunks in order, each held `delayMs` if set. */
class Forwarder {
  private readonly queue: { chunk: Buffer; due: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly from: Socket, private readonly to: Socket, private readonly delayMs: () => number) {
    from.on('data', (chunk: Buffer) => this.push(chunk));
  }

  private push(chunk: Buffer): void {
    const delay = this.delayMs();
    if (delay <= 0 && this.queue.length === 0) {
      this.write(chunk);
      return;
    }
    // A chunk never overtakes an earlier one, even when the delay shrinks between them.
    const last = this.queue.length > 0 ? this.queue[this.queue.length - 1].due : 0;
    this.queue.push({ chunk, due: Math.max(performance.now() + delay, last) });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = performance.now();
      while (this.queue.length > 0 && this.queue[0].due <= now) {
        const [next] = this.queue.splice(0, 1);
        this.write(next.chunk);
      }
      this.schedule();
    }, Math.max(0, this.queue[0].due - performance.now()));
  }

  private write(chunk: Buffer): void {
    if (this.to.destroyed) return;
    // Backpressure: a slow receiver slows the sender instead of growing our buffers.
    if (!this.to.write(chunk)) {
      this.from.pause();
      this.to.once('drain', () => this.from.resume());
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }
}

export class FaultProxy {
  private readonly forwarded = new Set<{ client: Socket; upstream: Socket; stop(): void }>();
  private readonly silenced = new Set<Socket>();
  private mode: CutMode | undefined = undefined;
  private delay = 0;
  /** Connections accepted since the proxy started, forwarded or not (for tests of the proxy). */
  accepted = 0;

  private constructor(private readonly server: Server, private readonly target: FaultProxyTarget) {}

  /** Listens on 127.0.0.1 (port 0 picks a free one) and forwards to `target`. */
  static async start(target: FaultProxyTarget, port = 0): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, target);
    server.on('connection', (socket) => proxy.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get isCut(): boolean {
    return this.mode !== undefined;
  }

  /** Connections currently open through the proxy (forwarded or silenced). */
  get openConnections(): number {
    return this.forwarded.size + this.silenced.size;
  }

  /** Drops every open connection; until `heal`, new ones are reset or held silent per `mode`. */
  cut(options: { mode?: CutMode } = {}): void {
    this.mode = options.mode ?? 'blackhole';
    for (const connection of this.forwarded) connection.stop();
    this.forwarded.clear();
  }

  /**
   * New connections are forwarded again. Silenced ones are dropped rather than resumed: what
   * their dialer sent meanwhile is gone, as after a partition long enough for TCP to give up.
   */
  heal(): void {
    this.mode = undefined;
    for (const socket of this.silenced) socket.destroy();
    this.silenced.clear();
  }

  /** Holds every chunk, both ways, for `ms` before passing it on (0: none). */
  setDelay(ms: number): void {
    this.delay = ms;
  }

  async close(): Promise<void> {
    this.cut({ mode: 'refuse' });
    this.heal();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    client.on('error', () => undefined);
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (this.mode === 'blackhole') {
      this.silenced.add(client);
      client.on('close', () => this.silenced.delete(client));
      // Read and drop, so the dialer's writes succeed as they would into a lossy network.
      client.resume();
      return;
    }
    const upstream = connect(this.target.port, this.target.host ?? '127.0.0.1');
    upstream.on('error', () => undefined);
    const toUpstream = new Forwarder(client, upstream, () => this.delay);
    const toClient = new Forwarder(upstream, client, () => this.delay);
    const connection = {
      client,
      upstream,
      stop: () => {
        toUpstream.stop();
        toClient.stop();
        client.destroy();
        upstream.destroy();
      },
    };
    this.forwarded.add(connection);
    const end = () => {
      if (this.forwarded.delete(connection)) connection.stop();
    };
    client.on('close', end);
    upstream.on('close', end);
  }
}
