import { tsBackend, type Kernels } from '@gradstream/tensor';

/**
 * The kernels that return a number at once. A GPU answers asynchronously, so on this backend they
 * read the arrays' host copies: what the last `read` of the backend brought back. The training
 * loop reads what it needs first; a caller of its own does the same (`await backend.read([x])`).
 */
export const READING_ON_HOST: Pick<Kernels, 'sumSquares' | 'firstNonFinite' | 'sumSquaredDiff' | 'sumAbsDiff' | 'countArgmaxMatches'> = {
  sumSquares: tsBackend.sumSquares,
  firstNonFinite: tsBackend.firstNonFinite,
  sumSquaredDiff: tsBackend.sumSquaredDiff,
  sumAbsDiff: tsBackend.sumAbsDiff,
  countArgmaxMatches: tsBackend.countArgmaxMatches,
};
