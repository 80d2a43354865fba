// How Raft's persistent data maps onto the node's storage records, whose shapes are fixed by
// src/storage: WAL `entry` records carry only (group, term, index, data) and snapshot files
// only (group, index, term) + payload bytes. So a conf change is marked by a leading byte of
// the record's data, and a snapshot's membership travels at the head of the payload.

import assert from 'node:assert/strict';
import type { ConfState, Entry, Snapshot } from './types.js';

/**
 * A conf change's record data starts with this byte, then the encoded change. A normal entry's
 * record data is its data as it is — no copy per entry on the write path — so a host's normal
 * entry data must never start with it (asserted).
 */
const CONF_CHANGE_MARK = 0xff;

/** The `data` of a WAL entry record for this entry. */
export function encodeEntryData(entry: Entry): Uint8Array {
  if (entry.type === 'normal') {
    assert.ok(entry.data.length === 0 || entry.data[0] !== CONF_CHANGE_MARK, 'normal entry data must not start with the conf-change mark');
    return entry.data;
  }
  const out = new Uint8Array(entry.data.length + 1);
  out[0] = CONF_CHANGE_MARK;
  out.set(entry.data, 1);
  return out;
}

/** The entry a WAL entry record stands for. */
export function decodeEntryData(term: number, index: number, data: Uint8Array): Entry {
  if (data.length > 0 && data[0] === CONF_CHANGE_MARK) return { term, index, type: 'confChange', data: data.subarray(1) };
  return { term, index, type: 'normal', data };
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
