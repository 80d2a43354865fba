// A client history of key/value operations, as the workload records it and the checker reads it.

/** A register operation on one key. Values are strings; null is "no value". */
export type OperationInput =
  | { readonly kind: 'read' }
  | { readonly kind: 'write'; readonly value: string }
  | { readonly kind: 'cas'; readonly expect: string | null; readonly value: string };

/**
 * How an operation ended: ok with its output (a read's value, a cas's success), or unknown
 * (timed out, or the node crashed: it may or may not have taken effect). Operations that
 * definitely failed are left out of the history: they had no effect.
 */
export type Outcome =
  | { readonly status: 'ok'; readonly value?: string | null; readonly succeeded?: boolean }
  | { readonly status: 'unknown' };

export interface Operation {
  readonly id: number;
  readonly client: number;
  readonly key: string;
  readonly input: OperationInput;
  readonly outcome: Outcome;
  /** Invocation and completion times; completion is Infinity for an unknown outcome. */
  readonly callTime: number;
  readonly returnTime: number;
}
