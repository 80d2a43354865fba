// The features beyond the paper's core: PreVote, CheckQuorum, ReadIndex and lease reads (each
// lease condition), learners, membership change, leadership transfer, snapshots, flow control,
// batching, and what the Ready says must wait for persistence.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../sim/harness.js';
import { Prng } from '../../sim/prng.js';
import { MemoryStorage } from './storage.js';
import { RawNode } from './raw-node.js';
import type { Message } from './types.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function electOther(h: Harness, excluded: number): number {
  for (let i = 0; i < 200; i++) {
    const leader = h.leader();
    if (leader !== undefined && leader !== excluded && h.get(leader).node.status().role === 'leader') return leader;
    h.tickAll(1);
  }
  assert.fail('no other leader elected');
}

test('PreVote: a partitioned node rejoining does not raise its term nor depose the leader', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.isolate(3);
  h.tickAll(100); // 3 keeps pre-voting, never winning
  assert.equal(h.get(3).node.status().term, 2);
  h.heal();
  h.tickAll(5);
  assert.equal(h.leader(), 1);
  assert.equal(h.get(1).node.status().term, 2);
});

test('CheckQuorum: a leader that stops hearing from a quorum steps down within an election timeout', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.isolate(1);
  for (let i = 0; i < 20 && h.get(1).node.status().role === 'leader'; i++) h.tick(1);
  assert.equal(h.get(1).node.status().role, 'follower');
});

test('CheckQuorum: followers ignore vote requests while they hear from a leader', () => {
  const h = new Harness([1, 2, 3], { preVote: false });
  h.campaign(1);
  h.tickAll(3);
  h.get(3).node.campaign(); // term 3 request while 2 hears from 1
  h.stabilize();
  assert.equal(h.get(2).node.status().term, 2);
  assert.equal(h.leader(), 1);
});

test('CheckQuorum: a restarted voter refuses votes for an election timeout', () => {
  const h = new Harness([1, 2, 3], { preVote: false });
  h.campaign(1);
  h.isolate(1);
  h.restart(2);
  h.get(3).node.campaign();
  h.stabilize();
  assert.notEqual(h.get(3).node.status().role, 'leader');
  assert.equal(h.get(2).node.status().term, 2);
});

test('ReadIndex: a read is released only after a quorum acknowledges a heartbeat round', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.propose(1, 'a');
  h.isolate(1);
  assert.deepEqual(h.get(1).node.readIndex(7), { accepted: true });
  h.stabilize();
  assert.equal(h.get(1).readStates.length, 0);
  h.heal();
  h.tick(1);
  assert.deepEqual(h.get(1).readStates, [{ index: 5, context: 7 }]); // 3 bootstrap entries, the no-op, 'a'
});

test('ReadIndex: a new leader serves no read before an entry of its own term is committed', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.propose(1, 'a');
  h.isolate(1);
  const leader = electOther(h, 1);
  // Stop the new leader's noop from committing: cut it from everyone, then ask for a read.
  h.heal();
  h.isolate(leader);
  const n = h.get(leader).node;
  h.hold = [];
  h.tick(leader);
  h.hold = undefined;
  assert.equal(n.status().role, 'leader');
  const before = n.status().commit;
  n.readIndex(1);
  h.stabilize();
  if (n.status().commit === before && h.get(leader).node.status().role === 'leader') {
    assert.equal(h.get(leader).readStates.length, 0);
  }
  h.heal();
  h.tickAll(2);
  const rs = h.get(leader).readStates;
  if (h.get(leader).node.status().role === 'leader') {
    assert.equal(rs.length, 1);
    assert.ok(rs[0].index >= 3);
  }
});

test('ReadIndex: reads queued before the first commit of the term wait for it (unit)', () => {
  const storage = new MemoryStorage({ voters: [1, 2, 3], learners: [] });
  const node = new RawNode({ id: 1, group: 1, storage, random: new Prng(1), electionTicks: 10, heartbeatTicks: 1, preVote: false });
  node.campaign();
  let rd = node.ready();
  storage.setHardState(rd.hardState ?? storage.initialState().hardState);
  node.advance();
  for (const from of [2, 3]) node.step({ type: 'voteResp', group: 1, from, to: 1, term: 1, reject: false });
  assert.equal(node.status().role, 'leader');
  node.readIndex(9);
  rd = node.ready();
  assert.equal(rd.readStates.length, 0);
  storage.append(rd.entries);
  node.advance();
  // Heartbeat acknowledgements alone do not release it: the noop is not committed yet.
  node.tick();
  rd = node.ready();
  node.advance();
  for (const m of rd.messages.filter((x) => x.type === 'heartbeat')) {
    if (m.type !== 'heartbeat') continue;
    node.step({ type: 'heartbeatResp', group: 1, from: m.to, to: 1, term: 1, round: m.round, sentTick: m.sentTick });
  }
  assert.equal(node.ready().readStates.length, 0);
  node.advance();
  node.step({ type: 'appResp', group: 1, from: 2, to: 1, term: 1, index: 1, reject: false, rejectHint: 0, logTerm: 0 });
  rd = node.ready();
  node.advance();
  // Now committed: the read goes through a heartbeat round of its own.
  const hb = rd.messages.find((m) => m.type === 'heartbeat');
  assert.ok(hb !== undefined && hb.type === 'heartbeat');
  node.step({ type: 'heartbeatResp', group: 1, from: 2, to: 1, term: 1, round: hb.round, sentTick: hb.sentTick });
  assert.deepEqual(node.ready().readStates, [{ index: 1, context: 9 }]);
});

function leaseCluster(mutations = {}): Harness {
  const h = new Harness([1, 2, 3], { readOnly: 'leaseBased', electionTicks: 20, heartbeatTicks: 2, mutations });
  h.campaign(1);
  h.tickAll(4);
  return h;
}

test('Lease: a leader with a fresh quorum acknowledgement serves reads without a round', () => {
  const h = leaseCluster();
  const before = h.delivered.length;
  h.get(1).node.readIndex(5);
  h.stabilize();
  assert.equal(h.get(1).readStates.length, 1);
  assert.equal(h.delivered.slice(before).filter((m) => m.type === 'heartbeat').length, 0);
});

test('Lease: it runs from when the acknowledged round was sent and is shorter than electionTicks / drift', () => {
  const h = leaseCluster();
  const raft = h.get(1).node.raft;
  assert.ok(raft.leaseTicks * 1.1 < raft.electionTicks);
  // Acknowledgements stop: the lease expires leaseTicks after the last acknowledged *send*,
  // however late acknowledgements arrived.
  h.isolate(1);
  const sentTick = raft.tracker.quorumAckedSentTick();
  let ticks = 0;
  while (raft.leaseValid() && ticks < 100) {
    h.tick(1);
    ticks++;
  }
  assert.equal(raft.tickCount, sentTick + raft.leaseTicks);
  assert.ok(raft.tickCount - sentTick < raft.electionTicks);
});

test('Lease: a leader stops lease reads once it starts a leadership transfer', () => {
  const h = leaseCluster();
  h.isolate(2);
  h.propose(1, 'x'); // 2 lags, so the transfer cannot complete at once
  h.get(1).node.transferLeadership(2);
  h.stabilize();
  assert.equal(h.get(1).node.raft.leadTransferee, 2);
  assert.equal(h.get(1).node.raft.leaseValid(), false);
  const before = h.get(1).readStates.length;
  h.get(1).node.readIndex(11);
  h.stabilize();
  const reads = h.get(1).readStates.slice(before);
  assert.ok(reads.length <= 1);
  // Served only through a heartbeat round (2 is cut off but 3 answers), never by lease.
  assert.ok(h.delivered.some((m) => m.type === 'heartbeatResp' && m.to === 1));
});

test('Lease: an abandoned transfer does not bring lease reads back in that term', () => {
  const h = leaseCluster();
  h.isolate(2);
  h.propose(1, 'x');
  h.get(1).node.transferLeadership(2); // 2 never catches up: abandoned after an election timeout
  for (let i = 0; i < 25; i++) {
    h.get(1).node.tick();
    h.get(3).node.tick();
    h.stabilize();
  }
  assert.equal(h.get(1).node.raft.leadTransferee, 0);
  assert.equal(h.get(1).node.status().role, 'leader');
  assert.equal(h.get(1).node.raft.leaseValid(), false);
});

test('Lease: a new leader has no lease before an entry of its own term commits', () => {
  const h = new Harness([1, 2, 3], { readOnly: 'leaseBased', electionTicks: 20, heartbeatTicks: 2, preVote: false });
  h.stabilize();
  h.hold = [];
  h.get(1).node.campaign();
  h.stabilize();
  const votes = h.hold.filter((m) => m.type === 'vote');
  h.hold = undefined;
  h.isolate(1);
  h.cut.delete('1->2');
  h.cut.delete('2->1');
  for (const m of votes) h.deliver(m);
  h.cut.add('1->2'); // the noop never reaches anyone
  h.stabilize();
  assert.equal(h.get(1).node.status().role, 'leader');
  assert.equal(h.get(1).node.raft.leaseValid(), false);
});

test('Learners receive the log but do not vote nor count toward commit', () => {
  const h = new Harness([1, 2, 3], {}, 1, [4]);
  h.campaign(1);
  h.propose(1, 'a');
  assert.deepEqual(h.appliedTexts(4), ['a']);
  h.isolate(2);
  h.isolate(3);
  h.cut.delete('1->4');
  h.cut.delete('4->1');
  const before = h.get(1).node.status().commit;
  h.propose(1, 'b');
  assert.equal(h.get(1).node.status().commit, before, 'a learner is not part of the quorum');
  h.heal();
  h.isolate(1);
  for (let i = 0; i < 60; i++) h.tick(4);
  assert.equal(h.get(4).node.status().role, 'follower', 'a learner never campaigns');
});

test('Membership: adding a learner, promoting it and removing a voter, one change at a time', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.propose(1, 'a');
  h.add(4, { voters: [], learners: [] });
  const add = h.get(1).node.proposeConfChange({ type: 'addLearner', nodeId: 4 });
  assert.equal(add.accepted, true);
  const second = h.get(1).node.proposeConfChange({ type: 'addVoter', nodeId: 5 });
  assert.deepEqual(second, { accepted: false, reason: 'confChangePending', leader: 1 });
  h.stabilize();
  h.tickAll(3);
  assert.deepEqual(h.appliedTexts(4), ['a']);
  assert.equal(h.get(1).node.proposeConfChange({ type: 'addVoter', nodeId: 4 }).accepted, true);
  h.stabilize();
  assert.deepEqual(h.get(1).node.status().confState, { voters: [1, 2, 3, 4], learners: [] });
  assert.equal(h.get(1).node.proposeConfChange({ type: 'removeNode', nodeId: 3 }).accepted, true);
  h.stabilize();
  assert.deepEqual(h.get(1).node.status().confState, { voters: [1, 2, 4], learners: [] });
  h.propose(1, 'b');
  for (const id of [1, 2, 4]) assert.deepEqual(h.appliedTexts(id), ['a', 'b']);
});

test('Membership: a new leader accepts no conf change before an entry of its term is applied', () => {
  const storage = new MemoryStorage({ voters: [1, 2, 3], learners: [] });
  const node = new RawNode({ id: 1, group: 1, storage, random: new Prng(1), electionTicks: 10, heartbeatTicks: 1, preVote: false });
  node.campaign();
  node.ready();
  node.advance();
  for (const from of [2, 3]) node.step({ type: 'voteResp', group: 1, from, to: 1, term: 1, reject: false });
  assert.equal(node.status().role, 'leader');
  const r = node.proposeConfChange({ type: 'addLearner', nodeId: 4 });
  assert.deepEqual(r, { accepted: false, reason: 'confChangePending', leader: 1 });
});

test('Membership: a removed leader hands leadership to a remaining voter, then steps down', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.get(1).node.proposeConfChange({ type: 'removeNode', nodeId: 1 });
  h.stabilize();
  assert.ok(h.delivered.some((m) => m.type === 'timeoutNow' && m.from === 1));
  h.tickAll(2);
  assert.notEqual(h.get(1).node.status().role, 'leader');
  const leader = electOther(h, 1);
  h.propose(leader, 'after');
  assert.deepEqual(h.appliedTexts(leader === 2 ? 3 : 2), ['after']);
});

test('Transfer: the leader catches the target up and sends TimeoutNow; the target wins at once', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.propose(1, 'a');
  assert.deepEqual(h.get(1).node.transferLeadership(3), { accepted: true });
  h.stabilize();
  assert.equal(h.leader(), 3);
  assert.equal(h.get(3).node.status().term, 3);
});

test('Transfer: proposals are refused while a transfer is in progress; it is abandoned after an election timeout', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.isolate(3);
  h.get(1).node.transferLeadership(3);
  assert.equal(h.get(1).node.propose(enc('x')).accepted, false);
  h.tick(1, 10);
  h.heal();
  assert.equal(h.get(1).node.raft.leadTransferee, 0);
  assert.equal(h.get(1).node.propose(enc('y')).accepted, true);
});

test('Snapshots: a follower behind the compacted log is caught up with a snapshot', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.isolate(3);
  for (let i = 0; i < 10; i++) h.propose(1, `e${i}`);
  const l = h.get(1);
  const applied = l.node.status().applied;
  l.storage.createSnapshot(applied, l.node.status().confState, enc('state-at-' + applied));
  l.storage.compact(applied);
  h.heal();
  h.tickAll(3);
  const snaps = h.delivered.filter((m) => m.type === 'snap' && m.to === 3);
  assert.equal(snaps.length, 1);
  assert.equal(h.get(3).storage.snapshot().meta.index, applied);
  h.propose(1, 'after');
  assert.deepEqual(h.appliedTexts(3), ['after']);
  assert.equal(h.get(3).node.status().commit, h.get(1).node.status().commit);
});

test('Flow control: at most maxInflightMsgs appends are in flight to a follower', () => {
  const h = new Harness([1, 2], { maxInflightMsgs: 3, maxSizePerMsgBytes: 1 });
  h.campaign(1);
  h.hold = [];
  for (let i = 0; i < 20; i++) {
    h.get(1).node.propose(enc(`p${i}`));
    h.stabilize();
  }
  const appends = h.hold.filter((m) => m.type === 'app' && m.entries.length > 0);
  assert.equal(appends.length, 3);
  h.hold = undefined;
});

test('Batching: proposals made before the host collects a Ready go out in one append per follower', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.hold = [];
  for (let i = 0; i < 50; i++) h.get(1).node.propose(enc(`b${i}`));
  h.stabilize();
  const appends = h.hold.filter((m): m is Extract<Message, { type: 'app' }> => m.type === 'app' && m.entries.length > 0);
  h.hold = undefined;
  assert.equal(appends.length, 2);
  assert.equal(appends[0].entries.length, 50);
});

test('Ready: acknowledgements and votes wait for persistence; the leader\'s appends do not', () => {
  const storage = new MemoryStorage({ voters: [1, 2, 3], learners: [] });
  const node = new RawNode({ id: 2, group: 1, storage, random: new Prng(1), electionTicks: 10, heartbeatTicks: 1 });
  node.step({ type: 'vote', group: 1, from: 1, to: 2, term: 1, index: 0, logTerm: 0, transfer: false });
  let rd = node.ready();
  assert.equal(rd.messages.length, 0);
  assert.equal(rd.messagesAfterPersist[0].type, 'voteResp');
  assert.equal(rd.mustSync, true);
  node.advance();
  node.step({ type: 'app', group: 1, from: 1, to: 2, term: 1, index: 0, logTerm: 0, entries: [{ index: 1, term: 1, type: 'normal', data: enc('a') }], commit: 0 });
  rd = node.ready();
  assert.equal(rd.entries.length, 1);
  assert.equal(rd.messagesAfterPersist[0].type, 'appResp');
  node.advance();
});

test('Ready: the leader counts itself toward commit only after its entries are persisted', () => {
  const storage = new MemoryStorage({ voters: [1], learners: [] });
  const node = new RawNode({ id: 1, group: 1, storage, random: new Prng(1), electionTicks: 10, heartbeatTicks: 1 });
  node.campaign();
  const rd = node.ready();
  assert.equal(rd.entries.length, 1);
  assert.equal(rd.hardState?.commit, 0);
  storage.append(rd.entries);
  node.advance();
  assert.equal(node.status().commit, 1);
  assert.equal(node.ready().committedEntries.length, 1);
});

test('Restart: committed conf changes after the snapshot are re-applied from the log', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.add(4, { voters: [], learners: [] });
  h.get(1).node.proposeConfChange({ type: 'addLearner', nodeId: 4 });
  h.stabilize();
  h.restart(2);
  h.tickAll(3);
  assert.deepEqual(h.get(2).node.status().confState, { voters: [1, 2, 3], learners: [4] });
});
