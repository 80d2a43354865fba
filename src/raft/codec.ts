// How Raft's persistent data maps onto the node's storage records, whose shapes are fixed by
// src/storage: WAL `entry` records carry only (group, term, index, data) and snapshot files
// only (group, index, term) + payload bytes. So an entry's type travels as a leading byte of
// the record's data, and a snapshot's membership travels at the head of the payload.

import assert from 'node:assert/strict';
import type { ConfState, Entry, EntryType, Snapshot } from './types.js';

const NORMAL = 0;
const CONF_CHANGE = 1;

/** The `data` of a WAL entry record for this entry. */
export function encodeEntryData(entry: Entry): Uint8Array {
  const out = new Uint8Array(entry.data.length + 1);
  out[0] = entry.type === 'normal' ? NORMAL : CONF_CHANGE;
  out.set(entry.data, 1);
  return out;
}

/** The entry a WAL entry record stands for. */
export function decodeEntryData(term: number, index: number, data: Uint8Array): Entry {
  assert.ok(data.length >= 1 && (data[0] === NORMAL || data[0] === CONF_CHANGE), `entry ${index}: bad type byte`);
  const type: EntryType = data[0] === NORMAL ? 'normal' : 'confChange';
  return { term, index, type, data: data.subarray(1) };
}

/** The payload of a snapshot file: u32 voter count, voters, u32 learner count, learners, data. */
export function encodeSnapshotPayload(snapshot: Snapshot): Uint8Array {
  const { voters, learners } = snapshot.meta.confState;
  const headerBytes = 8 + 4 * (voters.length + learners.length);
  const out = new Uint8Array(headerBytes + snapshot.data.length);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const list of [voters, learners]) {
    view.setUint32(at, list.length, true);
    at += 4;
    for (const id of list) {
      view.setUint32(at, id, true);
      at += 4;
    }
  }
  out.set(snapshot.data, at);
  return out;
}

export function decodeSnapshotPayload(index: number, term: number, payload: Uint8Array): Snapshot {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let at = 0;
  const lists: number[][] = [];
  for (let k = 0; k < 2; k++) {
    assert.ok(at + 4 <= payload.length, 'truncated snapshot membership');
    const n = view.getUint32(at, true);
    at += 4;
    assert.ok(at + 4 * n <= payload.length, 'truncated snapshot membership');
    const ids: number[] = [];
    for (let i = 0; i < n; i++, at += 4) ids.push(view.getUint32(at, true));
    lists.push(ids);
  }
  const confState: ConfState = { voters: lists[0], learners: lists[1] };
  return { meta: { index, term, confState }, data: payload.subarray(at) };
}
