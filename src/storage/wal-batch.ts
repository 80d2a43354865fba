// Records appended but not yet written, already encoded as the bytes the file will hold.
//
// Small records are packed back to back into shared blocks, so a flush of many records is a
// handful of buffers for one writev and appending allocates nothing per record. An entry's data
// above COPY_DATA_MAX_BYTES is not copied: its own buffer goes into the writev as it is (so the
// caller must not modify an entry's data after appending it).

import { encodeWalRecordInto, FRAME_BYTES, walRecordBytes } from './wal-record.js';
import type { WalRecord } from './wal-record.js';

const BLOCK_BYTES = 64 * 1024;
const COPY_DATA_MAX_BYTES = 4 * 1024;

export class WalBatch {
  private chunks: Buffer[] = [];
  private block: Buffer = Buffer.allocUnsafe(0);
  /** Bytes of `block` before this are already in `chunks` (or written). */
  private blockStart = 0;
  private blockEnd = 0;
  private pendingBytes = 0;

  /** Bytes appended since the last take(). */
  get sizeBytes(): number {
    return this.pendingBytes;
  }

  add(record: WalRecord): void {
    const recordBytes = walRecordBytes(record);
    const copyData = record.kind !== 'entry' || record.data.length <= COPY_DATA_MAX_BYTES;
    const inlineBytes = copyData ? recordBytes : recordBytes - (record.kind === 'entry' ? record.data.length : 0);
    this.reserve(inlineBytes);
    this.blockEnd += encodeWalRecordInto(this.block, this.blockEnd, record, copyData);
    if (!copyData && record.kind === 'entry') {
      this.seal();
      this.chunks.push(Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength));
    }
    this.pendingBytes += recordBytes;
  }

  /** Everything added since the last take(), in order; the batch is empty afterwards. */
  take(): Buffer[] {
    this.seal();
    const chunks = this.chunks;
    this.chunks = [];
    this.pendingBytes = 0;
    return chunks;
  }

  private reserve(sizeBytes: number): void {
    if (this.block.length - this.blockEnd >= sizeBytes) return;
    this.seal();
    // Taken chunks are views of the old block, so it is never reused: start a fresh one.
    this.block = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, sizeBytes, FRAME_BYTES));
    this.blockStart = 0;
    this.blockEnd = 0;
  }

  private seal(): void {
    if (this.blockEnd > this.blockStart) this.chunks.push(this.block.subarray(this.blockStart, this.blockEnd));
    this.blockStart = this.blockEnd;
  }
}
