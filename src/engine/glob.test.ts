import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch } from './glob.js';

test('glob: * ? and literal characters', () => {
  assert.ok(globMatch('h?llo', 'hello'));
  assert.ok(globMatch('h*llo', 'heeeello'));
  assert.ok(globMatch('h*llo', 'hllo'));
  assert.ok(!globMatch('h?llo', 'hllo'));
  assert.ok(globMatch('*', ''));
  assert.ok(!globMatch('a', ''));
  assert.ok(globMatch('a*b*c', 'axxbyyc'));
  assert.ok(!globMatch('a*b*c', 'axxbyy'));
});

test('glob: character classes, negation, ranges and escapes', () => {
  assert.ok(globMatch('h[ae]llo', 'hello'));
  assert.ok(!globMatch('h[ae]llo', 'hillo'));
  assert.ok(globMatch('h[^e]llo', 'hallo'));
  assert.ok(!globMatch('h[^e]llo', 'hello'));
  assert.ok(globMatch('h[a-b]llo', 'hbllo'));
  assert.ok(globMatch('h[b-a]llo', 'hallo'));
  assert.ok(globMatch('h\\*llo', 'h*llo'));
  assert.ok(!globMatch('h\\*llo', 'hello'));
});

test('glob: case folding only when asked', () => {
  assert.ok(!globMatch('HELLO', 'hello'));
  assert.ok(globMatch('HEL*', 'hello', true));
});

test('glob: a pathological pattern finishes quickly (no exponential backtracking)', () => {
  const subject = 'a'.repeat(5000);
  assert.ok(!globMatch('*a*a*a*a*a*a*a*a*a*b', subject));
});
