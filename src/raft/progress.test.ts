import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Inflights } from './inflights.js';
import { Progress } from './progress.js';

test('the in-flight window is bounded and freed by acknowledgements in order', () => {
  const w = new Inflights(3);
  w.add(5);
  w.add(7);
  w.add(9);
  assert.equal(w.full(), true);
  assert.throws(() => w.add(10));
  w.freeLE(7);
  assert.equal(w.size(), 1);
  w.add(11);
  w.add(12);
  w.freeFirstOne();
  assert.equal(w.size(), 2);
});

test('probe sends one append at a time; replicate pipelines up to the window', () => {
  const pr = new Progress(5, 2, false);
  assert.equal(pr.isPaused(), false);
  pr.probeSent = true;
  assert.equal(pr.isPaused(), true);
  pr.maybeUpdate(4);
  pr.becomeReplicate();
  assert.equal(pr.next, 5);
  pr.optimisticUpdate(6);
  pr.inflights.add(6);
  pr.optimisticUpdate(8);
  pr.inflights.add(8);
  assert.equal(pr.isPaused(), true);
  pr.maybeUpdate(6);
  pr.inflights.freeLE(6);
  assert.equal(pr.isPaused(), false);
});

test('a rejection moves next back to the hint; stale rejections are ignored', () => {
  const pr = new Progress(10, 4, false);
  assert.equal(pr.maybeDecrTo(5, 3), false, 'not the append we probed');
  assert.equal(pr.maybeDecrTo(9, 3), true);
  assert.equal(pr.next, 4);
  pr.maybeUpdate(6);
  pr.becomeReplicate();
  assert.equal(pr.maybeDecrTo(5, 0), false, 'already matched beyond it');
});

test('after a snapshot lands, probing resumes past it', () => {
  const pr = new Progress(3, 4, false);
  pr.becomeSnapshot(20);
  assert.equal(pr.isPaused(), true);
  pr.becomeProbe();
  assert.equal(pr.next, 21);
});
