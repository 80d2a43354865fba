// The rules of the Raft paper (Ongaro & Ousterhout, 2014), one test each, on a synchronous
// in-memory cluster.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../sim/harness.js';
import { MemoryStorage } from './storage.js';
import { RawNode } from './raw-node.js';
import type { Message } from './types.js';
import { Prng } from '../../sim/prng.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Ticks until a node other than `excluded` leads (in a later term). */
function electOther(h: Harness, excluded: number): number {
  for (let i = 0; i < 100; i++) {
    const leader = h.leader();
    if (leader !== undefined && leader !== excluded) return leader;
    h.tickAll(1);
  }
  assert.fail('no other leader elected');
}

test('§5.2: a follower that hears nothing for an election timeout becomes a candidate and a leader', () => {
  const h = new Harness([1, 2, 3]);
  h.tickAll(25);
  const leader = h.leader();
  assert.ok(leader !== undefined);
  for (const id of [1, 2, 3]) assert.equal(h.get(id).node.status().lead, leader);
});

test('§5.2: a candidate wins with votes from a majority, and each node votes at most once per term', () => {
  const h = new Harness([1, 2, 3, 4, 5]);
  h.campaign(1);
  assert.equal(h.get(1).node.status().role, 'leader');
  const term = h.get(1).node.status().term;
  // Node 2 already voted for 1 in this term: a second candidate in the same term is refused.
  for (const id of [2, 3]) assert.equal(h.get(id).storage.initialState().hardState.vote, 1);
  const votes = h.delivered.filter((m) => m.type === 'voteResp' && m.to === 1 && !m.reject);
  assert.ok(votes.length >= 2);
  assert.equal(term, 2); // a new group starts in term 1 (bootstrap) and elects in term 2
});

test('§5.2: a node grants at most one vote per term (second candidate refused)', () => {
  const h = new Harness([1, 2, 3], { preVote: false, checkQuorum: false });
  h.isolate(3);
  h.campaign(1); // 2 votes for 1 in term 1
  h.heal();
  h.hold = [];
  // Node 3 campaigns in term 1 too (its own term is 0 → 1).
  h.get(3).node.campaign();
  h.stabilize();
  const requests = h.hold.filter((m) => m.type === 'vote' && m.to === 2);
  h.hold = undefined;
  for (const m of requests) h.deliver(m);
  h.stabilize();
  const answer = h.delivered.filter((m) => m.type === 'voteResp' && m.from === 2 && m.to === 3);
  assert.ok(answer.length >= 1 && answer.every((m) => m.type === 'voteResp' && m.reject));
});

test('§5.2: a candidate that hears from a leader of its term steps down', () => {
  const h = new Harness([1, 2, 3], { preVote: false });
  h.campaign(1);
  h.isolate(2);
  h.get(2).node.campaign(); // term 2 candidate, cut off
  h.stabilize();
  assert.equal(h.get(2).node.status().role, 'candidate');
  h.heal();
  h.tickAll(30);
  const leader = h.leader();
  assert.ok(leader !== undefined);
  assert.notEqual(h.get(2).node.status().role, 'candidate');
});

test('§5.2: randomised election timeouts fall in [electionTicks, 2·electionTicks)', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const h = new Harness([1], {}, seed);
    let ticks = 0;
    while (h.get(1).node.status().role !== 'leader' && ticks < 100) {
      h.tick(1);
      ticks++;
    }
    assert.ok(ticks >= 10 && ticks < 20, `elected after ${ticks} ticks`);
  }
});

test('§5.3: the leader replicates entries and they are applied everywhere in order', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  for (let i = 0; i < 5; i++) h.propose(1, `x${i}`);
  for (const id of [1, 2, 3]) assert.deepEqual(h.appliedTexts(id), ['x0', 'x1', 'x2', 'x3', 'x4']);
});

test('§5.3: a follower rejects an append whose previous entry does not match (log matching)', () => {
  const storage = new MemoryStorage({ voters: [1, 2], learners: [] });
  storage.append([{ index: 1, term: 1, type: 'normal', data: enc('a') }]);
  storage.setHardState({ term: 2, vote: 0, commit: 0 });
  const node = new RawNode({ id: 2, group: 1, storage, random: new Prng(1), electionTicks: 10, heartbeatTicks: 1 });
  node.step({ type: 'app', group: 1, from: 1, to: 2, term: 2, index: 1, logTerm: 2, entries: [{ index: 2, term: 2, type: 'normal', data: enc('b') }], commit: 0 });
  const rd = node.ready();
  const resp = rd.messagesAfterPersist.find((m) => m.type === 'appResp');
  assert.ok(resp !== undefined && resp.type === 'appResp' && resp.reject);
  assert.equal(resp.rejectHint, 1);
  assert.equal(resp.logTerm, 1);
  assert.equal(rd.entries.length, 0);
});

test('§5.3: a conflicting suffix in a follower is overwritten by the leader\'s entries', () => {
  const h = new Harness([1, 2, 3], { preVote: false });
  h.campaign(1);
  h.propose(1, 'a');
  h.isolate(1);
  h.propose(1, 'lost1'); // only in node 1's log
  h.propose(1, 'lost2');
  const leader = electOther(h, 1);
  h.propose(leader, 'b');
  h.heal();
  h.tickAll(5);
  for (const id of [1, 2, 3]) assert.deepEqual(h.appliedTexts(id), ['a', 'b']);
  assert.equal(h.get(1).node.status().lastIndex, h.get(2).node.status().lastIndex);
});

test('§5.3: fast backtracking skips a whole conflicting term per round trip', () => {
  const h = new Harness([1, 2, 3], { preVote: false });
  h.campaign(1);
  h.isolate(1);
  for (let i = 0; i < 50; i++) h.propose(1, `stale${i}`); // 50 entries of term 1 only on node 1
  const leader = electOther(h, 1);
  h.propose(leader, 'fresh');
  h.heal();
  const before = h.delivered.length;
  h.tickAll(3);
  const rejections = h.delivered.slice(before).filter((m) => m.type === 'appResp' && m.from === 1 && m.reject);
  assert.ok(rejections.length <= 2, `${rejections.length} rejections`);
  assert.deepEqual(h.appliedTexts(1), ['fresh']);
});

test('§5.4.1: a voter refuses a candidate whose log is less up to date', () => {
  const h = new Harness([1, 2, 3], { preVote: false, checkQuorum: false });
  h.campaign(1);
  h.isolate(3);
  h.propose(1, 'a'); // 3 misses it
  h.heal();
  h.isolate(1);
  h.get(3).node.campaign();
  h.stabilize();
  assert.notEqual(h.get(3).node.status().role, 'leader');
  const answer = h.delivered.filter((m) => m.type === 'voteResp' && m.from === 2 && m.to === 3);
  assert.ok(answer.length > 0 && answer.every((m) => m.type === 'voteResp' && m.reject));
});

function figure8Leader(mutations = {}): RawNode {
  // Node 1 leads term 3 with entry 2 of term 2 (never committed) in its log, as in Figure 8.
  const storage = new MemoryStorage({ voters: [1, 2, 3], learners: [] });
  storage.append([{ index: 1, term: 1, type: 'normal', data: enc('a') }, { index: 2, term: 2, type: 'normal', data: enc('old') }]);
  storage.setHardState({ term: 2, vote: 1, commit: 1 });
  const node = new RawNode({ id: 1, group: 1, storage, random: new Prng(1), electionTicks: 10, heartbeatTicks: 1, preVote: false, mutations });
  node.campaign();
  node.ready();
  node.advance();
  node.step({ type: 'voteResp', group: 1, from: 2, to: 1, term: 3, reject: false });
  assert.equal(node.status().role, 'leader');
  const rd = node.ready();
  storage.append(rd.entries); // the term-3 no-op at index 3
  node.advance();
  return node;
}

test('§5.4.2: a leader never commits an entry of an earlier term by counting replicas', () => {
  const node = figure8Leader();
  // Node 2 acknowledges up to the old entry only: a majority holds entry 2, still uncommitted.
  node.step({ type: 'appResp', group: 1, from: 2, to: 1, term: 3, index: 2, reject: false, rejectHint: 0, logTerm: 0 });
  assert.equal(node.status().commit, 1);
  // Once an entry of term 3 is on a majority, it and everything before it commit.
  node.step({ type: 'appResp', group: 1, from: 2, to: 1, term: 3, index: 3, reject: false, rejectHint: 0, logTerm: 0 });
  assert.equal(node.status().commit, 3);
});

test('mutation commitOldTermByCounting is caught by the §5.4.2 rule test', () => {
  const node = figure8Leader({ commitOldTermByCounting: true });
  node.step({ type: 'appResp', group: 1, from: 2, to: 1, term: 3, index: 2, reject: false, rejectHint: 0, logTerm: 0 });
  assert.equal(node.status().commit, 2, 'the mutated leader commits the old-term entry');
});

test('§5.5: a restarted node recovers its term, vote and log from storage', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.propose(1, 'a');
  const before = h.get(2).node.status();
  h.restart(2);
  const after = h.get(2).node.status();
  assert.equal(after.term, before.term);
  assert.equal(after.lastIndex, before.lastIndex);
  assert.equal(h.get(2).storage.initialState().hardState.vote, 1);
  h.tickAll(3);
  assert.deepEqual(h.appliedTexts(2), ['a']);
});

test('Figure 2: messages with a stale term are answered so the sender learns the newer term', () => {
  const h = new Harness([1, 2, 3]);
  h.campaign(1);
  h.isolate(1);
  h.tickAll(40); // 2 or 3 elected in a later term; 1 steps down by CheckQuorum
  h.heal();
  const stale: Message = { type: 'app', group: 1, from: 1, to: 2, term: 1, index: 0, logTerm: 0, entries: [], commit: 0 };
  h.deliver(stale);
  h.stabilize();
  const answer = h.delivered.filter((m) => m.from === 2 && m.to === 1 && m.type === 'appResp').pop();
  assert.ok(answer !== undefined && answer.term > 1);
});
