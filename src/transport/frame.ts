// Frames on a peer connection: `[u32 payloadLength][u32 crc32c(payload)][payload]`, little
// endian, the same framing as a WAL record. The checksum catches what TCP's weak checksum and
// buggy middleboxes let through; the length bound keeps a confused or hostile peer from making
// us allocate without limit.

import assert from 'node:assert/strict';
import { crc32c } from '../storage/crc32c.js';

export const FRAME_HEADER_BYTES = 8;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** A u32 length field cannot say more. */
const LARGEST_ENCODABLE_PAYLOAD_BYTES = 0xffff_ffff;

export class FrameError extends Error {
  constructor(readonly code: 'FRAME_TOO_LARGE' | 'FRAME_CHECKSUM', message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/** Bytes `payloads` occupy once framed. */
function framedBytes(payloads: readonly Uint8Array[]): number {
  let total = 0;
  for (const payload of payloads) total += FRAME_HEADER_BYTES + payload.length;
  return total;
}

/**
 * Every payload framed, one after the other, in one fresh buffer: a batch becomes a single
 * socket write.
 */
export function encodeFrames(payloads: readonly Uint8Array[]): Buffer {
  const bytes = Buffer.allocUnsafe(framedBytes(payloads));
  let at = 0;
  for (const payload of payloads) {
    assert.ok(payload.length <= LARGEST_ENCODABLE_PAYLOAD_BYTES, `payload of ${payload.length} bytes does not fit a frame`);
    at = bytes.writeUInt32LE(payload.length, at);
    at = bytes.writeUInt32LE(crc32c(payload), at);
    bytes.set(payload, at);
    at += payload.length;
  }
  assert.equal(at, bytes.length, 'encoded frames size');
  return bytes;
}

export function encodeFrame(payload: Uint8Array): Buffer {
  return encodeFrames([payload]);
}

/**
 * Turns socket chunks, split anywhere, back into payloads. A payload that arrives whole inside
 * one chunk is delivered as a view of that chunk (no copy); one that spans chunks is assembled
 * in a buffer of exactly its size, so a large frame costs one copy, not one per chunk.
 *
 * After an error the stream position is lost, so the reader refuses everything afterwards: the
 * only recovery is a new connection.
 */
export class FrameReader {
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFilled = 0;
  /** The frame being assembled across chunks, once its header is known. */
  private partial: { readonly payload: Buffer; filled: number; readonly crc: number } | undefined;
  private failure: FrameError | undefined;

  /** The limit applies to each header read from now on, so it may change between frames. */
  constructor(public maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    assert.ok(Number.isSafeInteger(maxFrameBytes) && maxFrameBytes >= 0, `maxFrameBytes ${maxFrameBytes}`);
  }

  /**
   * Delivers every payload `chunk` completes, in order, and returns the error that stops the
   * stream, if any. `onPayload` may raise or lower `maxFrameBytes` for the frames after it.
   */
  push(chunk: Uint8Array, onPayload: (payload: Uint8Array) => void): FrameError | undefined {
    if (this.failure !== undefined) return this.failure;
    let at = 0;
    while (at < chunk.length) {
      if (this.partial !== undefined) {
        at = this.fillPartial(chunk, at, onPayload);
        continue;
      }
      if (this.headerFilled === 0 && chunk.length - at >= FRAME_HEADER_BYTES) {
        this.header.set(chunk.subarray(at, at + FRAME_HEADER_BYTES));
        at += FRAME_HEADER_BYTES;
      } else {
        const taken = Math.min(FRAME_HEADER_BYTES - this.headerFilled, chunk.length - at);
        this.header.set(chunk.subarray(at, at + taken), this.headerFilled);
        this.headerFilled += taken;
        at += taken;
        if (this.headerFilled < FRAME_HEADER_BYTES) break;
      }
      this.headerFilled = 0;
      const length = this.header.readUInt32LE(0);
      const crc = this.header.readUInt32LE(4);
      if (length > this.maxFrameBytes) {
        this.failure = new FrameError('FRAME_TOO_LARGE', `frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
        return this.failure;
      }
      if (chunk.length - at >= length) {
        const payload = chunk.subarray(at, at + length);
        at += length;
        if (!this.deliver(payload, crc, onPayload)) return this.failure;
      } else {
        this.partial = { payload: Buffer.allocUnsafe(length), filled: 0, crc };
      }
    }
    return this.failure;
  }

  private fillPartial(chunk: Uint8Array, at: number, onPayload: (payload: Uint8Array) => void): number {
    const partial = this.partial;
    assert.ok(partial !== undefined, 'filling a frame that was not started');
    const taken = Math.min(partial.payload.length - partial.filled, chunk.length - at);
    partial.payload.set(chunk.subarray(at, at + taken), partial.filled);
    partial.filled += taken;
    if (partial.filled === partial.payload.length) {
      this.partial = undefined;
      // A failure sets `this.failure`, which ends push's loop.
      if (!this.deliver(partial.payload, partial.crc, onPayload)) return chunk.length;
    }
    return at + taken;
  }

  private deliver(payload: Uint8Array, crc: number, onPayload: (payload: Uint8Array) => void): boolean {
    const actual = crc32c(payload);
    if (actual !== crc) {
      this.failure = new FrameError('FRAME_CHECKSUM', `frame of ${payload.length} bytes has checksum ${actual.toString(16)}, header says ${crc.toString(16)}`);
      return false;
    }
    onPayload(payload);
    return true;
  }
}
