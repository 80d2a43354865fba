// Each test-only mutation breaks one rule; each test here runs the rule's scenario with and
// without it, showing the scenario passes on the real code and notices the broken one. (The
// simulator catches every mutation too: `npm run sim -- --mutations all --seeds 3000`.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../sim/harness.js';
import { Prng } from '../../sim/prng.js';
import type { RaftMutations } from './raft.js';
import { RawNode } from './raw-node.js';
import { MemoryStorage } from './storage.js';
import type { Message } from './types.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function follower(mutations: RaftMutations, options: { checkQuorum?: boolean } = {}): RawNode {
  const storage = new MemoryStorage({ voters: [1, 2, 3], learners: [] });
  storage.append([{ index: 1, term: 1, type: 'normal', data: enc('a') }, { index: 2, term: 2, type: 'normal', data: enc('b') }]);
  storage.setHardState({ term: 2, vote: 0, commit: 0 });
  return new RawNode({ id: 2, group: 1, storage, random: new Prng(1), electionTicks: 10, heartbeatTicks: 1, preVote: false, checkQuorum: options.checkQuorum ?? false, mutations });
}

function grants(node: RawNode): boolean[] {
  const rd = node.ready();
  node.advance();
  const out: boolean[] = [];
  for (const m of [...rd.messages, ...rd.messagesAfterPersist]) if (m.type === 'voteResp') out.push(!m.reject);
  return out;
}

const vote = (from: number, term: number, index: number, logTerm: number): Message => ({ type: 'vote', group: 1, from, to: 2, term, index, logTerm, transfer: false });

test('voteTwice: the second candidate of a term is refused, unless mutated', () => {
  for (const [mutations, expected] of [[{}, [true, false]], [{ voteTwice: true }, [true, true]]] as const) {
    const n = follower(mutations);
    n.step(vote(1, 3, 2, 2));
    n.step(vote(3, 3, 2, 2));
    assert.deepEqual(grants(n), expected);
  }
});

test('ignoreLogUpToDate: a candidate with a stale log is refused, unless mutated', () => {
  for (const [mutations, expected] of [[{}, [false]], [{ ignoreLogUpToDate: true }, [true]]] as const) {
    const n = follower(mutations);
    n.step(vote(1, 3, 1, 1));
    assert.deepEqual(grants(n), expected);
  }
});

test('voteWhileInLease: a follower hearing from its leader ignores a vote request, unless mutated', () => {
  for (const [mutations, expected] of [[{}, []], [{ voteWhileInLease: true }, [true]]] as const) {
    const n = follower(mutations, { checkQuorum: true });
    n.step({ type: 'heartbeat', group: 1, from: 1, to: 2, term: 2, commit: 0, round: 1, sentTick: 0 });
    n.ready();
    n.advance();
    n.step(vote(3, 3, 2, 2));
    assert.deepEqual(grants(n), expected);
  }
});

test('ackBeforePersist: an append is acknowledged only after persistence, unless mutated', () => {
  for (const [mutations, afterPersist] of [[{}, true], [{ ackBeforePersist: true }, false]] as const) {
    const n = follower(mutations);
    n.step({ type: 'app', group: 1, from: 1, to: 2, term: 2, index: 2, logTerm: 2, entries: [{ index: 3, term: 2, type: 'normal', data: enc('c') }], commit: 0 });
    const rd = n.ready();
    assert.equal(rd.messagesAfterPersist.some((m) => m.type === 'appResp'), afterPersist);
  }
});

test('skipLogMatchCheck: an append after a mismatching entry is rejected, unless mutated', () => {
  for (const [mutations, rejected] of [[{}, true], [{ skipLogMatchCheck: true }, false]] as const) {
    const n = follower(mutations);
    n.step({ type: 'app', group: 1, from: 1, to: 2, term: 3, index: 2, logTerm: 3, entries: [{ index: 3, term: 3, type: 'normal', data: enc('c') }], commit: 0 });
    const rd = n.ready();
    const resp = rd.messagesAfterPersist.find((m) => m.type === 'appResp');
    assert.ok(resp !== undefined && resp.type === 'appResp');
    assert.equal(resp.reject, rejected);
  }
});

test('readWithoutQuorum: an isolated leader serves no read, unless mutated', () => {
  for (const [mutations, served] of [[{}, 0], [{ readWithoutQuorum: true }, 1]] as const) {
    const h = new Harness([1, 2, 3], { mutations });
    h.campaign(1);
    h.isolate(1);
    h.get(1).node.readIndex(1);
    h.stabilize();
    assert.equal(h.get(1).readStates.length, served);
  }
});

test('readBeforeOwnTermCommit: a new leader serves no read before its term commits, unless mutated', () => {
  for (const [mutations, served] of [[{}, 0], [{ readBeforeOwnTermCommit: true }, 1]] as const) {
    const storage = new MemoryStorage({ voters: [1, 2, 3], learners: [] });
    const node = new RawNode({ id: 1, group: 1, storage, random: new Prng(1), electionTicks: 10, heartbeatTicks: 1, preVote: false, mutations });
    node.campaign();
    node.ready();
    node.advance();
    for (const from of [2, 3]) node.step({ type: 'voteResp', group: 1, from, to: 1, term: 1, reject: false });
    node.readIndex(7);
    const rd = node.ready();
    node.advance();
    // Followers acknowledge the read's heartbeat round, but not the no-op.
    for (const m of rd.messages) {
      if (m.type === 'heartbeat') node.step({ type: 'heartbeatResp', group: 1, from: m.to, to: 1, term: 1, round: m.round, sentTick: m.sentTick });
    }
    assert.equal(node.ready().readStates.length, served);
  }
});

function leaseLeader(mutations: RaftMutations): Harness {
  const h = new Harness([1, 2, 3], { readOnly: 'leaseBased', electionTicks: 20, heartbeatTicks: 2, mutations });
  h.campaign(1);
  h.tickAll(4);
  return h;
}

test('leaseTooLong: a cut-off leader\'s lease ends before an election timeout, unless mutated', () => {
  for (const [mutations, valid] of [[{}, false], [{ leaseTooLong: true }, true]] as const) {
    const h = leaseLeader(mutations);
    h.isolate(1);
    h.tick(1, 20);
    assert.equal(h.get(1).node.raft.leaseValid(), valid);
  }
});

test('leaseDuringTransfer: lease reads stop when a transfer starts, unless mutated', () => {
  for (const [mutations, valid] of [[{}, false], [{ leaseDuringTransfer: true }, true]] as const) {
    const h = leaseLeader(mutations);
    h.isolate(3);
    h.propose(1, 'x');
    h.get(1).node.transferLeadership(3);
    assert.equal(h.get(1).node.raft.leaseValid(), valid);
  }
});
