// Shrinks a key's operations that are not linearizable to a small subset that still is not,
// so a failure report shows the few operations that contradict each other, not hundreds.

import { checkKey } from '../../sim/check/linearizability.js';
import type { Operation } from '../../sim/check/history.js';

const STEPS_PER_CHECK = 1_000_000;

/**
 * Greedy: drops one operation at a time while the rest still fails the check. A write stays
 * while a read returns its value (without it the read would fail for a trivial reason).
 */
export function shrinkViolation(operations: readonly Operation[], maxPasses = 3): Operation[] {
  let kept = [...operations];
  if (checkKey(kept, STEPS_PER_CHECK) !== false) return kept;
  for (let pass = 0; pass < maxPasses; pass++) {
    const before = kept.length;
    for (let i = kept.length - 1; i >= 0; i--) {
      const candidate = kept.filter((_, j) => j !== i);
      const written = new Set(candidate.flatMap((op) => (op.input.kind === 'read' ? [] : [op.input.value])));
      const orphanRead = candidate.some((op) => op.input.kind === 'read' && op.outcome.status === 'ok' && op.outcome.value !== null && op.outcome.value !== undefined && !written.has(op.outcome.value));
      if (!orphanRead && checkKey(candidate, STEPS_PER_CHECK) === false) kept = candidate;
    }
    if (kept.length === before) break;
  }
  return kept.sort((a, b) => a.callTime - b.callTime);
}
