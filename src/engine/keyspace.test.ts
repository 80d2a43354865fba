import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyspace } from './keyspace.js';
import { SLOT_COUNT } from './key-slot.js';
import { decodeKeyspace, encodeKeyspace } from './keyspace-snapshot.js';

function scanAll(keyspace: Keyspace, count: number, between?: (round: number) => void): string[] {
  const seen: string[] = [];
  let cursor = 0;
  for (let round = 0; round < SLOT_COUNT + 1; round++) {
    cursor = keyspace.scan(cursor, count, (key) => seen.push(key));
    between?.(round);
    if (cursor === 0) return seen;
  }
  assert.fail('scan did not terminate');
}

test('scan returns every key exactly once when nothing changes', () => {
  const keyspace = new Keyspace();
  for (let i = 0; i < 5000; i++) keyspace.set(`key:${i}`, 'v');
  const seen = scanAll(keyspace, 10);
  assert.equal(seen.length, 5000);
  assert.equal(new Set(seen).size, 5000);
});

test('scan returns every key present for the whole iteration despite concurrent inserts and deletes', () => {
  const keyspace = new Keyspace();
  for (let i = 0; i < 2000; i++) keyspace.set(`stable:${i}`, 'v');
  for (let i = 0; i < 2000; i++) keyspace.set(`churn:${i}`, 'v');
  let next = 0;
  const seen = new Set(scanAll(keyspace, 7, () => {
    keyspace.delete(`churn:${next}`);
    keyspace.set(`new:${next++}`, 'v');
  }));
  for (let i = 0; i < 2000; i++) assert.ok(seen.has(`stable:${i}`), `stable:${i} missing`);
});

test('expired keys are invisible to readers but only removed by writers', () => {
  const keyspace = new Keyspace();
  keyspace.set('k', 'v');
  keyspace.setExpireAt('k', 1000);
  assert.equal(keyspace.get('k', 999), 'v');
  assert.equal(keyspace.get('k', 1000), undefined);
  assert.equal(keyspace.size, 1);
  assert.equal(keyspace.getForWrite('k', 1000), undefined);
  assert.equal(keyspace.size, 0);
});

test('set clears the TTL unless asked to keep it', () => {
  const keyspace = new Keyspace();
  keyspace.set('k', 'v');
  keyspace.setExpireAt('k', 5000);
  keyspace.set('k', 'w', true);
  assert.equal(keyspace.expireAt('k'), 5000);
  keyspace.set('k', 'x');
  assert.equal(keyspace.expireAt('k'), undefined);
});

test('randomKey draws every key with a uniform pick', () => {
  const keyspace = new Keyspace();
  for (let i = 0; i < 50; i++) keyspace.set(`k${i}`, 'v');
  const drawn = new Set<string>();
  for (let i = 0; i < 50; i++) drawn.add(keyspace.randomKey(() => (i + 0.5) / 50) as string);
  assert.equal(drawn.size, 50);
});

test('a keyspace snapshot round-trips keys, binary values and expiry times', () => {
  const keyspace = new Keyspace();
  keyspace.set('plain', 'value');
  keyspace.set('bin\0\r\n\xff', '\x00\x01\xfe\xff');
  keyspace.set('ttl', 'x');
  keyspace.setExpireAt('ttl', 1_700_000_000_123);
  for (let i = 0; i < 20000; i++) keyspace.set(`bulk:${i}`, 'y'.repeat(i % 100));
  const chunks = encodeKeyspace(keyspace);
  assert.ok(chunks.length > 1, 'large keyspaces are chunked');
  const restored = decodeKeyspace(Buffer.concat(chunks));
  assert.deepEqual([...restored.entries()].sort(), [...keyspace.entries()].sort());
});
