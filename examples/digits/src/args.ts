import { parseArgs } from 'node:util';
import { GradstreamError } from '@gradstream/tensor';

/** What the command line asks for. */
export interface DigitsArgs {
  /** A small run for CI: 2000 training digits, 2 epochs (unless `--epochs` says otherwise). */
  readonly quick: boolean;
  /** Epochs, when given. */
  readonly epochs?: number;
  /** Time every node and print where the time went. */
  readonly profile: boolean;
}

/**
 * Reads `--epochs N`, `--quick` and `--profile`; anything else is an `INVALID_OPTION` error, whose
 * message starts with `name` (the example's). A leading `--` is skipped: `pnpm start -- --quick`
 * passes it on.
 */
export function parseDigitsArgs(argv: readonly string[], name = 'digits'): DigitsArgs {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { epochs: { type: 'string' }, quick: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false } },
      strict: true,
    }));
  } catch (e) {
    throw new GradstreamError('INVALID_OPTION', `${name}: ${(e as Error).message}; usage: [--epochs N] [--quick] [--profile]`, { argv: [...argv] });
  }
  const { epochs, quick, profile } = values;
  if (epochs === undefined) return { quick, profile };
  const n = Number(epochs);
  if (!Number.isInteger(n) || n < 1) {
    throw new GradstreamError('INVALID_OPTION', `${name}: --epochs must be a positive integer, got "${epochs}"`, { epochs });
  }
  return { quick, profile, epochs: n };
}
