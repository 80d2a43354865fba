// A raw TCP client for protocol edge cases: send exact bytes, read exact bytes or whole
// replies back.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { encodeCommand } from './resp-command.js';
import type { Argument } from './resp-command.js';
import { decodeReply } from './resp-reply.js';

const DEFAULT_TIMEOUT_MS = 5000;

export class RawClient {
  private received: Buffer = Buffer.alloc(0);
  private closedFlag = false;
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Bytes received and not yet taken by a read. */
  get pending(): Buffer {
    return this.received;
  }

  send(bytes: string | Buffer): void {
    if (this.closedFlag) return;
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  sendCommand(...args: Argument[]): void {
    this.send(encodeCommand(args));
  }

  /** Sends one command and returns its raw reply as latin1 text. */
  async call(...args: Argument[]): Promise<string> {
    this.sendCommand(...args);
    return (await this.readReply()).toString('latin1');
  }

  /** Waits until at least `length` bytes arrived (or the peer closed), then takes them all. */
  async read(length: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    await this.until(() => this.received.length >= length || this.closedFlag, timeoutMs);
    return this.take(this.received.length).toString('latin1');
  }

  /** Waits until the received text ends with `suffix`, then takes it all. */
  async readUntil(suffix: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    const tail = Buffer.from(suffix, 'latin1');
    const ends = (): boolean => this.received.length >= tail.length && this.received.subarray(this.received.length - tail.length).equals(tail);
    await this.until(() => ends() || this.closedFlag, timeoutMs);
    return this.take(this.received.length).toString('latin1');
  }

  /** Takes exactly one complete reply (RESP2 or RESP3); throws if the peer closes first. */
  async readReply(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Buffer> {
    let end: number | undefined;
    await this.until(() => {
      end = decodeReply(this.received)?.end;
      return end !== undefined || this.closedFlag;
    }, timeoutMs);
    if (end === undefined) throw new Error(`connection closed before a complete reply; received ${JSON.stringify(this.received.toString('latin1'))}`);
    return this.take(end);
  }

  /** Takes exactly `count` complete replies, each as latin1 text. */
  async readReplies(count: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string[]> {
    assert.ok(count >= 0);
    const replies: string[] = [];
    for (let i = 0; i < count; i++) replies.push((await this.readReply(timeoutMs)).toString('latin1'));
    return replies;
  }

  async waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await this.until(() => this.closedFlag, timeoutMs);
  }

  /** Stops reading from the socket (to play a client that never reads). */
  pause(): void {
    this.socket.pause();
  }

  close(): void {
    this.socket.destroy();
  }

  private take(length: number): Buffer {
    const taken = this.received.subarray(0, length);
    this.received = this.received.subarray(length);
    return taken;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private async until(condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) throw new Error(`timed out after ${timeoutMs} ms; received so far: ${JSON.stringify(this.received.toString('latin1').slice(0, 2000))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remainingMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
