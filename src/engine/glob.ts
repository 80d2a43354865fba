// Redis's glob matcher (util.c stringmatchlen): `*`, `?`, `[abc]`, `[^a-z]`, `\` escapes.
// Matching is bounded: the recursion on `*` is replaced by backtracking to the last star, so a
// hostile pattern costs O(pattern × subject) and never blows the stack.

export function globMatch(pattern: string, subject: string, noCase = false): boolean {
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  const fold = (c: string): string => (noCase ? c.toLowerCase() : c);
  while (s < subject.length) {
    if (p < pattern.length) {
      const pc = pattern[p];
      if (pc === '*') {
        while (p < pattern.length && pattern[p] === '*') p++;
        if (p === pattern.length) return true;
        starP = p;
        starS = s;
        continue;
      }
      const step = matchOne(pattern, p, subject[s], fold);
      if (step > 0) {
        p += step;
        s++;
        continue;
      }
    }
    if (starP === -1) return false;
    p = starP;
    s = ++starS;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Length of the pattern element at `p` if it matches `c`, or 0 if it does not. */
function matchOne(pattern: string, p: number, c: string, fold: (c: string) => string): number {
  const pc = pattern[p];
  if (pc === '?') return 1;
  if (pc === '\\' && p + 1 < pattern.length) return fold(pattern[p + 1]) === fold(c) ? 2 : 0;
  if (pc !== '[') return fold(pc) === fold(c) ? 1 : 0;
  let i = p + 1;
  const negate = pattern[i] === '^';
  if (negate) i++;
  let matched = false;
  for (; i < pattern.length && pattern[i] !== ']'; i++) {
    if (pattern[i] === '\\' && i + 1 < pattern.length) {
      i++;
      if (fold(pattern[i]) === fold(c)) matched = true;
    } else if (i + 2 < pattern.length && pattern[i + 1] === '-' && pattern[i + 2] !== ']') {
      let lo = fold(pattern[i]);
      let hi = fold(pattern[i + 2]);
      if (lo > hi) [lo, hi] = [hi, lo];
      const fc = fold(c);
      if (fc >= lo && fc <= hi) matched = true;
      i += 2;
    } else if (fold(pattern[i]) === fold(c)) {
      matched = true;
    }
  }
  // An unterminated class matches like Redis: the `[` run extends to the end of the pattern.
  const end = i < pattern.length ? i + 1 : i;
  return matched !== negate ? end - p : 0;
}
