import os from 'node:os';
import { constants } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatBytes, fromSpec } from '@gradstream/graph';
import { recordFigure } from '../../../test/support/figures.js';
import { ROOT, run, tempDir, type Ran } from './capture.js';

const GiB = 2 ** 30;

const spec = (inputShape: number[], layers: unknown[]): string => JSON.stringify({ version: 1, inputShape, layers, loss: { op: 'mse' } });

const files = tempDir({
  // linear 2 → 1e9: 3e9 parameters, 12e9 bytes
  'wide.json': spec([2], [{ op: 'linear', inFeatures: 2, outFeatures: 1e9 }]),
  // linear 1e9 → 1e9: a weight of 1e18 elements, more than any typed array holds
  'square.json': spec([1e9], [{ op: 'linear', inFeatures: 1e9, outFeatures: 1e9 }]),
  // linear 5e6 → 1: 20 MB of parameters, but a batch of 256 inputs is 5.1 GB
  'long-input.json': spec([5e6], [{ op: 'linear', inFeatures: 5e6, outFeatures: 1 }]),
});

afterAll(() => files.cleanup());

// A machine of 16 GiB, as the one the wide spec was first run on: the default limit is then 4 GiB.
beforeEach(() => {
  vi.spyOn(os, 'totalmem').mockReturnValue(16 * GiB);
  vi.spyOn(process, 'constrainedMemory').mockReturnValue(0);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the command line in the directory of the specs, timing it. */
async function timed(argv: readonly string[]): Promise<Ran & { ms: number }> {
  const t0 = performance.now();
  const ran = await run(argv, { cwd: files.dir });
  const ms = performance.now() - t0;
  // The reliability guide reports how fast each command refuses the 1e9-wide layer.
  if (argv.includes('wide.json')) recordFigure({ kind: 'refusal', entry: `gradstream ${argv.join(' ')}`, ms: Math.round(ms * 100) / 100 });
  return { ...ran, ms };
}

const WIDE =
  'layers/0: the model needs 11 GiB (12000000000 bytes) for its parameters, beyond the memory limit of 4.0 GiB (4294967296 bytes); ' +
  'node "linear_1" (linear) takes 11 GiB of it, 7.5 GiB for its weight [1000000000,2] (--memory-limit raises the limit)';
const SQUARE =
  'layers/0: node "linear_1" (linear) needs 3.5 EiB (4000000000000000000 bytes) for its weight [1000000000,1000000000] (1000000000000000000 elements), ' +
  `beyond the ${constants.MAX_LENGTH} elements (${formatBytes(constants.MAX_LENGTH * 4)}) one float32 typed array can hold`;

describe('gradstream and the memory a spec needs', () => {
  it('validate prints the bytes of the parameters and what training takes at batch sizes 1, 32 and 256, equal to the buffers', async () => {
    const { code, stdout, stderr } = await run(['validate', 'examples/specs/xor.json']);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toBe('valid: 3 layers, 33 parameters (132 B; to train at batch size 1: 420 B, 32: 4.9 KiB, 256: 37 KiB)\n');
    // The same figures from the buffers themselves: the parameters, then a compiled training plan's.
    const model = fromSpec(JSON.parse(readFileSync(join(ROOT, 'examples/specs/xor.json'), 'utf8')), { backend: 'ts' });
    const parameters = model.parameters().reduce((s, p) => s + p.value.data.byteLength, 0);
    const sizes = [1, 32, 256].map((b) => `${b}: ${formatBytes(parameters + model.compile(b).bytes)}`);
    expect(stdout).toBe(`valid: 3 layers, 33 parameters (${formatBytes(parameters)}; to train at batch size ${sizes.join(', ')})\n`);
  });

  it('validate marks the batch sizes whose training would exceed the limit', async () => {
    const { code, stdout } = await timed(['validate', 'long-input.json']);
    expect(code).toBe(0);
    // The parameters and their gradients take 40 MB; 32 inputs of 5e6 floats 640 MB more, 256 of them 5.12 GB.
    expect(stdout).toBe('valid: 1 layers, 5000001 parameters (19 MiB; to train at batch size 1: 57 MiB, 32: 648 MiB, 256: 4.8 GiB, over the 4.0 GiB limit)\n');
  });

  it('validate reports a spec beyond the memory limit as its problem, exit 1, within milliseconds', async () => {
    const { code, stdout, stderr, ms } = await timed(['validate', 'wide.json']);
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toBe(`wide.json: invalid model:\n${WIDE}\n`);
    expect(ms).toBeLessThan(1000);
  });

  for (const command of [['graph'], ['train', '--data', 'builtin:xor']]) {
    it(`${command[0]} refuses a spec beyond the memory limit with TOO_LARGE, exit 1, within milliseconds`, async () => {
      const { code, stdout, stderr, ms } = await timed([command[0] as string, 'wide.json', ...command.slice(1)]);
      expect([code, stdout]).toEqual([1, '']);
      expect(stderr).toBe(`error (TOO_LARGE): ${WIDE}\n`);
      expect(ms).toBeLessThan(1000);
    });
  }

  it('validate, graph and train refuse a layer beyond what one typed array holds with TOO_LARGE, never a RangeError', async () => {
    const validate = await timed(['validate', 'square.json']);
    expect([validate.code, validate.stdout, validate.stderr]).toEqual([1, '', `square.json: invalid model:\n${SQUARE}\n`]);
    expect(validate.ms).toBeLessThan(1000);
    for (const argv of [['graph', 'square.json'], ['train', 'square.json', '--data', 'builtin:xor']]) {
      const { code, stderr, ms } = await timed(argv);
      expect([code, stderr]).toEqual([1, `error (TOO_LARGE): ${SQUARE}\n`]);
      expect(ms).toBeLessThan(1000);
    }
  });
});

describe('--memory-limit', () => {
  it('sets the limit every command builds under, in bytes or with a unit', async () => {
    const spec = `${ROOT}examples/specs/iris.json`;
    // 131 float32 parameters: 524 bytes
    const fits = await run(['validate', spec, '--memory-limit', '1KiB']);
    expect(fits.code).toBe(0);
    const refused = await run(['graph', spec, '--memory-limit', '500']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'error (TOO_LARGE): layers/0: the model needs 524 B for its parameters, beyond the memory limit of 500 B; node "linear_1" (linear) takes 320 B of it, 256 B for its weight [16,4] (--memory-limit raises the limit)\n',
    );
    const bad = await run(['validate', spec, '--memory-limit', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a size in bytes');
  });
});
