import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c, crc32cRange } from './crc32c.js';

test('crc32c matches the standard check values', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
});

test('crc32c can be computed in pieces', () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog, twice over.');
  for (let split = 0; split <= data.length; split++) {
    assert.equal(crc32c(data.subarray(split), crc32c(data.subarray(0, split))), crc32c(data));
  }
});

test('crc32cRange of a range equals crc32c of that slice', () => {
  const data = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
  for (let start = 0; start <= data.length; start += 3) {
    for (let end = start; end <= data.length; end += 5) {
      assert.equal(crc32cRange(data, start, end, 0x1234), crc32c(data.subarray(start, end), 0x1234));
    }
  }
});
