// What nodes say to each other over the peer transport: Raft messages of every group, writes
// a follower forwards to its group's leader, read-index requests for linearizable reads
// served on followers, and the peer addresses a node knows (so a member whose map is behind can
// still dial a newer member that leads: the lower id dials, and only the map has addresses). Everything one node sends another in one event-loop turn travels as one
// payload (one frame); a payload above PART_BYTES (a snapshot) is cut into parts, so a large
// snapshot never needs one giant frame and interleaves with the group's heartbeats.

import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import type { GroupId, Message } from '../raft/index.js';
import type { LogCommandKind } from '../commands/log-entry.js';

/** Where a forwarded write landed in the leader's log, or why the leader refused it. */
export type ProposeOutcome = { readonly index: number; readonly term: number } | { readonly refused: string };

/** A forwarded proposal; an EXEC under WATCH also carries its keys and how far the follower's log had got. */
export type ForwardedItem =
  | readonly [LogCommandKind, readonly string[]]
  | readonly [LogCommandKind, readonly string[], { readonly keys: readonly string[]; readonly after: number }];

export type WireMessage =
  | { readonly t: 'raft'; readonly m: Message }
  | { readonly t: 'propose'; readonly g: GroupId; readonly id: number; readonly items: readonly ForwardedItem[] }
  | { readonly t: 'proposed'; readonly g: GroupId; readonly id: number; readonly outcomes: readonly ProposeOutcome[] }
  | { readonly t: 'readIndex'; readonly g: GroupId; readonly id: number }
  | { readonly t: 'readIndexed'; readonly g: GroupId; readonly id: number; readonly index: number; readonly refused?: string }
  | { readonly t: 'addresses'; readonly nodes: ReadonlyArray<readonly [number, string]> };

export const PART_BYTES = 1024 * 1024;

type Payload =
  | { readonly batch: readonly WireMessage[] }
  | { readonly part: { readonly id: number; readonly seq: number; readonly count: number; readonly bytes: Uint8Array } };

// Records off: a record structure learned from one peer's stream must not be needed to read
// another's. Binary copied out: an entry's data lives in the log far longer than its frame.
const packr = new Packr({ useRecords: false, copyBuffers: true });

let nextPartedId = 1;

/** The payloads that carry `batch`: one, or its parts. */
export function encodeBatch(batch: readonly WireMessage[]): Uint8Array[] {
  const whole = packr.pack({ batch } satisfies Payload);
  if (whole.length <= PART_BYTES) return [whole];
  const id = nextPartedId++;
  const count = Math.ceil(whole.length / PART_BYTES);
  const parts: Uint8Array[] = [];
  for (let seq = 0; seq < count; seq++) {
    const bytes = whole.subarray(seq * PART_BYTES, Math.min(whole.length, (seq + 1) * PART_BYTES));
    parts.push(packr.pack({ part: { id, seq, count, bytes } } satisfies Payload));
  }
  return parts;
}

/**
 * Reassembles one peer's payloads into batches. Parts of one batch arrive in order on the one
 * connection; a reconnect may lose some, so a part that does not continue the batch being
 * assembled drops it (Raft sends the snapshot again).
 */
export class BatchDecoder {
  private assembling: { id: number; next: number; count: number; chunks: Uint8Array[] } | undefined;

  /** The batch this payload completes, if any. Throws on a payload that is not ours. */
  decode(payload: Uint8Array): readonly WireMessage[] | undefined {
    const decoded = packr.unpack(payload) as Payload;
    if ('batch' in decoded) {
      assert.ok(Array.isArray(decoded.batch), 'a batch is an array');
      return decoded.batch;
    }
    const { id, seq, count, bytes } = decoded.part;
    if (seq === 0) this.assembling = { id, next: 0, count, chunks: [] };
    const assembling = this.assembling;
    if (assembling === undefined || assembling.id !== id || assembling.next !== seq) {
      this.assembling = undefined;
      return undefined;
    }
    assembling.chunks.push(bytes);
    assembling.next++;
    if (assembling.next < assembling.count) return undefined;
    this.assembling = undefined;
    return this.decode(Buffer.concat(assembling.chunks));
  }
}
