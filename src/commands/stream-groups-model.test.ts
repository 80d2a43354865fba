// Model-based property test of a stream with a consumer group: random XADD, XREADGROUP,
// XACK, XCLAIM, XDEL, XTRIM and XPENDING sequences through the real command path give the
// replies of a plain model (entries in a sorted array, pending entries in a Map).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NullArray, RespMap, SimpleString } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { CommandRunner } from './command-runner.js';
import { KeyspaceStateMachine } from './state-machine.js';

const NOW_MS = 1_700_000_000_000;

/** Replies as plain data: maps as [key, value] pairs, null arrays as null, simple strings as strings. */
function plain(value: RespValue): unknown {
  if (value instanceof RespMap) return value.entries.map(([k, v]) => [plain(k), plain(v)]);
  if (value instanceof NullArray) return null;
  if (value instanceof SimpleString) return value.value;
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

const idOf = (n: number): string => `${n}-0`;
const byId = (a: string, b: string): number => Number.parseInt(a) - Number.parseInt(b);

class GroupModel {
  readonly entries: Array<[string, string[]]> = [];
  lastDelivered = 0;
  readonly pending = new Map<string, { consumer: string; deliveries: number }>();

  add(n: number): unknown {
    this.entries.push([idOf(n), ['n', String(n)]]);
    return idOf(n);
  }

  read(consumer: string, count: number): unknown {
    const fresh = this.entries.filter(([id]) => Number.parseInt(id) > this.lastDelivered).slice(0, count);
    if (fresh.length === 0) return null;
    for (const [id] of fresh) {
      this.pending.set(id, { consumer, deliveries: 1 });
      this.lastDelivered = Number.parseInt(id);
    }
    return [['s', fresh]];
  }

  ack(ids: readonly string[]): unknown {
    let acknowledged = 0;
    for (const id of ids) if (this.pending.delete(id)) acknowledged++;
    return acknowledged;
  }

  claim(consumer: string, id: string): unknown {
    const entry = this.pending.get(id);
    if (entry === undefined) return [];
    if (!this.entries.some(([live]) => live === id)) {
      this.pending.delete(id);
      return [];
    }
    entry.consumer = consumer;
    return [id];
  }

  delete(id: string): unknown {
    const at = this.entries.findIndex(([live]) => live === id);
    if (at === -1) return 0;
    this.entries.splice(at, 1);
    return 1;
  }

  trim(maxLength: number): unknown {
    const removed = Math.max(0, this.entries.length - maxLength);
    this.entries.splice(0, removed);
    return removed;
  }

  summary(): unknown {
    if (this.pending.size === 0) return [0, null, null, null];
    const ids = [...this.pending.keys()].sort(byId);
    const perConsumer = new Map<string, number>();
    for (const { consumer } of this.pending.values()) perConsumer.set(consumer, (perConsumer.get(consumer) ?? 0) + 1);
    return [ids.length, ids[0], ids[ids.length - 1], [...perConsumer].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, n]) => [name, String(n)])];
  }

  extended(): unknown {
    return [...this.pending].sort(([a], [b]) => byId(a, b)).map(([id, { consumer, deliveries }]) => [id, consumer, 0, deliveries]);
  }
}

type Step =
  | { kind: 'add' } | { kind: 'read'; consumer: string; count: number } | { kind: 'ack'; picks: number[] }
  | { kind: 'claim'; consumer: string; pick: number } | { kind: 'del'; pick: number } | { kind: 'trim'; maxLength: number }
  | { kind: 'pending' };

test('a stream with a consumer group agrees with a plain model on random command sequences', () => {
  const consumer = fc.constantFrom('alice', 'bob', 'carol');
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 5, arbitrary: fc.constant({ kind: 'add' as const }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const), consumer, count: fc.integer({ min: 1, max: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('ack' as const), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('claim' as const), consumer, pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('del' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('trim' as const), maxLength: fc.integer({ min: 0, max: 30 }) }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'pending' as const }) },
  );
  fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 150 }), (steps) => {
    const runner = new CommandRunner(new KeyspaceStateMachine(), NOW_MS);
    const model = new GroupModel();
    assert.equal(plain(runner.run(['XGROUP', 'CREATE', 's', 'g', '0', 'MKSTREAM'])), 'OK');
    let added = 0;
    // Mostly IDs that are pending (where the interesting cases are), sometimes any ID.
    const anId = (pick: number): string => {
      const pending = [...model.pending.keys()];
      return pending.length > 0 && pick % 4 !== 0 ? pending[pick % pending.length] : idOf(1 + (pick % Math.max(1, added + 1)));
    };
    for (const s of steps) {
      let args: string[];
      let expected: unknown;
      switch (s.kind) {
        case 'add':
          added++;
          args = ['XADD', 's', idOf(added), 'n', String(added)];
          expected = model.add(added);
          break;
        case 'read':
          args = ['XREADGROUP', 'GROUP', 'g', s.consumer, 'COUNT', String(s.count), 'STREAMS', 's', '>'];
          expected = model.read(s.consumer, s.count);
          break;
        case 'ack': {
          const ids = s.picks.map(anId);
          args = ['XACK', 's', 'g', ...ids];
          expected = model.ack(ids);
          break;
        }
        case 'claim': {
          const id = anId(s.pick);
          args = ['XCLAIM', 's', 'g', s.consumer, '0', id, 'JUSTID'];
          expected = model.claim(s.consumer, id);
          break;
        }
        case 'del': {
          const id = anId(s.pick);
          args = ['XDEL', 's', id];
          expected = model.delete(id);
          break;
        }
        case 'trim':
          args = ['XTRIM', 's', 'MAXLEN', String(s.maxLength)];
          expected = model.trim(s.maxLength);
          break;
        case 'pending':
          assert.deepEqual(plain(runner.run(['XPENDING', 's', 'g', '-', '+', '1000'])), model.extended(), 'XPENDING extended');
          args = ['XPENDING', 's', 'g'];
          expected = model.summary();
          break;
      }
      assert.deepEqual(plain(runner.run(args)), expected, args.join(' '));
    }
    assert.equal(plain(runner.run(['XLEN', 's'])), model.entries.length);
  }), { numRuns: 200 });
});
