// Float arguments: the integer fast path reads exactly what the general path (and strtod) reads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFloatArg } from './arguments.js';

test('plain integers of up to 15 digits parse as their exact value, -0 included', () => {
  const integerText = fc.tuple(fc.constantFrom('', '-'), fc.stringMatching(/^[0-9]{1,15}$/)).map(([sign, digits]) => sign + digits);
  fc.assert(fc.property(integerText, (text) => Object.is(parseFloatArg(text), Number(text))), { numRuns: 2000 });
  assert.ok(Object.is(parseFloatArg('-0'), -0));
});

test('what the integer path leaves alone still parses or fails as before', () => {
  assert.equal(parseFloatArg('1234567890123456'), 1234567890123456, '16 digits');
  assert.equal(parseFloatArg('+5'), 5);
  assert.equal(parseFloatArg('1.5e3'), 1500);
  assert.equal(parseFloatArg('-inf'), -Infinity);
  assert.equal(parseFloatArg('0x10'), 16);
  for (const bad of ['', '-', '--1', '1-', ' 1', '1 ', '12a', 'nan']) assert.equal(parseFloatArg(bad), undefined, JSON.stringify(bad));
});
