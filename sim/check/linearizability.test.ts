// The checker against hand-made histories with known answers, including the shapes of
// anomalies Jepsen published (stale reads after a leader change, lost updates by concurrent
// compare-and-set, reads of a value that was never written), and unknown outcomes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHistory } from './linearizability.js';
import type { Operation, OperationInput, Outcome } from './history.js';

let nextId = 0;
function op(client: number, key: string, input: OperationInput, outcome: Outcome, callTime: number, returnTime: number): Operation {
  return { id: nextId++, client, key, input, outcome, callTime, returnTime: outcome.status === 'unknown' ? Infinity : returnTime };
}
const w = (c: number, k: string, v: string, t0: number, t1: number): Operation => op(c, k, { kind: 'write', value: v }, { status: 'ok' }, t0, t1);
const r = (c: number, k: string, v: string | null, t0: number, t1: number): Operation => op(c, k, { kind: 'read' }, { status: 'ok', value: v }, t0, t1);
const cas = (c: number, k: string, from: string | null, to: string, ok: boolean, t0: number, t1: number): Operation =>
  op(c, k, { kind: 'cas', expect: from, value: to }, { status: 'ok', succeeded: ok }, t0, t1);
const unknownWrite = (c: number, k: string, v: string, t0: number): Operation => op(c, k, { kind: 'write', value: v }, { status: 'unknown' }, t0, Infinity);

test('sequential write then read of the written value is linearizable', () => {
  assert.equal(checkHistory([w(1, 'x', 'a', 0, 1), r(2, 'x', 'a', 2, 3)]).result, 'ok');
});

test('a read of the initial value after a completed write is not linearizable (stale read)', () => {
  assert.equal(checkHistory([w(1, 'x', 'a', 0, 1), r(2, 'x', null, 2, 3)]).result, 'illegal');
});

test('concurrent read may see either the old or the new value', () => {
  assert.equal(checkHistory([w(1, 'x', 'a', 0, 10), r(2, 'x', null, 1, 2)]).result, 'ok');
  assert.equal(checkHistory([w(1, 'x', 'a', 0, 10), r(2, 'x', 'a', 1, 2)]).result, 'ok');
});

test('a read may not go back in time after another read saw the new value', () => {
  // Both reads overlap the write, but the second starts after the first ended.
  assert.equal(checkHistory([w(1, 'x', 'a', 0, 10), r(2, 'x', 'a', 1, 2), r(3, 'x', null, 3, 4)]).result, 'illegal');
});

test('Jepsen etcd 0.4 stale read: a read served by a deposed leader misses an acknowledged write', () => {
  // Modelled on Jepsen's 2014 etcd analysis: w 4 acknowledged through the new leader, then a
  // read through the old leader still returns 3.
  const h = [w(1, 'r', '3', 0, 1), w(2, 'r', '4', 2, 3), r(3, 'r', '3', 4, 5)];
  assert.equal(checkHistory(h).result, 'illegal');
});

test('Jepsen lost update: two compare-and-sets from the same value both succeed', () => {
  // Modelled on the lost-update anomalies Jepsen reported (e.g. Redis Sentinel, MongoDB):
  // both clients cas 0 -> their own value and both are told ok; one update is lost.
  const h = [w(0, 'k', '0', 0, 1), cas(1, 'k', '0', '1', true, 2, 5), cas(2, 'k', '0', '2', true, 3, 6), r(3, 'k', '2', 7, 8)];
  assert.equal(checkHistory(h).result, 'illegal');
  const fine = [w(0, 'k', '0', 0, 1), cas(1, 'k', '0', '1', true, 2, 5), cas(2, 'k', '0', '2', false, 3, 6), r(3, 'k', '1', 7, 8)];
  assert.equal(checkHistory(fine).result, 'ok');
});

test('reading a value nobody wrote is not linearizable', () => {
  assert.equal(checkHistory([w(1, 'x', 'a', 0, 1), r(2, 'x', 'zzz', 2, 3)]).result, 'illegal');
});

test('an unknown write may have taken effect, or not, at any time after its call', () => {
  assert.equal(checkHistory([unknownWrite(1, 'x', 'a', 0), r(2, 'x', null, 5, 6)]).result, 'ok');
  assert.equal(checkHistory([unknownWrite(1, 'x', 'a', 0), r(2, 'x', 'a', 5, 6)]).result, 'ok');
  // ...but once seen it cannot be unseen.
  assert.equal(checkHistory([unknownWrite(1, 'x', 'a', 0), r(2, 'x', 'a', 5, 6), r(3, 'x', null, 7, 8)]).result, 'illegal');
  // ...and it cannot take effect before it was called.
  assert.equal(checkHistory([r(2, 'x', 'a', 0, 1), unknownWrite(1, 'x', 'a', 2)]).result, 'illegal');
});

test('keys are independent: an anomaly on one key is reported with that key', () => {
  const h = [w(1, 'a', '1', 0, 1), r(1, 'a', '1', 2, 3), w(2, 'b', '1', 0, 1), r(2, 'b', null, 2, 3)];
  const result = checkHistory(h);
  assert.equal(result.result, 'illegal');
  assert.equal(result.result === 'illegal' ? result.key : '', 'b');
});

test('a long concurrent history is checked quickly thanks to memoisation', () => {
  const h: Operation[] = [];
  // 12 clients, 200 overlapping writes and reads on one key, consistent with a real order.
  let value: string | null = null;
  for (let i = 0; i < 200; i++) {
    const t = i * 10;
    if (i % 3 === 0) {
      value = `v${i}`;
      h.push(w(i % 12, 'x', value, t, t + 25));
    } else {
      h.push(r(i % 12, 'x', value, t + 5, t + 6));
    }
  }
  assert.equal(checkHistory(h).result, 'ok');
});

test('a search beyond its step budget reports a timeout, never a verdict', () => {
  const h: Operation[] = [];
  for (let i = 0; i < 30; i++) h.push(w(i, 'x', `v${i}`, 0, 100));
  h.push(r(99, 'x', 'never', 101, 102));
  assert.equal(checkHistory(h, 50).result, 'timeout');
});

test('unknown writes nobody observed are pruned without changing the verdict', () => {
  const h = [unknownWrite(1, 'x', 'ghost', 0), w(2, 'x', 'a', 1, 2), r(3, 'x', 'a', 3, 4)];
  assert.equal(checkHistory(h).result, 'ok');
  const stale = [unknownWrite(1, 'x', 'ghost', 0), w(2, 'x', 'a', 1, 2), r(3, 'x', null, 3, 4)];
  assert.equal(checkHistory(stale).result, 'illegal');
  const seen = [unknownWrite(1, 'x', 'ghost', 0), w(2, 'x', 'a', 1, 2), r(3, 'x', 'ghost', 3, 4), r(3, 'x', 'a', 5, 6)];
  assert.equal(checkHistory(seen).result, 'illegal');
});

test('an unknown write may explain a failed compare-and-set, so it is not pruned', () => {
  // Found by the simulator (seed 197): the cas fails because an unknown write took effect.
  const h = [unknownWrite(1, 'x', 'u', 0), cas(2, 'x', null, 'v', false, 5, 6)];
  assert.equal(checkHistory(h).result, 'ok');
  const without = [cas(2, 'x', null, 'v', false, 5, 6)];
  assert.equal(checkHistory(without).result, 'illegal');
});

test('an unknown compare-and-set whose result was read keeps the unknown write it expected', () => {
  // Found by the simulator (seed 89820): w(c1-79) and cas(c1-79 -> c2-80) both timed out, and a
  // later read saw c2-80; pruning the write made the cas impossible.
  const unknownCas = (c: number, k: string, from: string, to: string, t0: number): Operation =>
    op(c, k, { kind: 'cas', expect: from, value: to }, { status: 'unknown' }, t0, Infinity);
  const h = [w(1, 'x', 'a', 0, 1), unknownWrite(2, 'x', 'b', 2), unknownCas(1, 'x', 'b', 'c', 3), r(3, 'x', 'c', 10, 11)];
  assert.equal(checkHistory(h).result, 'ok');
  const chained = [w(1, 'x', 'a', 0, 1), unknownWrite(2, 'x', 'b', 2), unknownCas(1, 'x', 'b', 'c', 3), unknownCas(2, 'x', 'c', 'd', 4), r(3, 'x', 'd', 10, 11)];
  assert.equal(checkHistory(chained).result, 'ok');
  const impossible = [w(1, 'x', 'a', 0, 1), unknownCas(1, 'x', 'b', 'c', 3), r(3, 'x', 'c', 10, 11)];
  assert.equal(checkHistory(impossible).result, 'illegal');
});
