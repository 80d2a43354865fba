// Model-based property tests of hashes, lists, sets and sorted sets: random command sequences
// through the real command path give the same replies as obviously-correct models.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorReply, RespDouble, RespMap, RespPairs, RespSet, SimpleString } from '../protocol/values.js';
import type { RespValue } from '../protocol/values.js';
import { CommandRunner } from './command-runner.js';
import { KeyspaceStateMachine } from './state-machine.js';

const NOW_MS = 1_700_000_000_000;
const WRONGTYPE = new ErrorReply('WRONGTYPE Operation against a key holding the wrong kind of value');


/** Order-insensitive comparison for replies whose order Redis leaves unspecified (sets). */
function normalise(value: RespValue): unknown {
  if (value instanceof RespSet) return { set: [...value.items].map(String).sort() };
  if (value instanceof RespMap) return { map: value.entries.map(([k, v]) => [normalise(k), normalise(v)]) };
  if (value instanceof RespDouble) return { double: value.value };
  if (value instanceof RespPairs) return { pairs: value.pairs.map(([a, b]) => [normalise(a), normalise(b)]) };
  if (Array.isArray(value)) return value.map(normalise);
  return value;
}

/** A model that remembers each key's type explicitly. */
class CollectionModel {
  private readonly data = new Map<string, { type: 'hash' | 'list' | 'set' | 'zset'; value: Map<string, string> | string[] | Set<string> | Map<string, number> }>();

  private get<T>(key: string, type: 'hash' | 'list' | 'set' | 'zset'): T | undefined | ErrorReply {
    const entry = this.data.get(key);
    if (entry === undefined) return undefined;
    return entry.type === type ? (entry.value as T) : WRONGTYPE;
  }

  private cleanup(key: string): void {
    const entry = this.data.get(key);
    if (entry === undefined) return;
    const size = Array.isArray(entry.value) ? entry.value.length : entry.value.size;
    if (size === 0) this.data.delete(key);
  }

  run(args: readonly string[]): RespValue {
    const [name, key] = [args[0].toLowerCase(), args[1]];
    switch (name) {
      case 'hset': {
        const hash = this.get<Map<string, string>>(key, 'hash');
        if (hash instanceof ErrorReply) return hash;
        const target = hash ?? new Map<string, string>();
        let added = 0;
        for (let i = 2; i < args.length; i += 2) {
          if (!target.has(args[i])) added++;
          target.set(args[i], args[i + 1]);
        }
        this.data.set(key, { type: 'hash', value: target });
        return added;
      }
      case 'hdel': {
        const hash = this.get<Map<string, string>>(key, 'hash');
        if (hash === undefined || hash instanceof ErrorReply) return hash ?? 0;
        const removed = args.slice(2).filter((field) => hash.delete(field)).length;
        this.cleanup(key);
        return removed;
      }
      case 'hget': {
        const hash = this.get<Map<string, string>>(key, 'hash');
        return hash instanceof ErrorReply ? hash : (hash?.get(args[2]) ?? null);
      }
      case 'hgetall': {
        const hash = this.get<Map<string, string>>(key, 'hash');
        return hash instanceof ErrorReply ? hash : new RespMap([...(hash ?? [])]);
      }
      case 'rpush':
      case 'lpush': {
        const list = this.get<string[]>(key, 'list');
        if (list instanceof ErrorReply) return list;
        const target = list ?? [];
        for (const item of args.slice(2)) if (name === 'rpush') target.push(item); else target.unshift(item);
        this.data.set(key, { type: 'list', value: target });
        return target.length;
      }
      case 'lpop':
      case 'rpop': {
        const list = this.get<string[]>(key, 'list');
        if (list === undefined || list instanceof ErrorReply) return list ?? null;
        const item = name === 'lpop' ? list.shift() : list.pop();
        this.cleanup(key);
        return item ?? null;
      }
      case 'lrange': {
        const list = this.get<string[]>(key, 'list');
        if (list instanceof ErrorReply) return list;
        const items = list ?? [];
        let start = Number(args[2]);
        let end = Number(args[3]);
        if (start < 0) start = Math.max(0, items.length + start);
        if (end < 0) end = items.length + end;
        return end < start ? [] : items.slice(start, end + 1);
      }
      case 'sadd': {
        const set = this.get<Set<string>>(key, 'set');
        if (set instanceof ErrorReply) return set;
        const target = set ?? new Set<string>();
        const before = target.size;
        for (const member of args.slice(2)) target.add(member);
        this.data.set(key, { type: 'set', value: target });
        return target.size - before;
      }
      case 'srem': {
        const set = this.get<Set<string>>(key, 'set');
        if (set === undefined || set instanceof ErrorReply) return set ?? 0;
        const removed = args.slice(2).filter((member) => set.delete(member)).length;
        this.cleanup(key);
        return removed;
      }
      case 'smembers': {
        const set = this.get<Set<string>>(key, 'set');
        return set instanceof ErrorReply ? set : new RespSet([...(set ?? [])]);
      }
      case 'zadd': {
        const zset = this.get<Map<string, number>>(key, 'zset');
        if (zset instanceof ErrorReply) return zset;
        const target = zset ?? new Map<string, number>();
        let added = 0;
        for (let i = 2; i < args.length; i += 2) {
          if (!target.has(args[i + 1])) added++;
          target.set(args[i + 1], Number(args[i]));
        }
        this.data.set(key, { type: 'zset', value: target });
        return added;
      }
      case 'zrem': {
        const zset = this.get<Map<string, number>>(key, 'zset');
        if (zset === undefined || zset instanceof ErrorReply) return zset ?? 0;
        const removed = args.slice(2).filter((member) => zset.delete(member)).length;
        this.cleanup(key);
        return removed;
      }
      case 'zrange': {
        const zset = this.get<Map<string, number>>(key, 'zset');
        if (zset instanceof ErrorReply) return zset;
        const sorted = [...(zset ?? [])].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
        return new RespPairs(sorted.map(([member, score]) => [member, new RespDouble(score)]));
      }
      case 'zrank': {
        const zset = this.get<Map<string, number>>(key, 'zset');
        if (zset instanceof ErrorReply) return zset;
        const sorted = [...(zset ?? [])].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
        const rank = sorted.findIndex(([member]) => member === args[2]);
        return rank === -1 ? null : rank;
      }
      case 'type': {
        const entry = this.data.get(key);
        return new SimpleString(entry?.type ?? 'none');
      }
      default:
        throw new Error(`model lacks ${name}`);
    }
  }
}

const keyArb = fc.constantFrom('k1', 'k2', 'k3');
const elementArb = fc.constantFrom('a', 'b', 'c', 'd', '');
const commandArb: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(keyArb, elementArb, elementArb).map(([k, f, v]) => ['HSET', k, f, v]),
  fc.tuple(keyArb, elementArb).map(([k, f]) => ['HDEL', k, f]),
  fc.tuple(keyArb, elementArb).map(([k, f]) => ['HGET', k, f]),
  fc.tuple(keyArb).map(([k]) => ['HGETALL', k]),
  fc.tuple(fc.constantFrom('RPUSH', 'LPUSH'), keyArb, elementArb, elementArb).map(([c, k, a, b]): string[] => [c, k, a, b]),
  fc.tuple(fc.constantFrom('LPOP', 'RPOP'), keyArb).map(([c, k]): string[] => [c, k]),
  fc.tuple(keyArb, fc.integer({ min: -4, max: 4 }), fc.integer({ min: -4, max: 4 })).map(([k, s, e]) => ['LRANGE', k, String(s), String(e)]),
  fc.tuple(keyArb, elementArb, elementArb).map(([k, a, b]) => ['SADD', k, a, b]),
  fc.tuple(keyArb, elementArb).map(([k, a]) => ['SREM', k, a]),
  fc.tuple(keyArb).map(([k]) => ['SMEMBERS', k]),
  fc.tuple(keyArb, fc.integer({ min: -3, max: 3 }), elementArb).map(([k, s, m]) => ['ZADD', k, String(s), m]),
  fc.tuple(keyArb, elementArb).map(([k, m]) => ['ZREM', k, m]),
  fc.tuple(keyArb).map(([k]) => ['ZRANGE', k, '0', '-1', 'WITHSCORES']),
  fc.tuple(keyArb, elementArb).map(([k, m]) => ['ZRANK', k, m]),
  fc.tuple(keyArb).map(([k]) => ['TYPE', k]),
);

test('hashes, lists, sets and sorted sets agree with naive models on random command sequences', () => {
  fc.assert(fc.property(fc.array(commandArb, { maxLength: 80 }), (commands) => {
    const runner = new CommandRunner(new KeyspaceStateMachine(), NOW_MS);
    const model = new CollectionModel();
    for (const args of commands) {
      assert.deepEqual(normalise(runner.run(args)), normalise(model.run(args)), `reply to ${JSON.stringify(args)}`);
    }
  }), { numRuns: 500 });
});

