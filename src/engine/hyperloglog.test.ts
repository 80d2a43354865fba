import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DENSE_BYTES, HLL_REGISTERS, decodeHll, emptyHll, encodeHll, estimateCardinality, patchDense, raiseRegister, registerOf } from './hyperloglog.js';
import type { Hll } from './hyperloglog.js';

/** Registers as PFADD leaves them: mostly zero, runs of small values, now and then a large one. */
const registerSets = fc.array(fc.tuple(fc.nat(HLL_REGISTERS - 1), fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 51 }))), { maxLength: 3000 })
  .map((writes) => {
    const hll = emptyHll();
    for (const [index, run] of writes) raiseRegister(hll, index, run);
    return hll;
  });

function decoded(value: string): Hll {
  const hll = decodeHll(value);
  assert.ok(typeof hll !== 'string', `a valid HyperLogLog (${String(hll)})`);
  return hll;
}

test('every register set survives encoding, sparse while it fits in 3000 bytes and values up to 32, dense after that for good', () => {
  fc.assert(fc.property(registerSets, (hll) => {
    const value = encodeHll(hll);
    const back = decoded(value);
    assert.deepEqual(back.registers, hll.registers);
    const fitsSparse = hll.registers.every((run) => run <= 32);
    if (!fitsSparse) assert.equal(value.length, DENSE_BYTES);
    if (value.length !== DENSE_BYTES) assert.ok(value.length <= 3000 && !back.dense);
    if (back.dense) {
      back.registers.fill(0);
      assert.equal(encodeHll(back).length, DENSE_BYTES, 'once dense, dense even where it would fit sparse again (as in Redis)');
    }
  }), { numRuns: 150 });
});

test('patching a dense value register by register gives the bytes a full encoding gives', () => {
  fc.assert(fc.property(registerSets, fc.array(fc.tuple(fc.nat(HLL_REGISTERS - 1), fc.integer({ min: 1, max: 51 })), { maxLength: 50 }), (hll, raises) => {
    hll.dense = true;
    const before = encodeHll(hll);
    const changed = raises.filter(([index, run]) => raiseRegister(hll, index, run)).map(([index]) => index);
    const bytes = Buffer.from(before, 'latin1');
    patchDense(bytes, hll.registers, changed);
    assert.equal(bytes.toString('latin1'), encodeHll(hll));
  }), { numRuns: 100 });
});

test('a sparse value whose runs do not cover exactly 16384 registers is corrupt; a wrong header is no HyperLogLog', () => {
  const empty = encodeHll(emptyHll());
  assert.equal(decodeHll(empty.slice(0, -1)), 'corrupt', 'an XZERO cut in half');
  assert.equal(decodeHll(`${empty}\u0000`), 'corrupt', 'one register too many');
  assert.equal(decodeHll(empty.slice(0, 16)), 'corrupt', 'no registers at all');
  assert.equal(decodeHll(`HYLX${empty.slice(4)}`), 'not-hll');
  assert.equal(decodeHll(`${empty.slice(0, 4)}\u0002${empty.slice(5)}`), 'not-hll', 'an unknown encoding');
  assert.equal(decodeHll('HYLL'), 'not-hll', 'shorter than the header');
  const dense = encodeHll({ registers: new Uint8Array(HLL_REGISTERS).fill(40), dense: true });
  assert.equal(decodeHll(dense.slice(0, -1)), 'not-hll', 'a dense value of the wrong length');
});

test('the estimate stays within 2% from a hundred to a million distinct elements', () => {
  const hll = emptyHll();
  let added = 0;
  for (const size of [100, 1_000, 10_000, 100_000, 1_000_000]) {
    for (; added < size; added++) {
      const { index, run } = registerOf(`element-${added}`);
      raiseRegister(hll, index, run);
    }
    const estimate = estimateCardinality(hll.registers);
    assert.ok(Math.abs(estimate - size) / size < 0.02, `${estimate} for ${size}`);
  }
  assert.equal(estimateCardinality(new Uint8Array(HLL_REGISTERS)), 0);
});
