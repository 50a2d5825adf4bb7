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

/** Expects `fn` to throw a GradstreamError with `code` whose message contains every one of `words`. */
export function expectGradstreamError(fn: () => unknown, code: string, ...words: string[]): GradstreamError {
  const e = catchGradstream(fn);
  if (e.code !== code) throw new Error(`expected code ${code}, got ${e.code}: ${e.message}`);
  for (const w of words) {
    if (!e.message.includes(w)) throw new Error(`expected the message to contain ${JSON.stringify(w)}, got: ${e.message}`);
  }
  return e;
}
