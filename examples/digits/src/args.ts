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
  /** The backend to train on, when given (`--backend ts | wasm | webgpu`; default `'auto'`). */
  readonly backend?: DigitsBackend;
}

/** The backends `--backend` names. */
export type DigitsBackend = 'auto' | 'ts' | 'wasm' | 'webgpu';
const BACKENDS: readonly DigitsBackend[] = ['auto', 'ts', 'wasm', 'webgpu'];

/**
 * Reads `--epochs N`, `--quick`, `--profile` and `--backend`; anything else is an `INVALID_OPTION` error, whose
 * message starts with `name` (the example's). A leading `--` is skipped: `pnpm start -- --quick`
 * passes it on.
 */
export function parseDigitsArgs(argv: readonly string[], name = 'digits'): DigitsArgs {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { epochs: { type: 'string' }, quick: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false }, backend: { type: 'string' } },
      strict: true,
    }));
  } catch (e) {
    throw new GradstreamError('INVALID_OPTION', `${name}: ${(e as Error).message}; usage: [--epochs N] [--quick] [--profile] [--backend ts|wasm|webgpu]`, { argv: [...argv] });
  }
  const { epochs, quick, profile, backend } = values;
  if (backend !== undefined && !BACKENDS.includes(backend as DigitsBackend)) {
    throw new GradstreamError('INVALID_OPTION', `${name}: --backend must be one of ${BACKENDS.join(', ')}, got "${backend}"`, { backend });
  }
  const chosen = backend === undefined ? {} : { backend: backend as DigitsBackend };
  if (epochs === undefined) return { quick, profile, ...chosen };
  const n = Number(epochs);
  if (!Number.isInteger(n) || n < 1) {
    throw new GradstreamError('INVALID_OPTION', `${name}: --epochs must be a positive integer, got "${epochs}"`, { epochs });
  }
  return { quick, profile, epochs: n, ...chosen };
}
