// Model-based property test: random sequences of string and key commands give the same
// replies from the real command path (check → apply, or execute) as from a deliberately
// naive model of Redis semantics written independently here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorReply, SimpleString } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { commandTable } from './command-table.js';
import { CommandRunner } from './command-runner.js';
import { KeyspaceStateMachine } from './state-machine.js';

const NOW_MS = 1_700_000_000_000;

interface ModelEntry { value: string; expireAtMs?: number }

/** The naive model: a Map and direct, obviously-correct implementations. */
class Model {
  private readonly data = new Map<string, ModelEntry>();

  private live(key: string): ModelEntry | undefined {
    const entry = this.data.get(key);
    if (entry?.expireAtMs !== undefined && entry.expireAtMs <= NOW_MS) {
      this.data.delete(key);
      return undefined;
    }
    return entry;
  }

  run(args: readonly string[]): RespValue {
    const [name, key, arg] = [args[0].toLowerCase(), args[1], args[2]];
    switch (name) {
      case 'get': return this.live(key)?.value ?? null;
      case 'set': {
        const nx = args.includes('NX');
        const xx = args.includes('XX');
        const get = args.includes('GET');
        const old = this.live(key)?.value ?? null;
        if ((nx && old !== null) || (xx && old === null)) return get ? old : null;
        this.data.set(key, { value: arg });
        return get ? old : new SimpleString('OK');
      }
      case 'setnx': return this.live(key) ? 0 : (this.data.set(key, { value: arg }), 1);
      case 'del': return args.slice(1).filter((k) => this.live(k) && this.data.delete(k)).length;
      case 'exists': return args.slice(1).filter((k) => this.live(k) !== undefined).length;
      case 'incrby': case 'incr': case 'decr': {
        const delta = name === 'incr' ? 1 : name === 'decr' ? -1 : Number(arg);
        const current = this.live(key)?.value ?? '0';
        if (!/^(0|-?[1-9]\d{0,14})$/.test(current)) return new ErrorReply('ERR value is not an integer or out of range');
        const next = Number(current) + delta;
        const entry = this.live(key);
        this.data.set(key, { value: String(next), expireAtMs: entry?.expireAtMs });
        return next;
      }
      case 'append': {
        const entry = this.live(key);
        const value = (entry?.value ?? '') + arg;
        this.data.set(key, { value, expireAtMs: entry?.expireAtMs });
        return value.length;
      }
      case 'strlen': return this.live(key)?.value.length ?? 0;
      case 'getdel': {
        const value = this.live(key)?.value ?? null;
        this.data.delete(key);
        return value;
      }
      case 'getset': {
        const value = this.live(key)?.value ?? null;
        this.data.set(key, { value: arg });
        return value;
      }
      case 'mset': {
        for (let i = 1; i < args.length; i += 2) this.data.set(args[i], { value: args[i + 1] });
        return new SimpleString('OK');
      }
      case 'mget': return args.slice(1).map((k) => this.live(k)?.value ?? null);
      case 'rename': case 'renamenx': {
        const entry = this.live(key);
        if (entry === undefined) return new ErrorReply('ERR no such key');
        if (key === arg) return name === 'rename' ? new SimpleString('OK') : 0;
        if (name === 'renamenx' && this.live(arg)) return 0;
        this.data.delete(key);
        this.data.set(arg, entry);
        return name === 'rename' ? new SimpleString('OK') : 1;
      }
      case 'expire': {
        const entry = this.live(key);
        if (entry === undefined) return 0;
        const atMs = NOW_MS + Number(arg) * 1000;
        if (atMs <= NOW_MS) this.data.delete(key);
        else entry.expireAtMs = atMs;
        return 1;
      }
      case 'persist': {
        const entry = this.live(key);
        if (entry?.expireAtMs === undefined) return 0;
        delete entry.expireAtMs;
        return 1;
      }
      case 'ttl': {
        const entry = this.live(key);
        if (entry === undefined) return -2;
        return entry.expireAtMs === undefined ? -1 : Math.floor((entry.expireAtMs - NOW_MS + 500) / 1000);
      }
      case 'type': return new SimpleString(this.live(key) ? 'string' : 'none');
      case 'getrange': {
        const value = this.live(key)?.value ?? '';
        const length = value.length;
        let start = Number(arg);
        let end = Number(args[3]);
        if (start < 0 && end < 0 && start > end) return '';
        if (start < 0) start = Math.max(0, length + start);
        if (end < 0) end = Math.max(0, length + end);
        end = Math.min(end, length - 1);
        return start > end || length === 0 ? '' : value.slice(start, end + 1);
      }
      case 'dbsize': return [...this.data.keys()].filter((k) => this.live(k)).length;
      default: throw new Error(`model lacks ${name}`);
    }
  }
}


const keyArb = fc.constantFrom('a', 'b', 'c', '{t}x', 'bin\0\xff');
const valueArb = fc.oneof(fc.constantFrom('0', '1', '-7', '12', 'abc', '', '007'), fc.string({ maxLength: 6 }), fc.integer({ min: -1000, max: 1000 }).map(String));
const commandArb: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(keyArb).map(([k]) => ['GET', k]),
  fc.tuple(keyArb, valueArb, fc.subarray(['NX', 'XX', 'GET'], { maxLength: 2 })).map(([k, v, flags]) => ['SET', k, v, ...flags.filter((f, _i, all) => !(f === 'XX' && all.includes('NX')))]),
  fc.tuple(keyArb, valueArb).map(([k, v]) => ['SETNX', k, v]),
  fc.tuple(keyArb, keyArb).map(([k, j]) => ['DEL', k, j]),
  fc.tuple(keyArb, keyArb).map(([k, j]) => ['EXISTS', k, j, k]),
  fc.tuple(keyArb).map(([k]) => ['INCR', k]),
  fc.tuple(keyArb).map(([k]) => ['DECR', k]),
  fc.tuple(keyArb, fc.integer({ min: -100, max: 100 })).map(([k, n]) => ['INCRBY', k, String(n)]),
  fc.tuple(keyArb, valueArb).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(keyArb).map(([k]) => ['STRLEN', k]),
  fc.tuple(keyArb).map(([k]) => ['GETDEL', k]),
  fc.tuple(keyArb, valueArb).map(([k, v]) => ['GETSET', k, v]),
  fc.tuple(keyArb, valueArb, keyArb, valueArb).map(([k, v, j, w]) => ['MSET', k, v, j, w]),
  fc.tuple(keyArb, keyArb).map(([k, j]) => ['MGET', k, j, 'missing']),
  fc.tuple(fc.constantFrom('RENAME', 'RENAMENX'), keyArb, keyArb).map(([c, k, j]): string[] => [c, k, j]),
  fc.tuple(keyArb, fc.integer({ min: -5, max: 100 })).map(([k, s]) => ['EXPIRE', k, String(s)]),
  fc.tuple(keyArb).map(([k]) => ['PERSIST', k]),
  fc.tuple(keyArb).map(([k]) => ['TTL', k]),
  fc.tuple(keyArb).map(([k]) => ['TYPE', k]),
  fc.tuple(keyArb, fc.integer({ min: -8, max: 8 }), fc.integer({ min: -8, max: 8 })).map(([k, s, e]) => ['GETRANGE', k, String(s), String(e)]),
  fc.constant(['DBSIZE']).map((c) => [...c]),
);

test('string and key commands agree with a naive model on random command sequences', () => {
  fc.assert(
    fc.property(fc.array(commandArb, { maxLength: 60 }), (commands) => {
      const runner = new CommandRunner(new KeyspaceStateMachine(), NOW_MS);
      const model = new Model();
      for (const args of commands) {
        assert.deepEqual(runner.run(args), model.run(args), `reply to ${JSON.stringify(args)}`);
      }
    }),
    { numRuns: 400 },
  );
});

test('replaying the same log on a fresh state machine reaches an identical keyspace', () => {
  fc.assert(
    fc.property(fc.array(commandArb, { maxLength: 60 }), (commands) => {
      const first = new KeyspaceStateMachine();
      const runner = new CommandRunner(first, NOW_MS);
      const log: Array<readonly string[]> = [];
      for (const args of commands) {
        const spec = commandTable.lookup(args[0]);
        if (spec?.kind === 'write' && spec.check?.(args) === undefined) log.push(args);
        runner.run(args);
      }
      const second = new KeyspaceStateMachine();
      log.forEach((args, i) => second.apply(i + 1, { kind: 'command', stampMs: NOW_MS, args }));
      assert.deepEqual([...second.keyspace.entries()].sort(), [...first.keyspace.entries()].sort());
    }),
    { numRuns: 200 },
  );
});
