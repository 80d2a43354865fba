import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc16, keySlot } from './key-slot.js';

test('crc16 is CRC16-CCITT/XMODEM as Redis Cluster specifies (check value of "123456789")', () => {
  assert.equal(crc16('123456789'), 0x31c3);
});

test('key slots match Redis Cluster for known keys', () => {
  // Values from `CLUSTER KEYSLOT` on Redis 7.
  assert.equal(keySlot('foo'), 12182);
  assert.equal(keySlot('bar'), 5061);
  assert.equal(keySlot(''), 0);
});

test('a non-empty hash tag decides the slot; an empty one is ignored', () => {
  assert.equal(keySlot('{user1000}.following'), keySlot('user1000'));
  assert.equal(keySlot('{user1000}.followers'), keySlot('{user1000}.following'));
  assert.equal(keySlot('foo{}{bar}'), keySlot('foo{}{bar}'));
  assert.notEqual(keySlot('foo{}{bar}'), keySlot('bar'));
  assert.equal(keySlot('foo{{bar}}zap'), keySlot('{bar'));
});
