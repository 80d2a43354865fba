// One TCP connection to a peer node: the handshake, then frames both ways. It knows nothing of
// queues or redialing (peer-transport.ts decides those); it reports what happens and never
// lets anything the remote sends escape as an exception.

import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { encodeFrame, FrameReader } from './frame.js';
import { Handshake, MAX_HANDSHAKE_FRAME_BYTES } from './handshake.js';
import type { HandshakeRole } from './handshake.js';

export type TransportLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** TCP keepalive probes start after this much silence: it finds peers whose host vanished. */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

export interface PeerConnectionOptions {
  readonly role: HandshakeRole;
  readonly nodeId: number;
  readonly secret: string;
  readonly clusterName: string;
  readonly refusePeer: (id: number) => string | undefined;
  /** The frame limit once the peer is proven; before that, handshake frames only. */
  readonly maxFrameBytes: number;
  /** Covers the TCP connect too when dialing. */
  readonly handshakeTimeoutMs: number;
  /** `host:port` of the other end, for log lines. */
  readonly remote: string;
  readonly log: TransportLog;
}

export interface PeerConnectionEvents {
  readonly onEstablished: (connection: PeerConnection) => void;
  readonly onPayload: (peer: number, payload: Uint8Array) => void;
  readonly onDrain: (connection: PeerConnection) => void;
  readonly onHandshakeFailed: () => void;
  /** Once per connection; `reason` says why it ended. */
  readonly onClosed: (connection: PeerConnection, reason: string) => void;
}

export class PeerConnection {
  /** Set once the handshake proved who is on the other end; payloads flow only then. */
  private proven: number | undefined;
  private readonly handshake: Handshake;
  private readonly reader = new FrameReader(MAX_HANDSHAKE_FRAME_BYTES);
  private handshakeTimer: NodeJS.Timeout | undefined;
  private closeReason: string | undefined;
  /** Resolves once the socket is closed. */
  readonly closed: Promise<void>;

  constructor(private readonly socket: Socket, private readonly options: PeerConnectionOptions, private readonly events: PeerConnectionEvents) {
    this.handshake = new Handshake(options);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_INITIAL_DELAY_MS);
    this.handshakeTimer = setTimeout(() => this.handshakeTimedOut(), options.handshakeTimeoutMs);
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.clearHandshakeTimer();
      events.onClosed(this, this.closeReason ?? 'closed by the remote');
      resolve();
    }));
    socket.on('error', (error) => this.close(error.message));
    socket.on('end', () => this.close('closed by the remote'));
    socket.on('drain', () => events.onDrain(this));
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // A dialing socket buffers this until it connects.
    socket.write(encodeFrame(this.handshake.hello));
  }

  /** The proven peer node id, or undefined while the handshake runs. */
  get peer(): number | undefined {
    return this.proven;
  }

  /** Whether the socket takes more now; false asks to wait for onDrain. */
  write(bytes: Uint8Array): boolean {
    assert.ok(this.proven !== undefined, 'payload write before the handshake');
    return this.socket.write(bytes);
  }

  /** Ends the connection now; onClosed follows with the first reason given. */
  close(reason: string): void {
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    try {
      const error = this.reader.push(chunk, (payload) => this.receiveFrame(payload));
      if (error === undefined || this.socket.destroyed) return;
      this.options.log('warn', 'peer frame refused, closing the connection', { remote: this.options.remote, peer: this.proven, err: error.message });
      this.close(error.message);
    } catch (error) {
      this.options.log('error', 'peer connection failed', { remote: this.options.remote, peer: this.proven, err: (error as Error).message });
      this.close(`internal error: ${(error as Error).message}`);
    }
  }

  private receiveFrame(payload: Uint8Array): void {
    if (this.socket.destroyed) return;
    if (this.proven !== undefined) {
      this.events.onPayload(this.proven, payload);
      return;
    }
    const step = this.handshake.receive(payload);
    if (step.kind === 'continue') {
      this.socket.write(encodeFrame(step.reply));
    } else if (step.kind === 'done') {
      this.clearHandshakeTimer();
      this.proven = step.peer;
      this.reader.maxFrameBytes = this.options.maxFrameBytes;
      this.events.onEstablished(this);
    } else {
      this.handshakeFailed(step.reason);
    }
  }

  private handshakeTimedOut(): void {
    this.handshakeTimer = undefined;
    // Not reaching the address is the dialer's routine retry, not a failed proof.
    if (this.socket.connecting) return this.close(`dial timed out after ${this.options.handshakeTimeoutMs} ms`);
    this.handshakeFailed(`handshake not completed within ${this.options.handshakeTimeoutMs} ms`);
  }

  private handshakeFailed(reason: string): void {
    this.events.onHandshakeFailed();
    this.options.log('warn', 'peer handshake failed, closing the connection', { remote: this.options.remote, role: this.options.role, reason });
    this.close(`handshake failed: ${reason}`);
  }

  private clearHandshakeTimer(): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }
}
