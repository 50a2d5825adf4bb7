import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * Figures for docs/guides/reliability.md: when GRADSTREAM_FIGURES names a file (the reliability
 * report sets it), tests append what they measured — cases fuzzed, kills survived, heap growth —
 * as one JSON line each, tagged with the test's name. Otherwise recording does nothing.
 */

/** One measured figure: what it is about and its values. */
export interface Figure {
  readonly [key: string]: string | number | boolean;
}

/** Appends a figure under `target` (default: the running test's full name). */
export function recordFigure(values: Figure, target?: string): void {
  const file = process.env.GRADSTREAM_FIGURES;
  if (file === undefined || file === '') return;
  const name = target ?? expect.getState().currentTestName ?? 'unnamed';
  // One short write per line with O_APPEND: lines from concurrent test files do not interleave.
  appendFileSync(file, `${JSON.stringify({ target: name, file: expect.getState().testPath?.replace(`${process.cwd()}/`, '') ?? '', ...values })}\n`);
}
