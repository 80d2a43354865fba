// The sequential specification of one key: a register with read, write and compare-and-set.

import type { Operation } from './history.js';

export type RegisterState = string | null;

/** The state after `op` if `op` can take effect in `state` with the outcome observed, else undefined. */
export function stepRegister(state: RegisterState, op: Operation): { readonly state: RegisterState } | undefined {
  const { input, outcome } = op;
  switch (input.kind) {
    case 'write':
      return { state: input.value };
    case 'read':
      if (outcome.status === 'unknown') return { state };
      return outcome.value === state ? { state } : undefined;
    case 'cas': {
      const matches = state === input.expect;
      if (outcome.status === 'unknown') return { state: matches ? input.value : state };
      if (outcome.succeeded === true) return matches ? { state: input.value } : undefined;
      return matches ? undefined : { state };
    }
  }
}
