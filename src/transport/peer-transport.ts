// Connections between this node and its peers, one TCP connection per pair used both ways.
//
// Who dials is fixed: the node with the lower id dials the higher one, which only accepts. So
// there is never a race of two connections for one pair, and a test can put a proxy between i
// and j (i < j) by giving i the proxy's address for j. An accepted connection belongs to the
// node its handshake proved; a newer one from the same node replaces the old (the peer
// restarted, and the old socket may not have noticed yet).
//
// send() only queues, per peer and bounded in bytes; one flush per event-loop turn writes each
// peer's queue as one buffer, so messages for many groups share a socket write. While a socket
// is backed up or a peer is not connected, payloads wait in the queue (the oldest dropped
// beyond the bound) and go out once it drains or the handshake completes.

import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrames } from './frame.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, isValidNodeId } from './handshake.js';
import { PeerConnection } from './peer-connection.js';
import type { PeerConnectionOptions, TransportLog } from './peer-connection.js';
import { SendQueue } from './send-queue.js';

export type { TransportLog } from './peer-connection.js';

export interface PeerTransportOptions {
  /** This node, >= 1. */
  readonly nodeId: number;
  /** Listen address; port 0 picks a free port. */
  readonly host: string;
  readonly port: number;
  readonly secret: string;
  /** Nodes with different cluster names refuse each other. Default 'shoal'. */
  readonly clusterName?: string;
  /** A payload may be a view of a socket read buffer; copy it to keep a small part for long. */
  readonly onPayload: (from: number, payload: Uint8Array) => void;
  readonly onPeerConnected?: (peer: number) => void;
  /** After a connection that completed its handshake ends, including by removePeer. */
  readonly onPeerDisconnected?: (peer: number) => void;
  readonly log: TransportLog;
  /** The largest payload sent or accepted. Default 64 MiB. */
  readonly maxFrameBytes?: number;
  /** Default 64 MiB: beyond it the oldest queued payloads are dropped (Raft retransmits) and counted. */
  readonly maxQueuedBytesPerPeer?: number;
  /** Dial plus handshake must finish within this. Default 2000 ms. */
  readonly handshakeTimeoutMs?: number;
}

export interface TransportStats {
  readonly framesSent: number;
  readonly framesReceived: number;
  /** Payload bytes, frame headers not counted. */
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Payloads given to send() that never reached a socket: queue overflow, unknown peer, too large. */
  readonly dropped: number;
  /** Dials made after a lost connection or a failed dial. */
  readonly reconnects: number;
  readonly handshakeFailures: number;
  /** Socket writes of payload batches: at most one per peer per event-loop turn, plus one per drain. */
  readonly writes: number;
}

const DEFAULT_MAX_QUEUED_BYTES_PER_PEER = 64 * 1024 * 1024;
const DEFAULT_CLUSTER_NAME = 'shoal';
const LARGEST_FRAME_BYTES = 0xffff_ffff;
const REDIAL_BASE_MS = 20;
const REDIAL_CAP_MS = 1000;

interface Peer {
  readonly id: number;
  host: string;
  port: number;
  /** When dialing: the attempt or the established connection. When accepting: only established. */
  connection: PeerConnection | undefined;
  readonly queue: SendQueue;
  /** The connection's socket refused more until 'drain'. */
  awaitingDrain: boolean;
  /** Dials in a row that did not reach a handshake: the backoff exponent. */
  failedDials: number;
  redialTimer: NodeJS.Timeout | undefined;
}

/** The redial delay: exponential from 20 ms to a 1 s cap, with jitter so peers do not redial in step. */
export function redialDelayMs(failedDials: number, random: () => number = Math.random): number {
  const ceiling = Math.min(REDIAL_CAP_MS, REDIAL_BASE_MS * 2 ** Math.min(failedDials, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class PeerTransport {
  private readonly peers = new Map<number, Peer>();
  /** Every open connection, proven or not, so close() can end them all. */
  private readonly connections = new Set<PeerConnection>();
  /** Peers with payloads queued this turn. */
  private readonly dirty = new Set<Peer>();
  private flushImmediate: NodeJS.Immediate | undefined;
  private closing: Promise<void> | undefined;
  private readonly counters = { framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, dropped: 0, reconnects: 0, handshakeFailures: 0, writes: 0 };
  private readonly clusterName: string;
  private readonly maxFrameBytes: number;
  private readonly maxQueuedBytesPerPeer: number;
  private readonly handshakeTimeoutMs: number;

  private constructor(private readonly options: PeerTransportOptions, private readonly server: Server) {
    this.clusterName = options.clusterName ?? DEFAULT_CLUSTER_NAME;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxQueuedBytesPerPeer = options.maxQueuedBytesPerPeer ?? DEFAULT_MAX_QUEUED_BYTES_PER_PEER;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    assert.ok(isValidNodeId(options.nodeId), `nodeId must be an integer from 1 to 2^32-1, got ${options.nodeId}`);
    assert.ok(options.secret.length > 0, 'the cluster secret must not be empty');
    assert.ok(Number.isSafeInteger(this.maxFrameBytes) && this.maxFrameBytes > 0 && this.maxFrameBytes <= LARGEST_FRAME_BYTES, `maxFrameBytes ${this.maxFrameBytes}`);
    assert.ok(Number.isSafeInteger(this.handshakeTimeoutMs) && this.handshakeTimeoutMs > 0, `handshakeTimeoutMs ${this.handshakeTimeoutMs}`);
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => options.log('error', 'peer listener error', { err: error.message }));
  }

  static async listen(options: PeerTransportOptions): Promise<PeerTransport> {
    const server = createServer();
    const transport = new PeerTransport(options, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return transport;
  }

  get port(): number {
    const address = this.server.address();
    assert.ok(address !== null && typeof address !== 'string', 'the peer listener has a TCP address');
    return address.port;
  }

  get stats(): TransportStats {
    return { ...this.counters };
  }

  /** Adds a peer or changes its address. Only a peer with a higher id is dialed. */
  setPeer(id: number, host: string, port: number): void {
    assert.ok(this.closing === undefined, 'setPeer after close');
    assert.ok(isValidNodeId(id) && id !== this.options.nodeId, `peer id ${id}`);
    assert.ok(Number.isInteger(port) && port > 0 && port < 65536, `peer port ${port}`);
    const known = this.peers.get(id);
    if (known !== undefined && known.host === host && known.port === port) return;
    const peer = known ?? this.newPeer(id, host, port);
    peer.host = host;
    peer.port = port;
    this.peers.set(id, peer);
    if (id < this.options.nodeId) return;
    this.detach(peer, 'the peer address changed');
    clearTimeout(peer.redialTimer);
    peer.redialTimer = undefined;
    peer.failedDials = 0;
    this.dial(peer);
  }

  private newPeer(id: number, host: string, port: number): Peer {
    return { id, host, port, connection: undefined, queue: new SendQueue(this.maxQueuedBytesPerPeer), awaitingDrain: false, failedDials: 0, redialTimer: undefined };
  }

  /** Closes the peer's connection and forgets it, with whatever was queued for it. */
  removePeer(id: number): void {
    const peer = this.peers.get(id);
    if (peer === undefined) return;
    this.peers.delete(id);
    this.dirty.delete(peer);
    clearTimeout(peer.redialTimer);
    peer.redialTimer = undefined;
    peer.queue.clear();
    this.detach(peer, 'the peer was removed');
  }

  /** Queues `payload` for `to`; it leaves in this turn's flush. Never throws, never blocks. */
  send(to: number, payload: Uint8Array): void {
    const peer = this.peers.get(to);
    if (peer === undefined || this.closing !== undefined) {
      this.counters.dropped++;
      return;
    }
    if (payload.length > this.maxFrameBytes) {
      this.counters.dropped++;
      this.options.log('warn', 'peer payload larger than maxFrameBytes dropped', { peer: to, bytes: payload.length, maxFrameBytes: this.maxFrameBytes });
      return;
    }
    this.counters.dropped += peer.queue.push(payload);
    if (peer.connection?.peer === undefined || peer.awaitingDrain) return;
    this.dirty.add(peer);
    this.flushImmediate ??= setImmediate(() => this.flushDirty());
  }

  isConnected(id: number): boolean {
    return this.peers.get(id)?.connection?.peer !== undefined;
  }

  /** Stops listening and dialing and closes every connection; queued payloads are dropped. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearImmediate(this.flushImmediate);
    this.flushImmediate = undefined;
    this.dirty.clear();
    for (const peer of this.peers.values()) {
      clearTimeout(peer.redialTimer);
      peer.redialTimer = undefined;
      peer.connection = undefined;
    }
    const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const connections = [...this.connections];
    for (const connection of connections) connection.close('the transport is closing');
    await Promise.all([listenerClosed, ...connections.map((connection) => connection.closed)]);
    assert.equal(this.connections.size, 0, 'every connection closed');
  }

  private flushDirty(): void {
    this.flushImmediate = undefined;
    for (const peer of this.dirty) this.flush(peer);
    this.dirty.clear();
  }

  /** Writes everything queued for `peer` in one socket write, if its socket takes it now. */
  private flush(peer: Peer): void {
    const connection = peer.connection;
    if (connection?.peer === undefined || peer.awaitingDrain || peer.queue.length === 0) return;
    const payloads = peer.queue.takeAll();
    const bytes = encodeFrames(payloads);
    this.counters.writes++;
    this.counters.framesSent += payloads.length;
    for (const payload of payloads) this.counters.bytesSent += payload.length;
    if (!connection.write(bytes)) peer.awaitingDrain = true;
  }

  private dial(peer: Peer): void {
    assert.ok(peer.connection === undefined && peer.id > this.options.nodeId, `dial of node ${peer.id}`);
    const socket = connect({ host: peer.host, port: peer.port });
    const remote = `${peer.host}:${peer.port}`;
    const connection = this.open(socket, {
      role: 'dialer',
      remote,
      refusePeer: (id) => (id === peer.id ? undefined : `expected node ${peer.id} at ${remote}`),
    }, (closed, reason) => this.dialClosed(peer, closed, reason));
    peer.connection = connection;
  }

  private accept(socket: Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    this.open(socket, {
      role: 'acceptor',
      remote: `${socket.remoteAddress}:${socket.remotePort}`,
      // Any lower id that proved the cluster secret is let in, known or not: a node that joined
      // later knows only its --peers until the map reaches it, and the map comes from a leader
      // that may be none of them (and dials it, being the lower id).
      refusePeer: (id) => (id > this.options.nodeId ? `node ${this.options.nodeId} dials higher ids, it does not accept them` : undefined),
    }, (closed) => this.acceptedClosed(closed));
  }

  private open(socket: Socket, side: Pick<PeerConnectionOptions, 'role' | 'remote' | 'refusePeer'>, onClosed: (connection: PeerConnection, reason: string) => void): PeerConnection {
    const connection = new PeerConnection(socket, {
      ...side,
      nodeId: this.options.nodeId,
      secret: this.options.secret,
      clusterName: this.clusterName,
      maxFrameBytes: this.maxFrameBytes,
      handshakeTimeoutMs: this.handshakeTimeoutMs,
      log: this.options.log,
    }, {
      onEstablished: (established) => this.established(established),
      onPayload: (from, payload) => this.received(from, payload),
      onDrain: (drained) => this.drained(drained),
      onHandshakeFailed: () => this.counters.handshakeFailures++,
      onClosed: (closed, reason) => {
        this.connections.delete(closed);
        onClosed(closed, reason);
      },
    });
    this.connections.add(connection);
    return connection;
  }

  private established(connection: PeerConnection): void {
    const id = connection.peer;
    assert.ok(id !== undefined, 'established without a proven peer');
    if (this.closing !== undefined) return connection.close('the transport is closing');
    let peer = this.peers.get(id);
    if (peer === undefined) {
      // Accepted from a peer not (yet) told by setPeer: it dials, so no address is needed.
      peer = this.newPeer(id, '', 0);
      this.peers.set(id, peer);
    }
    if (peer.connection !== connection) {
      // Only an accepted connection can be new here: a dialed one is peer.connection from the start.
      assert.ok(id < this.options.nodeId, `an unexpected connection from node ${id}`);
      this.detach(peer, 'replaced by a newer connection from the peer');
      peer.connection = connection;
    }
    peer.failedDials = 0;
    peer.awaitingDrain = false;
    this.options.log('info', 'peer connected', { peer: id });
    this.notify('onPeerConnected', () => this.options.onPeerConnected?.(id));
    this.flush(peer);
  }

  private received(from: number, payload: Uint8Array): void {
    this.counters.framesReceived++;
    this.counters.bytesReceived += payload.length;
    this.notify('onPayload', () => this.options.onPayload(from, payload));
  }

  private drained(connection: PeerConnection): void {
    const peer = connection.peer === undefined ? undefined : this.peers.get(connection.peer);
    if (peer?.connection !== connection) return;
    peer.awaitingDrain = false;
    this.flush(peer);
  }

  private dialClosed(peer: Peer, connection: PeerConnection, reason: string): void {
    if (peer.connection !== connection) return;
    const wasEstablished = connection.peer !== undefined;
    this.forget(peer, reason);
    if (!wasEstablished) {
      // One line when a peer becomes unreachable, not one per retry while it stays down.
      if (peer.failedDials === 0) this.options.log('warn', 'peer unreachable, redialing with backoff', { peer: peer.id, remote: `${peer.host}:${peer.port}`, reason });
      peer.failedDials++;
    }
    const delayMs = redialDelayMs(peer.failedDials);
    peer.redialTimer = setTimeout(() => {
      peer.redialTimer = undefined;
      this.counters.reconnects++;
      this.dial(peer);
    }, delayMs);
  }

  private acceptedClosed(connection: PeerConnection): void {
    const peer = connection.peer === undefined ? undefined : this.peers.get(connection.peer);
    if (peer?.connection === connection) this.forget(peer, 'connection closed');
  }

  /** Closes the peer's current connection, if any, without triggering a redial. */
  private detach(peer: Peer, reason: string): void {
    const connection = peer.connection;
    if (connection === undefined) return;
    this.forget(peer, reason);
    connection.close(reason);
  }

  /** The peer's connection is gone: say so if it was established. */
  private forget(peer: Peer, reason: string): void {
    const connection = peer.connection;
    assert.ok(connection !== undefined, 'forgetting a connection the peer does not have');
    peer.connection = undefined;
    peer.awaitingDrain = false;
    if (connection.peer === undefined) return;
    this.options.log('info', 'peer disconnected', { peer: peer.id, reason });
    this.notify('onPeerDisconnected', () => this.options.onPeerDisconnected?.(peer.id));
  }

  /** A callback's exception is the caller's bug, but it must not take the connection down with it. */
  private notify(callback: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.options.log('error', `peer transport ${callback} callback threw`, { err: (error as Error).message });
    }
  }
}
