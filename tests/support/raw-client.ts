// A raw TCP client for protocol edge cases: send exact bytes, read exact bytes back.

import { connect } from 'node:net';
import type { Socket } from 'node:net';

export class RawClient {
  private received = Buffer.alloc(0);
  private closedFlag = false;
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  send(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Waits until at least `length` bytes arrived (or the peer closed), then takes them all. */
  async read(length: number, timeoutMs = 5000): Promise<string> {
    await this.until(() => this.received.length >= length || this.closedFlag, timeoutMs);
    const text = this.received.toString('latin1');
    this.received = Buffer.alloc(0);
    return text;
  }

  /** Waits until the received text ends with `suffix`. */
  async readUntil(suffix: string, timeoutMs = 5000): Promise<string> {
    await this.until(() => this.received.toString('latin1').endsWith(suffix) || this.closedFlag, timeoutMs);
    const text = this.received.toString('latin1');
    this.received = Buffer.alloc(0);
    return text;
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await this.until(() => this.closedFlag, timeoutMs);
  }

  /** Stops reading from the socket (to play a client that never reads). */
  pause(): void {
    this.socket.pause();
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private async until(condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out; received so far: ${JSON.stringify(this.received.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
