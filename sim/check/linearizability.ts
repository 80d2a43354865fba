// A linearizability checker for key/value histories in the style of Porcupine (Wing & Gong's
// search with Lowe's memoisation): the history is split by key (each key is an independent
// register, so the whole history is linearizable iff every key's is), and each key's
// operations are searched for a legal order consistent with real time. An unknown outcome
// completes at infinity, so the search may place it anywhere after its call — including the end,
// where it has no visible effect (it may never have happened).

import assert from 'node:assert/strict';
import type { Operation } from './history.js';
import { stepRegister } from './register-model.js';
import type { RegisterState } from './register-model.js';

export type CheckResult =
  | { readonly result: 'ok' }
  | { readonly result: 'illegal'; readonly key: string; readonly operations: readonly Operation[] }
  | { readonly result: 'timeout'; readonly key: string };

interface Node {
  readonly op: number; // index into the key's operations
  readonly isCall: boolean;
  readonly time: number;
  match: Node | undefined; // a call's return
  prev: Node | undefined;
  next: Node | undefined;
}

export function checkHistory(history: readonly Operation[], maxStepsPerKey = 5_000_000): CheckResult {
  const byKey = new Map<string, Operation[]>();
  for (const op of withoutUnobservedUnknowns(history)) {
    let list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, (list = []));
    list.push(op);
  }
  for (const key of [...byKey.keys()].sort()) {
    const ops = byKey.get(key) ?? [];
    const result = checkKey(ops, maxStepsPerKey);
    if (result === 'timeout') return { result: 'timeout', key };
    if (!result) return { result: 'illegal', key, operations: ops };
  }
  return { result: 'ok' };
}

/**
 * An operation with an unknown outcome can always be linearized last, where it changes nothing
 * anyone saw. So it can be dropped without changing the verdict unless something could need
 * its effect: a read returning its value, a compare-and-set expecting its value that succeeded
 * or is itself kept (an unknown cas whose result was read needs the write it expected: seed
 * 89820), or a failed compare-and-set on its key that ended after it was called (the failure may
 * be explained by it). Dropping the others prunes the search a lot.
 */
export function withoutUnobservedUnknowns(history: readonly Operation[]): Operation[] {
  const needed = new Set<string>();
  const lastFailedCasReturn = new Map<string, number>();
  for (const op of history) {
    if (op.outcome.status !== 'ok') continue;
    if (op.input.kind === 'read' && op.outcome.value !== undefined && op.outcome.value !== null) needed.add(`${op.key}\u0000${op.outcome.value}`);
    if (op.input.kind === 'cas' && op.outcome.succeeded === true && op.input.expect !== null) needed.add(`${op.key}\u0000${op.input.expect}`);
    if (op.input.kind === 'cas' && op.outcome.succeeded !== true) lastFailedCasReturn.set(op.key, Math.max(lastFailedCasReturn.get(op.key) ?? -Infinity, op.returnTime));
  }
  const keep = (op: Operation): boolean => op.outcome.status !== 'unknown' || op.input.kind === 'read'
    || needed.has(`${op.key}\u0000${op.input.value}`)
    || (lastFailedCasReturn.get(op.key) ?? -Infinity) > op.callTime;
  // Kept unknown compare-and-sets need what they expect: grow the needed values to a fixpoint
  // (each round adds one at least, so there are at most as many rounds as operations).
  for (let round = 0; round <= history.length; round++) {
    let grew = false;
    for (const op of history) {
      if (op.outcome.status !== 'unknown' || op.input.kind !== 'cas' || op.input.expect === null || !keep(op)) continue;
      const value = `${op.key}\u0000${op.input.expect}`;
      if (!needed.has(value)) {
        needed.add(value);
        grew = true;
      }
    }
    if (!grew) return history.filter(keep);
  }
  assert.fail('the needed values stop growing within as many rounds as operations');
}

/** true if linearizable, false if not, 'timeout' if the search exceeded its step budget. */
export function checkKey(ops: readonly Operation[], maxSteps: number): boolean | 'timeout' {
  for (const op of ops) assert.ok(op.callTime <= op.returnTime, `operation ${op.id} returns before it is called`);
  const head = buildList(ops);
  const linearized = new Uint8Array(ops.length);
  const cache = new Map<string, Set<RegisterState>>();
  const stack: { node: Node; state: RegisterState }[] = [];
  let state: RegisterState = null;
  let entry = head.next;
  for (let steps = 0; head.next !== undefined; steps++) {
    if (steps > maxSteps) return 'timeout';
    assert.ok(entry !== undefined, 'the search walked off the list');
    if (entry.isCall) {
      const next = stepRegister(state, ops[entry.op]);
      if (next !== undefined) {
        linearized[entry.op] = 1;
        const signature = signatureOf(linearized);
        let seen = cache.get(signature);
        if (seen === undefined) cache.set(signature, (seen = new Set()));
        if (!seen.has(next.state)) {
          seen.add(next.state);
          stack.push({ node: entry, state });
          state = next.state;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[entry.op] = 0;
      }
      entry = entry.next;
    } else {
      // A return whose call is not linearized yet: undo the last choice and try the next one.
      const top = stack.pop();
      if (top === undefined) return false;
      state = top.state;
      linearized[top.node.op] = 0;
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return true;
}

function buildList(ops: readonly Operation[]): Node {
  const events: Node[] = [];
  ops.forEach((op, i) => {
    const ret: Node = { op: i, isCall: false, time: op.returnTime, match: undefined, prev: undefined, next: undefined };
    const call: Node = { op: i, isCall: true, time: op.callTime, match: ret, prev: undefined, next: undefined };
    events.push(call, ret);
  });
  // Calls before returns at equal times: touching operations count as concurrent.
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1));
  const head: Node = { op: -1, isCall: false, time: -Infinity, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const e of events) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

function lift(call: Node): void {
  const ret = call.match;
  assert.ok(ret !== undefined && call.prev !== undefined && ret.prev !== undefined);
  call.prev.next = call.next;
  if (call.next !== undefined) call.next.prev = call.prev;
  ret.prev.next = ret.next;
  if (ret.next !== undefined) ret.next.prev = ret.prev;
}

function unlift(call: Node): void {
  const ret = call.match;
  assert.ok(ret !== undefined && call.prev !== undefined && ret.prev !== undefined);
  ret.prev.next = ret;
  if (ret.next !== undefined) ret.next.prev = ret;
  call.prev.next = call;
  if (call.next !== undefined) call.next.prev = call;
}

function signatureOf(bits: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bits.length; i += 15) {
    let word = 0;
    for (let j = i; j < Math.min(i + 15, bits.length); j++) word = word * 2 + bits[j];
    s += String.fromCharCode(word + 1);
  }
  return s;
}
