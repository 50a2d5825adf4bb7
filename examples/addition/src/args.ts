import { parseArgs } from 'node:util';
import { GradstreamError } from '@gradstream/tensor';

/** What the command line asks for. */
export interface AdditionArgs {
  /** A small run for CI: the test's 2-digit sums (unless `--epochs` says otherwise for the epochs). */
  readonly quick: boolean;
  /** Epochs, when given. */
  readonly epochs?: number;
}

/**
 * Reads `--epochs N` and `--quick`; anything else is an `INVALID_OPTION` error. A leading `--` is
 * skipped: `pnpm start -- --quick` passes it on.
 */
export function parseAdditionArgs(argv: readonly string[]): AdditionArgs {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({ args, options: { epochs: { type: 'string' }, quick: { type: 'boolean', default: false } }, strict: true }));
  } catch (e) {
    throw new GradstreamError('INVALID_OPTION', `addition: ${(e as Error).message}; usage: [--epochs N] [--quick]`, { argv: [...argv] });
  }
  const { epochs, quick } = values;
  if (epochs === undefined) return { quick };
  const n = Number(epochs);
  if (!Number.isInteger(n) || n < 1) {
    throw new GradstreamError('INVALID_OPTION', `addition: --epochs must be a positive integer, got "${epochs}"`, { epochs });
  }
  return { quick, epochs: n };
}
