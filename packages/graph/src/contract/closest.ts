/**
 * The candidate a misspelt `word` most likely meant, or `undefined` when none is close: at most
 * one edit per full three characters of the word (so none for a word of one or two, where any
 * edit makes another word) and never more than two, where an edit inserts,
 * deletes or replaces a character or swaps two neighbours, case ignored. Ties go to the first
 * candidate, so the answer is stable for a sorted list.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance && c !== word) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)`, or nothing when no candidate is close to `word`. */
export function didYouMean(word: unknown, candidates: readonly unknown[]): string {
  if (typeof word !== 'string') return '';
  const match = closest(word, candidates.filter((c): c is string => typeof c === 'string'));
  return match === undefined ? '' : ` (did you mean ${JSON.stringify(match)}?)`;
}

/** Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters. */
function editDistance(a: string, b: string): number {
  // Three rows of the dynamic-programming table are enough: the swap looks two rows back.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, (before[j - 2] as number) + 1);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length] as number;
}
