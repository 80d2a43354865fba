// The payloads waiting for one peer's socket, bounded in bytes. Beyond the bound the oldest
// payloads go first: Raft retransmits what is lost, and a newer message (a later term, a higher
// commit index) supersedes an older one, so the newest are the ones worth keeping.

import assert from 'node:assert/strict';

export class SendQueue {
  private items: (Uint8Array | undefined)[] = [];
  /** Index of the oldest payload still queued: dropping from the front costs no array shift. */
  private head = 0;
  private queuedBytes = 0;

  constructor(readonly maxBytes: number) {
    assert.ok(Number.isSafeInteger(maxBytes) && maxBytes >= 0, `maxQueuedBytesPerPeer ${maxBytes}`);
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Queues `payload` and returns how many payloads were dropped to respect the bound. */
  push(payload: Uint8Array): number {
    if (payload.length > this.maxBytes) return 1;
    this.items.push(payload);
    this.queuedBytes += payload.length;
    let dropped = 0;
    while (this.queuedBytes > this.maxBytes) {
      const oldest = this.items[this.head];
      assert.ok(oldest !== undefined, 'queued bytes without queued payloads');
      this.items[this.head++] = undefined;
      this.queuedBytes -= oldest.length;
      dropped++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) this.compact();
    return dropped;
  }

  /** Every queued payload, oldest first, leaving the queue empty. */
  takeAll(): Uint8Array[] {
    const taken = (this.head === 0 ? this.items : this.items.slice(this.head)) as Uint8Array[];
    this.clear();
    return taken;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.queuedBytes = 0;
  }

  private compact(): void {
    this.items = this.items.slice(this.head);
    this.head = 0;
  }
}
