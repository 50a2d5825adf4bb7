import { GradstreamError } from '@gradstream/tensor';

/**
 * Runs `fn` and returns the GradstreamError it throws; anything else thrown is rethrown, and
 * throwing nothing fails the test. Shared by the packages' tests.
 */
export function catchGradstream(fn: () => unknown): GradstreamError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GradstreamError) return e;
    throw e;
  }
  throw new Error('expected a GradstreamError, but nothing was thrown');
}
