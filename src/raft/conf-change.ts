// Membership changes, one node at a time. A single-node change keeps every old majority and
// every new majority overlapping, so no two leaders can be elected by disjoint quorums — with
// the known fix for the one-at-a-time algorithm (Ongaro, raft-dev 2015): a leader proposes a
// change only after an entry of its own term is committed, and only one change is in the log
// uncommitted/unapplied at a time. A change takes effect on every node when it is applied.

import assert from 'node:assert/strict';
import type { ConfChange, ConfState } from './types.js';

const TYPE_CODES = { addVoter: 1, addLearner: 2, removeNode: 3 } as const;

export function encodeConfChange(change: ConfChange): Uint8Array {
  assert.ok(Number.isInteger(change.nodeId) && change.nodeId > 0 && change.nodeId <= 0xffffffff, 'node ids are positive 32-bit integers');
  const bytes = new Uint8Array(5);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, TYPE_CODES[change.type]);
  view.setUint32(1, change.nodeId, true);
  return bytes;
}

export function decodeConfChange(bytes: Uint8Array): ConfChange {
  assert.equal(bytes.length, 5, 'a conf change entry is 5 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const code = view.getUint8(0);
  const nodeId = view.getUint32(1, true);
  const type = code === 1 ? 'addVoter' : code === 2 ? 'addLearner' : code === 3 ? 'removeNode' : undefined;
  assert.ok(type !== undefined, `unknown conf change type ${code}`);
  return { type, nodeId };
}

/** The membership after a change. Demoting a voter straight to learner is refused (no-op). */
export function applyToConfState(conf: ConfState, change: ConfChange): ConfState {
  const voters = conf.voters.filter((id) => id !== change.nodeId);
  const learners = conf.learners.filter((id) => id !== change.nodeId);
  switch (change.type) {
    case 'addVoter':
      voters.push(change.nodeId);
      break;
    case 'addLearner':
      if (conf.voters.includes(change.nodeId)) return conf;
      learners.push(change.nodeId);
      break;
    case 'removeNode':
      break;
  }
  voters.sort((a, b) => a - b);
  learners.sort((a, b) => a - b);
  return { voters, learners };
}
