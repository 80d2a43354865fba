// A small deterministic generator for randomized comparisons, so a failing case can be replayed
// from its seed.

export function seededGenerator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}
