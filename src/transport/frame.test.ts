import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, encodeFrames, FRAME_HEADER_BYTES, FrameReader } from './frame.js';
import type { FrameError } from './frame.js';

const payloads = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('a somewhat longer third payload, past one slice-by-8 block'), Buffer.from([0, 255, 1])];

function readAll(reader: FrameReader, chunks: readonly Uint8Array[]): { payloads: string[]; error: FrameError | undefined } {
  const read: string[] = [];
  let error: FrameError | undefined;
  for (const chunk of chunks) {
    error = reader.push(chunk, (payload) => read.push(Buffer.from(payload).toString('latin1')));
    if (error !== undefined) break;
  }
  return { payloads: read, error };
}

const expected = payloads.map((payload) => payload.toString('latin1'));

describe('frames', () => {
  test('a frame is the little-endian length, the CRC32C of the payload, then the payload', () => {
    const frame = encodeFrame(Buffer.from('123456789'));
    assert.equal(frame.readUInt32LE(0), 9);
    assert.equal(frame.readUInt32LE(4), 0xe3069283);
    assert.equal(frame.subarray(FRAME_HEADER_BYTES).toString(), '123456789');
  });

  test('frames encoded together read back in order from one chunk', () => {
    assert.deepEqual(readAll(new FrameReader(), [encodeFrames(payloads)]), { payloads: expected, error: undefined });
  });

  test('a stream split at every byte boundary reads back the same payloads', () => {
    const stream = encodeFrames(payloads);
    for (let split = 0; split <= stream.length; split++) {
      const result = readAll(new FrameReader(), [stream.subarray(0, split), stream.subarray(split)]);
      assert.deepEqual(result, { payloads: expected, error: undefined }, `split at ${split}`);
    }
  });

  test('a stream fed one byte at a time reads back the same payloads', () => {
    const stream = encodeFrames(payloads);
    const bytes = Array.from(stream, (_, i) => stream.subarray(i, i + 1));
    assert.deepEqual(readAll(new FrameReader(), bytes), { payloads: expected, error: undefined });
  });

  test('a flipped bit anywhere in a payload is a checksum error, and the reader stays failed', () => {
    const stream = encodeFrames(payloads.slice(0, 1));
    for (let at = FRAME_HEADER_BYTES; at < stream.length; at++) {
      const corrupt = Buffer.from(stream);
      corrupt[at] ^= 0x10;
      const reader = new FrameReader();
      const result = readAll(reader, [corrupt]);
      assert.deepEqual(result.payloads, []);
      assert.equal(result.error?.code, 'FRAME_CHECKSUM', `flip at ${at}`);
      assert.equal(reader.push(encodeFrame(Buffer.from('later')), () => assert.fail('delivered after an error')), result.error);
    }
  });

  test('a corrupt frame split across chunks is detected too, after the good frames before it', () => {
    const stream = encodeFrames(payloads);
    stream[stream.length - 1] ^= 1;
    const result = readAll(new FrameReader(), [stream.subarray(0, stream.length - 2), stream.subarray(stream.length - 2)]);
    assert.deepEqual(result.payloads, expected.slice(0, -1));
    assert.equal(result.error?.code, 'FRAME_CHECKSUM');
  });

  test('a header announcing more than maxFrameBytes is refused before its payload arrives', () => {
    const frame = encodeFrame(Buffer.alloc(101));
    const result = readAll(new FrameReader(100), [frame.subarray(0, FRAME_HEADER_BYTES)]);
    assert.equal(result.error?.code, 'FRAME_TOO_LARGE');
    assert.match(result.error?.message ?? '', /101 bytes exceeds the limit of 100/);
    assert.deepEqual(readAll(new FrameReader(101), [frame]).payloads.length, 1);
  });

  test('the limit may change between frames of one chunk', () => {
    const reader = new FrameReader(10);
    const seen: number[] = [];
    const error = reader.push(encodeFrames([Buffer.alloc(5), Buffer.alloc(50)]), (payload) => {
      seen.push(payload.length);
      reader.maxFrameBytes = 1000;
    });
    assert.equal(error, undefined);
    assert.deepEqual(seen, [5, 50]);
  });
});
